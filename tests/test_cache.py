"""The cache across runs (lint/cache.py): hit, invalidation, corruption, --no-cache, XDG.

Every test points XDG_CACHE_HOME at its own tmp_path (conftest.py also does it for the whole
suite), so no test reads or writes the user's cache.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from k8slint.lint import runner
from k8slint.lint.cache import cache_dir
from k8slint.lint.cli import main

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef:
            name: web-config
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  A: b
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "web.yaml").write_text(MANIFEST)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    return root


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["--format", "json", "--fail-on", "info", *args, "."])
    report = json.loads(capsys.readouterr().out)
    return code, [f["rule"] for f in report["findings"]]


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "k8slint" / "runs").glob("*.pickle"))


def _no_lint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a real lint fail: only a cache hit can answer now."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("linted instead of answering from the cache")

    monkeypatch.setattr(runner, "load_workspace", fail)


def test_a_second_run_is_answered_from_the_cache(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _lint(capsys)
    assert first == (1, ["missing-configmap"])
    assert len(_entries(tmp_path)) == 1
    _no_lint(monkeypatch)
    assert _lint(capsys) == first
    os.utime(repo / "web.yaml")  # a touch (new mtime, same bytes) is still the same input
    assert _lint(capsys) == first


def test_a_changed_file_is_linted_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _lint(capsys) == (1, ["missing-configmap"])
    (repo / "config.yaml").write_text(CONFIGMAP)  # a new file
    assert _lint(capsys) == (0, [])
    (repo / "config.yaml").write_text(CONFIGMAP.replace("web-config", "other"))  # new content
    assert _lint(capsys) == (1, ["missing-configmap"])
    (repo / "config.yaml").unlink()
    assert _lint(capsys) == (1, ["missing-configmap"])


def test_a_changed_option_is_a_different_run(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _lint(capsys) == (1, ["missing-configmap"])
    assert _lint(capsys, "--ignore", "missing-configmap") == (0, [])
    (repo / ".k8slint.yaml").write_text("rules:\n  missing-configmap: off\n")
    assert _lint(capsys) == (0, [])


def test_a_corrupt_entry_is_ignored_and_rebuilt(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _lint(capsys)
    [entry] = _entries(tmp_path)
    for garbage in (b"", b"not a pickle", entry.read_bytes()[:50]):
        entry.write_bytes(garbage)
        assert _lint(capsys) == first
        assert entry.stat().st_size > 100  # written again


def test_no_cache_neither_reads_nor_writes(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _lint(capsys, "--no-cache") == (1, ["missing-configmap"])
    assert _entries(tmp_path) == []
    _lint(capsys)
    assert len(_entries(tmp_path)) == 1
    _no_lint(monkeypatch)
    with pytest.raises(AssertionError, match="linted instead"):
        main(["--no-cache", "--debug", "."])


def test_an_unwritable_cache_is_no_cache(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blocked").write_text("a file where the cache directory would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    assert _lint(capsys) == (1, ["missing-configmap"])
    assert _lint(capsys) == (1, ["missing-configmap"])


def test_xdg_cache_home_is_respected(tmp_path: Path) -> None:
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "k8slint"
    home = Path(os.path.expanduser("~"))
    assert cache_dir({}) == home / ".cache" / "k8slint"
    assert cache_dir({"XDG_CACHE_HOME": "relative/dir"}) == home / ".cache" / "k8slint"


def test_the_suite_never_touches_the_real_cache() -> None:
    """conftest.py points XDG_CACHE_HOME at a temporary directory for every test."""
    assert cache_dir() != Path(os.path.expanduser("~")) / ".cache" / "k8slint"

"""Baselines: `--write-baseline` records today's findings, `--baseline` reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8slint.lint.cli import main
from tests.ci_repo import DATASOURCES, LOKI_DEFAULT, LOKI_FILE, grafana_repo

TEMPO_DEFAULT = """\
  - name: Tempo
    type: tempo
    url: http://tempo:3200
    isDefault: true
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = grafana_repo(tmp_path / "repo", git=False)
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


def _findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple]]:  # type: ignore[type-arg]
    capsys.readouterr()
    code = main(["--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    return code, [(f["rule"], f["file"], f["line"]) for f in report["findings"]]


def test_written_baseline_is_sorted_root_relative_and_deterministic(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "grafana")  # `file` is root-relative whatever the cwd
    assert main(["--write-baseline", "../baseline.json", "."]) == 0
    assert "recorded 1 finding in ../baseline.json" in capsys.readouterr().err
    data = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert list(data) == ["version", "findings"]
    assert data["version"] == 1
    (entry,) = data["findings"]
    assert list(entry) == ["rule", "file", "fingerprint"]
    assert (entry["rule"], entry["file"]) == ("duplicate-default-datasource", LOKI_FILE)
    assert entry["fingerprint"].endswith(":1") and len(entry["fingerprint"]) == 34
    first = (repo / "baseline.json").read_bytes()
    assert main(["--write-baseline", "../baseline.json", "."]) == 0
    assert (repo / "baseline.json").read_bytes() == first


def test_baselined_finding_survives_lines_inserted_above(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--write-baseline", "baseline.json"]) == 0
    assert _findings(capsys) == (1, [("duplicate-default-datasource", LOKI_FILE, 6)])
    shifted = "# Loki, provisioned by the platform team\n# see runbook\n" + LOKI_DEFAULT
    (repo / LOKI_FILE).write_text(shifted, encoding="utf-8")
    assert _findings(capsys) == (1, [("duplicate-default-datasource", LOKI_FILE, 8)])
    assert _findings(capsys, "--baseline", "baseline.json") == (0, [])


def test_new_finding_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--write-baseline", "baseline.json"]) == 0
    tempo = repo / DATASOURCES / "03-tempo.yaml"
    tempo.write_text("apiVersion: 1\ndatasources:\n" + TEMPO_DEFAULT, encoding="utf-8")
    code, found = _findings(capsys, "--baseline", "baseline.json")
    assert (code, found) == (
        1,
        [("duplicate-default-datasource", f"{DATASOURCES}/03-tempo.yaml", 6)],
    )


def test_second_identical_finding_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same datasource pasted twice gives two findings with the same rule, file, line text
    and message; the baseline knew one, so one is new."""
    loki = LOKI_DEFAULT.replace(
        "isDefault: true",
        "isDefault: true\n  - name: Loki\n"
        "    type: loki\n    url: http://loki:3100\n    isDefault: true",
    )
    (repo / LOKI_FILE).write_text(LOKI_DEFAULT, encoding="utf-8")
    assert main(["--write-baseline", "baseline.json"]) == 0
    (repo / LOKI_FILE).write_text(loki, encoding="utf-8")
    code, found = _findings(capsys)
    assert len(found) == 2 and code == 1
    code, found = _findings(capsys, "--baseline", "baseline.json")
    assert (code, found) == (1, [("duplicate-default-datasource", LOKI_FILE, 10)])


def test_bad_baseline_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "baseline.json").write_text('{"findings": []}', encoding="utf-8")
    assert main(["--baseline", "baseline.json"]) == 2
    assert "not a k8slint baseline" in capsys.readouterr().err

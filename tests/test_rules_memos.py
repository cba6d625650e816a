"""What the rules phase computes once and shares (per-unit memos, indexes) must answer exactly
what a fresh computation would, and the masker's head index must mask exactly what one pattern
of every literal masks."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import lint_repo


def _one_pattern(literals: list[str], text: str) -> str:
    """Masking as specified: one alternation of every literal, longest first."""
    ordered = sorted(set(literals), key=lambda s: (-len(s), s))
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, ordered)) + r")(?![A-Za-z0-9])"
    )
    return pattern.sub(lambda m: m.group(0)[:2] + "****", text)


_PIECES = st.sampled_from(["ab", "abc", "a-b", "x", "-", " ", ":", "@", "1", "abcd", "zz"])
_TEXTS = st.lists(_PIECES, max_size=12).map("".join)


@given(st.lists(_TEXTS.filter(bool), min_size=1, max_size=6), _TEXTS)
def test_the_masker_masks_what_one_pattern_of_every_literal_masks(
    literals: list[str], text: str
) -> None:
    from k8slint.lint.mask import Masker

    assert Masker(literals)(text) == _one_pattern(literals, text)


def test_the_masker_finds_literals_after_punctuation_and_overlapping_ones() -> None:
    from k8slint.lint.mask import Masker

    mask = Masker(["-----BEGIN KEY", "s3cr3t", "s3cr3t-long"])
    assert mask("x:-----BEGIN KEY") == "x:--****"
    assert mask("(s3cr3t-long)") == "(s3****)"  # the longest literal wins
    assert mask("as3cr3t s3cr3tx") == "as3cr3t s3cr3tx"  # only whole words


def test_a_finding_is_kept_as_is_without_literals() -> None:
    from k8slint.lint.findings import Finding, Severity
    from k8slint.lint.locate import Loc
    from k8slint.lint.mask import Masker

    finding = Finding("r", Severity.ERROR, Loc("a.yaml", 1, 1, 1, 2), "message")
    assert Masker().finding(finding) is finding


_CONFIGMAP = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg{ns}}}\ndata: {{KEY: {value}}}\n"
)
_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}{ns}}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          envFrom:
            - configMapRef: {{name: cfg}}
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_env_sources_are_looked_up_per_file_and_namespace(tmp_path: Path) -> None:
    """Workloads in two applications, and in two namespaces of one file, that name the same
    ConfigMap each get their own (the lookup is remembered per file and namespace)."""
    from k8slint.rules._env import FromData, container_env

    for app, value in (("a", "one"), ("b", "two")):
        _write(tmp_path / app / "cm.yaml", _CONFIGMAP.format(ns="", value=value))
        _write(tmp_path / app / "app.yaml", _DEPLOYMENT.format(name=app, ns=""))
    _write(
        tmp_path / "c" / "all.yaml",
        "---\n".join(
            [
                _CONFIGMAP.format(ns=", namespace: x", value="in-x"),
                _CONFIGMAP.format(ns=", namespace: y", value="in-y"),
                _DEPLOYMENT.format(name="cx", ns=", namespace: x"),
                _DEPLOYMENT.format(name="cy", ns=", namespace: y"),
            ]
        ),
    )
    ws = lint_repo(tmp_path).workspace
    view = ws.for_unit(ws.units[0])
    seen = {}
    for obj, pod in view.workloads():
        value = container_env(view, obj, pod.containers[0]).values["KEY"]
        assert isinstance(value, FromData)
        seen[obj.name] = value.entry.value
    assert seen == {"a": "one", "b": "two", "cx": "in-x", "cy": "in-y"}


def test_memo_each_computes_once_per_unit_and_item(tmp_path: Path) -> None:
    _write(tmp_path / "k8s" / "cm.yaml", _CONFIGMAP.format(ns="", value="v"))
    ws = lint_repo(tmp_path).workspace
    calls: list[str] = []

    def build(item: str) -> str:
        calls.append(item)
        return item.upper()

    first, again = ws.for_unit(ws.units[0]), ws.for_unit(ws.units[0])
    assert first.memo_each("test", "a", lambda: build("a")) == "A"
    assert again.memo_each("test", "a", lambda: build("a")) == "A"
    assert again.memo_each("test", "b", lambda: build("b")) == "B"
    assert ws.memo_each("test", "a", lambda: build("a")) == "A"  # the whole workspace: its own
    assert calls == ["a", "b", "a"]


def test_an_app_scan_reads_only_its_own_directory(tmp_path: Path) -> None:
    """`src/app` is a prefix of `src/application`'s path, not its directory."""
    _write(tmp_path / "src" / "app" / "main.py", "import os\nos.environ['A']\n")
    _write(tmp_path / "src" / "application" / "main.py", "import os\nos.environ['B']\n")
    _write(tmp_path / "main.py", "import os\nos.environ['C']\n")
    ws = lint_repo(tmp_path).workspace
    assert ws.scan_app("src/app").files == ("src/app/main.py",)
    assert set(ws.scan_app("").files) == {
        "main.py",
        "src/app/main.py",
        "src/application/main.py",
    }

"""`--fix` and `--unsafe-fixes`: exactly the intended lines change, and a second run is a no-op.

Each case copies a fixture repository, fixes it through the CLI, and compares a zero-context
unified diff of every file against a literal: comments, quoting, indentation and the lines
around the edit stay byte for byte. The fixed repository also equals the case's `good` twin.
"""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from pathlib import Path

import pytest

from k8slint.lint.cli import main
from k8slint.lint.findings import Fix
from k8slint.lint.fix import apply_edits, choose_fixes
from k8slint.lint.locate import Edit, Loc

FIXTURES = Path(__file__).parent / "fixtures"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _diff(before: dict[str, bytes], after: dict[str, bytes]) -> str:
    assert before.keys() == after.keys(), "fixing must not add or remove files"
    out = []
    for rel in sorted(before):
        old, new = before[rel].decode(), after[rel].decode()
        out += difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), f"a/{rel}", f"b/{rel}", n=0
        )
    return "".join(out)


def _copy(case: str, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / case, repo)
    return repo


CASES = [
    pytest.param(
        "compose-image-mismatch/bad",
        "--fix",
        "--- a/deploy/k8s/dashboard.yaml\n"
        "+++ b/deploy/k8s/dashboard.yaml\n"
        "@@ -19 +19 @@\n"
        "-          image: dashboard:latest\n"
        "+          image: deploy-dashboard:latest\n",
        id="compose-image-mismatch",
    ),
    pytest.param(
        "missing-image-pull-secret/bad-fixable",
        "--fix",
        "--- a/k8s/invoices.yaml\n"
        "+++ b/k8s/invoices.yaml\n"
        "@@ -22,0 +23,2 @@\n"
        "+      imagePullSecrets:\n"
        "+      - name: ghcr-pull\n",
        id="missing-image-pull-secret",
    ),
    pytest.param(
        "duplicate-default-datasource/bad",
        "--unsafe-fixes",
        "--- a/grafana/provisioning/datasources/02-loki.yaml\n"
        "+++ b/grafana/provisioning/datasources/02-loki.yaml\n"
        "@@ -12 +12 @@\n"
        "-    isDefault: true\n"
        "+    isDefault: false\n",
        id="duplicate-default-datasource",
    ),
]


@pytest.mark.parametrize(("case", "flag", "expected_diff"), CASES)
def test_fix_changes_only_the_intended_lines(
    case: str, flag: str, expected_diff: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _copy(case, tmp_path)
    before = _snapshot(repo)

    assert main([flag, str(repo)]) == 0
    assert "Fixed 1 finding (0 remaining)" in capsys.readouterr().err
    after = _snapshot(repo)
    assert _diff(before, after) == expected_diff
    good = FIXTURES / case.replace("/bad", "/good")
    assert after == _snapshot(good), "the fixed repository is the case's good twin"

    assert main([flag, str(repo)]) == 0
    assert "Fixed 0 findings (0 remaining)" in capsys.readouterr().err
    assert _snapshot(repo) == after, "a second run changes nothing"


def test_unsafe_fixes_wait_for_their_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _copy("duplicate-default-datasource/bad", tmp_path)
    before = _snapshot(repo)
    assert main(["--fix", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "Fixed 0 findings (1 remaining); 1 more fixable with --unsafe-fixes" in err
    assert _snapshot(repo) == before


def test_fix_keeps_line_endings_and_file_mode(tmp_path: Path) -> None:
    repo = _copy("missing-image-pull-secret/bad-fixable", tmp_path)
    manifest = repo / "k8s/invoices.yaml"
    manifest.write_bytes(manifest.read_bytes().replace(b"\n", b"\r\n"))
    manifest.chmod(0o640)

    assert main(["--fix", str(repo)]) == 0
    good = FIXTURES / "missing-image-pull-secret/good-fixable/k8s/invoices.yaml"
    assert manifest.read_bytes() == good.read_bytes().replace(b"\n", b"\r\n")
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o640
    assert sorted(os.listdir(manifest.parent)) == [
        "ghcr-pull.yaml",
        "invoices.yaml",
        "namespace.yaml",
    ], "no temporary file is left behind"


def test_fix_keeps_the_quotes_of_a_quoted_image(tmp_path: Path) -> None:
    repo = _copy("compose-image-mismatch/bad", tmp_path)
    manifest = repo / "deploy/k8s/dashboard.yaml"
    manifest.write_text(
        manifest.read_text().replace("image: dashboard:latest", "image: 'dashboard:latest'")
    )
    assert main(["--fix", str(repo)]) == 0
    assert "          image: 'deploy-dashboard:latest'\n" in manifest.read_text()


def test_fix_refuses_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--fix", "--stdin-filename", "k8s/a.yaml", "-"]) == 2
    assert "--fix cannot fix standard input" in capsys.readouterr().err


def _edit(line: int, col: int, end_col: int, text: str) -> Edit:
    return Edit(Loc("a.yaml", line, col, line, end_col), text)


def test_apply_edits_replaces_spans_and_inserts() -> None:
    text = "a: 1\nb: two  # keep\n"
    edits = [_edit(2, 4, 7, "three"), _edit(1, 1, 1, "# top\n"), _edit(3, 1, 1, "c: 3\n")]
    assert apply_edits(text, edits) == "# top\na: 1\nb: three  # keep\nc: 3\n"


def test_choose_fixes_skips_overlaps_and_shares_identical_edits() -> None:
    first = Fix.safe_fix("first", _edit(1, 4, 5, "2"))
    same = Fix.safe_fix("same edit", _edit(1, 4, 5, "2"))
    overlapping = Fix.safe_fix("overlapping", _edit(1, 1, 6, "a: 3"))
    elsewhere = Fix.safe_fix("elsewhere", _edit(2, 4, 5, "9"))
    chosen, skipped = choose_fixes([first, same, overlapping, elsewhere])
    assert chosen == [first, same, elsewhere]
    assert skipped == ["overlapping"]

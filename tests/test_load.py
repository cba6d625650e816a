"""Reading project files: the line a `Loc` names is the line a reporter shows."""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from k8slint.lint.load import ParseCache, Project, _read_upto
from k8slint.lint.runner import LintOptions, lint_paths

FIXTURES = Path(__file__).parent / "fixtures"

SETTINGS = (
    'import os\n\x0c\nDATABASE_URL = os.getenv("DATABASE_URL", "postgresql://localhost/app")\n'
)


def test_line_numbers_are_the_parsers_line_numbers(tmp_path: Path) -> None:
    """A form feed (`^L`, which PEP 8 allows between sections) is no line break to Python or
    YAML; str.splitlines breaks at it, which shifted every frame below it by one line."""
    (tmp_path / "settings.py").write_text(SETTINGS)
    project = Project(tmp_path)
    call = ast.parse(SETTINGS).body[1].value  # type: ignore[attr-defined]
    assert project.line("settings.py", call.lineno) == SETTINGS.splitlines()[-1]
    assert project.line("settings.py", 99) is None
    assert project.line("missing.py", 1) is None


def test_an_override_replaces_the_lines(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    project = Project(tmp_path)
    assert project.line("a.yaml", 1) == "a: 1"
    project.override("a.yaml", "b: 2\r\nc: 3\r\n")
    assert project.line("a.yaml", 2) == "c: 3"


def test_a_parse_cache_reparses_only_what_changed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    (tmp_path / "b.yaml").write_text("b: 1\n")
    (tmp_path / "gone.yaml").write_text("c: 1\n")
    cache = ParseCache()
    cache.new_run()
    first = Project(tmp_path, parse_cache=cache)
    a, b = first.parse("a.yaml"), first.parse("b.yaml")
    first.parse("gone.yaml")
    (tmp_path / "b.yaml").write_text("b: 2\n")
    (tmp_path / "gone.yaml").unlink()
    cache.new_run()
    second = Project(tmp_path, parse_cache=cache)
    assert second.parse("a.yaml") is a
    changed = second.parse("b.yaml")
    assert changed is not b and changed is not None and changed.documents[0].root == {"b": 2}
    assert second.parse("gone.yaml") is None
    # an editor buffer is text like any other: the same text is not parsed again
    cache.new_run()
    third = Project(tmp_path, parse_cache=cache)
    third.override("b.yaml", "b: 2\n")
    assert third.parse("b.yaml") is changed


def test_trees_shared_between_runs_give_the_results_of_fresh_runs(tmp_path: Path) -> None:
    """The language server reuses parsed trees across lints: any rule or build step that
    modified a shared tree would make the second lint differ from a fresh one."""
    tree = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, tree, symlinks=True)
    fresh = lint_paths([tree], LintOptions(root=tree)).result
    cache = ParseCache()
    for _ in range(2):
        again = lint_paths([tree], LintOptions(root=tree, parse_cache=cache)).result
        assert again.findings == fresh.findings
        assert again.errors == fresh.errors


@pytest.mark.parametrize(
    ("content", "stat_size", "expected"),
    [
        (b"a: 1\n", 5, b"a: 1\n"),  # as fstat said
        (b"a: 1\nb: 2\n", 5, b"a: 1\nb: 2\n"),  # grew after fstat: read on
        (b"x" * 30, 5, b"x" * 11),  # grew past the limit: one byte past it tells the caller
        (b"", 0, b""),
    ],
)
def test_a_read_takes_what_the_file_holds_up_to_one_byte_past_the_limit(
    tmp_path: Path, content: bytes, stat_size: int, expected: bytes
) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(content)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _read_upto(fd, stat_size, limit=10) == expected
    finally:
        os.close(fd)

"""Reading project files: the line a `Loc` names is the line a reporter shows."""

from __future__ import annotations

import ast
from pathlib import Path

from k8slint.lint.load import Project

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

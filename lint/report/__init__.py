"""Reporters: turn a `LintResult` into the text of one output format.

Each format is a module with a pure `render(result, ctx) -> str`; nothing here prints. The
modules are imported on demand so that `k8slint --version` (or a JSON run) never loads rich.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k8slint.lint.findings import Finding, LintResult
    from k8slint.lint.rule import Rule

FORMATS = ("text", "json", "sarif", "github", "junit")


@functools.lru_cache(maxsize=4096)
def display_path(root: Path, cwd: Path, rel: str) -> str:
    """A root-relative path as the user should see it: relative to cwd, forward slashes."""
    target = root / rel
    try:
        return PurePath(os.path.relpath(target, cwd)).as_posix()
    except ValueError:  # Windows: root and cwd on different drives
        return target.as_posix()


@dataclass(frozen=True)
class ReportContext:
    """What a reporter needs besides the result.

    `root` and `cwd` should be absolute. `source_line(path, line)` returns the text of a
    1-based line of a root-relative file (no line break), or None when it cannot be read.
    `rules` is every known rule (SARIF lists them all, not only those that fired).
    """

    root: Path
    cwd: Path
    version: str
    rules: Sequence[Rule]
    color: bool
    source_line: Callable[[str, int], str | None]

    def display_path(self, rel: str) -> str:
        """A root-relative path as the user should see it: relative to cwd, forward slashes."""
        if not rel:  # a rule crash has no file
            return rel
        return display_path(self.root, self.cwd, rel)

    def ordered(self, findings: Iterable[Finding]) -> list[Finding]:
        """Findings in report order: displayed path, line, column, rule (message breaks ties)."""
        return sorted(
            findings,
            key=lambda f: (self.display_path(f.loc.path), f.loc.line, f.loc.col, f.rule, f.message),
        )


def render(fmt: str, result: LintResult, ctx: ReportContext) -> str:
    """The whole report for `result` in format `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{fmt}")
    text: str = module.render(result, ctx)
    return text

"""Source positions: where a value sits in a file.

Every position k8slint reports is a `Loc`: a POSIX path relative to the project root and
1-based line and column numbers. Parsers count from 0; the conversion happens once, where the
parse tree is read (`lint/load.py`), so rules and reporters never adjust by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
"""The line breaks YAML counts (PyYAML's marks, hence every `Loc`); str.splitlines also splits
on form feeds and other separators, which would shift the line numbers."""


class Loc(NamedTuple):
    """A span in a file; ordered by path, then line, then column."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, path: str, line: int, col: int = 1) -> Loc:
        return cls(path, line, col, line, col)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of `loc` by `text` (an insertion when the span is empty)."""

    loc: Loc
    text: str


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A value read from a file, with the span it was read from."""

    value: T
    loc: Loc

    def replace(self, text: str) -> Edit:
        return Edit(self.loc, text)


def line_offsets(text: str) -> list[int]:
    """The offset at which each line starts (index 0 is line 1), breaks counted as YAML does."""
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def split_lines(text: str) -> list[str]:
    """The lines of `text` with their line breaks, split where `line_offsets` splits."""
    starts = line_offsets(text)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]

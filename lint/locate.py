"""Source positions: where a value sits in a file.

Every position k8slint reports is a `Loc`: a POSIX path relative to the project root and
1-based line and column numbers. Parsers count from 0; the conversion happens once, where the
parse tree is read (`lint/load.py`), so rules and reporters never adjust by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


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

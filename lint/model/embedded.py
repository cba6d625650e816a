"""YAML documents embedded in a string value (a ConfigMap's `datasources.yaml: |` entry).

A literal block scalar keeps its lines, and a value that is a whole file (a kustomize
configMapGenerator's `files:` entry) is that file: such an embedded document is re-parsed at
its real place in the file (padded with the lines and indentation before it) and every position
points into the file. Other scalar styles (quoted, folded, base64 in a Secret) have no line
mapping: their embedded values are located at the enclosing value. `locator` maps a span of
the value the same way, for the JSON and properties readers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import ParsedDocument, YamlError, YMap, YSeq, parse_documents

if TYPE_CHECKING:
    from k8slint.lint.load import Project


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a value's text sits in its file: its first line, and the indentation every
    line of it carries there."""

    first_line: int
    indent: int


def placement(value: str, loc: Loc, project: Project | None) -> Placement | None:
    """Where the value found at `loc` sits line by line in its file: the whole file (a
    generator's `files:` entry), or a literal block scalar (`key: |`); None for other styles,
    or without the file (`project` None: an encoded value, whose text is not the file's)."""
    if project is None or loc.line < 1:
        return None
    if loc.line == 1 and loc.col == 1:
        text = project.read_text(loc.path)
        if text is not None and text.rstrip("\n") == value.rstrip("\n"):
            return Placement(1, 0)
    line = project.line(loc.path, loc.line)
    if line is None or line[loc.col - 1 : loc.col] != "|":
        return None
    number = loc.line + 1
    while (following := project.line(loc.path, number)) is not None:
        if following.strip():
            return Placement(loc.line + 1, len(following) - len(following.lstrip(" ")))
        number += 1
    return None


def locator(
    value: str, loc: Loc, project: Project | None
) -> Callable[[tuple[int, int] | None], Loc]:
    """Where characters `span` of the value sit in the file (see `placement`); the enclosing
    value's span when the value has no line mapping or the span is None."""
    where = placement(value, loc, project)
    if where is None:
        return lambda span: loc
    return lambda span: loc if span is None else _shifted(value, span, loc.path, where)


def _shifted(value: str, span: tuple[int, int], path: str, where: Placement) -> Loc:
    before = value[: span[0]]
    line = where.first_line + before.count("\n")
    col = where.indent + len(before) - (before.rfind("\n") + 1) + 1
    return Loc(path, line, col, line, col + span[1] - span[0])


def parse_embedded(value: str, loc: Loc, project: Project | None) -> list[ParsedDocument] | None:
    """The documents of `value` (found at `loc`), or None if it is not YAML. `project` reads
    the file for positions (see `placement`); None locates everything at `loc`."""
    where = placement(value, loc, project)
    try:
        if where is not None:
            indent = " " * where.indent
            body = "\n".join(indent + line if line else "" for line in value.split("\n"))
            documents, _duplicates = parse_documents("\n" * (where.first_line - 1) + body, loc.path)
            return documents
        documents, _duplicates = parse_documents(value, loc.path)
    except YamlError:
        return None
    for document in documents:
        _relocate(document.root, loc)
    return [ParsedDocument(d.index, d.root, loc) for d in documents]


def _relocate(node: Any, loc: Loc) -> None:
    if isinstance(node, YMap):
        node.locate_all_at(loc)
        for child in node.values():
            _relocate(child, loc)
    elif isinstance(node, YSeq):
        node.locate_all_at(loc)
        for child in node:
            _relocate(child, loc)

"""YAML documents embedded in a string value (a ConfigMap's `datasources.yaml: |` entry).

A literal block scalar keeps its lines, so the embedded document is re-parsed at its real
place in the file (padded with the lines and indentation before it) and every position points
into the file. Other scalar styles (quoted, folded, base64 in a Secret) have no line mapping:
their embedded values are located at the enclosing value.
"""

from __future__ import annotations

from typing import Any

from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import ParsedDocument, YamlError, YMap, YSeq, parse_documents


def parse_embedded(value: str, loc: Loc, file_text: str | None) -> list[ParsedDocument] | None:
    """The documents of `value` (found at `loc` in `file_text`), or None if it is not YAML."""
    padded = _padded_literal(value, loc, file_text)
    try:
        if padded is not None:
            documents, _duplicates = parse_documents(padded, loc.path)
            return documents
        documents, _duplicates = parse_documents(value, loc.path)
    except YamlError:
        return None
    for document in documents:
        _relocate(document.root, loc)
    return [ParsedDocument(d.index, d.root, loc) for d in documents]


def _padded_literal(value: str, loc: Loc, file_text: str | None) -> str | None:
    if file_text is None or loc.line < 1:
        return None
    lines = file_text.splitlines()
    if loc.line > len(lines):
        return None
    indicator = lines[loc.line - 1][loc.col - 1 : loc.col]
    if indicator != "|":
        return None
    indent = _content_indent(lines, loc.line)
    if indent is None:
        return None
    body = "\n".join(" " * indent + line if line else "" for line in value.split("\n"))
    return "\n" * loc.line + body


def _content_indent(lines: list[str], indicator_line: int) -> int | None:
    for line in lines[indicator_line:]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return None


def _relocate(node: Any, loc: Loc) -> None:
    if isinstance(node, YMap):
        node.loc = loc
        for key, child in node.items():
            node.key_locs[key] = loc
            node.value_locs[key] = loc
            _relocate(child, loc)
    elif isinstance(node, YSeq):
        node.loc = loc
        node.item_locs = [loc] * len(node)
        for child in node:
            _relocate(child, loc)

"""Compose variables: `.env`/`env_file` parsing and `${VAR}` interpolation, as Compose does.

The process environment is never read: a lint run must not depend on the shell it runs in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq

_VARIABLE_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_ENV_LINE = re.compile(r"\s*(?:export\s+)?([^\s=#]+)\s*(=?)")
_DOUBLE_QUOTE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"'}

Lookup = Callable[[str], "str | None"]


# --- interpolation -----------------------------------------------------------------------------


def interpolate(text: str, lookup: Lookup) -> str:
    """Substitute `$VAR`, `${VAR}` and its `:-`, `-`, `:?`, `?`, `:+`, `+` forms; `$$` is `$`."""
    out: list[str] = []
    index = 0
    while index < len(text):
        dollar = text.find("$", index)
        if dollar < 0:
            out.append(text[index:])
            break
        out.append(text[index:dollar])
        following = text[dollar + 1 : dollar + 2]
        if following == "$":
            out.append("$")
            index = dollar + 2
        elif following == "{":
            end = _closing_brace(text, dollar + 2)
            if end < 0:
                out.append(text[dollar:])
                break
            expanded = _expand_braced(text[dollar + 2 : end], lookup)
            out.append(text[dollar : end + 1] if expanded is None else expanded)
            index = end + 1
        else:
            name = _VARIABLE_NAME.match(text, dollar + 1)
            if name is None:
                out.append("$")
                index = dollar + 1
            else:
                out.append(lookup(name.group()) or "")
                index = name.end()
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing a `${` whose body starts at `start`, or -1."""
    depth = 1
    index = start
    while index < len(text):
        if text.startswith("$$", index):
            index += 2
            continue
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _expand_braced(expression: str, lookup: Lookup) -> str | None:
    """The value of `${expression}`, or None when Compose would reject its syntax."""
    name = _VARIABLE_NAME.match(expression)
    if name is None:
        return None
    value = lookup(name.group())
    rest = expression[name.end() :]
    if not rest:
        return value or ""
    for operator in (":-", ":?", ":+", "-", "?", "+"):
        if rest.startswith(operator):
            return _apply_operator(operator, value, rest[len(operator) :], lookup)
    return None


def _apply_operator(operator: str, value: str | None, word: str, lookup: Lookup) -> str:
    """Apply one modifier; the word is only interpolated when it is used, as in a shell."""
    is_set = value is not None if operator in ("-", "?", "+") else bool(value)
    if operator.endswith("+"):
        return interpolate(word, lookup) if is_set else ""
    if is_set:
        return value or ""
    # `?` would make Compose stop with the message; a linter carries on with an empty value
    return interpolate(word, lookup) if operator.endswith("-") else ""


class Interpolator:
    """Copies a tree with its string values interpolated, noting which values used a variable."""

    def __init__(self, lookup: Lookup, substituted: set[Loc]) -> None:
        self.lookup = lookup
        self.substituted = substituted

    def tree(self, value: Any) -> Any:
        """A copy of the tree with every string value interpolated; positions and tags kept."""
        if isinstance(value, YMap):
            copy = YMap(value.loc)
            for key, child in value.items():
                loc = value.value_loc(key)
                copy.set_located(key, self.child(child, loc), value.key_loc(key), loc)
            copy.tags = dict(value.tags) if value.tags else None
            return copy
        if isinstance(value, YSeq):
            seq = YSeq(value.loc)
            seq.tag = value.tag
            for index, item in enumerate(value):
                loc = value.item_loc(index)
                seq.append_located(self.child(item, loc), loc)
            return seq
        return value

    def child(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, str):
            return self.tree(value)
        if "$" not in value:
            return value
        used: list[str] = []

        def recording_lookup(name: str) -> str | None:
            used.append(name)
            return self.lookup(name)

        result = interpolate(value, recording_lookup)
        if used:
            self.substituted.add(loc)
        return result


# --- env files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EnvEntry:
    key: str
    value: str | None  # None for a bare `KEY` line (taken from the shell, which we never read)
    line: int
    col: int
    end_col: int


def parse_env_file(text: str, lookup: Lookup) -> Iterator[_EnvEntry]:
    """Entries of a dotenv file in Compose's syntax (docs: "Syntax for environment files").

    `#` lines and blank lines are skipped; `export ` is allowed; single-quoted values are
    literal; double-quoted values may span lines and know the escapes `\\n \\t \\r \\\\ \\"`;
    unquoted values end at ` #`. Unquoted and double-quoted values are interpolated with `lookup`.
    """
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        match = _ENV_LINE.match(line)
        if match is None or line.lstrip().startswith("#"):
            continue
        key = match.group(1)
        if not match.group(2):
            yield _EnvEntry(key, None, number, match.start(1) + 1, match.end(1) + 1)
            continue
        start = match.end()
        while start < len(line) and line[start] in " \t":
            start += 1
        value, end_col, used = _env_value(lines, number - 1, start, lookup)
        yield _EnvEntry(key, value, number, start + 1, end_col)
        number += used


def _env_value(lines: list[str], index: int, start: int, lookup: Lookup) -> tuple[str, int, int]:
    """(value, end column on the first line, extra lines consumed) of the value at `start`."""
    line = lines[index]
    quote = line[start : start + 1]
    if quote not in ("'", '"'):
        raw = re.split(r"\s#", line[start:], maxsplit=1)[0].rstrip()
        return interpolate(raw, lookup), start + len(raw) + 1, 0
    chars: list[str] = []
    row, position = index, start + 1
    while row < len(lines):
        text = lines[row]
        while position < len(text):
            char = text[position]
            if char == "\\" and position + 1 < len(text):
                escaped = text[position + 1]
                if quote == '"' and escaped in _DOUBLE_QUOTE_ESCAPES:
                    chars.append(_DOUBLE_QUOTE_ESCAPES[escaped])
                    position += 2
                    continue
                if quote == "'" and escaped == "'":
                    chars.append("'")
                    position += 2
                    continue
            if char == quote:
                value = "".join(chars)
                end_col = position + 2 if row == index else len(line) + 1
                if quote == '"':
                    value = interpolate(value, lookup)
                return value, end_col, row - index
            chars.append(char)
            position += 1
        chars.append("\n")
        row, position = row + 1, 0
    # no closing quote: Compose would reject the file; keep the rest of the line as written
    raw = line[start:].rstrip()
    return raw, start + len(raw) + 1, 0


def env_file_paths(env_file: Any) -> list[str]:
    """Paths of `env_file:` in its string, list and long (`path:`) forms."""
    if isinstance(env_file, str):
        return [env_file]
    if not isinstance(env_file, list):
        return []
    paths = []
    for item in env_file:
        if isinstance(item, str):
            paths.append(item)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            paths.append(item["path"])
    return paths

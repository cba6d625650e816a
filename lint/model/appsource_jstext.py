"""Lexical helpers for the JavaScript/TypeScript, Go and Java/Kotlin scanners (regex-based).

Comments are blanked out (same length, newlines kept) so that regexes never match commented
code and every offset still points into the original text.
"""

from __future__ import annotations

import re

from k8slint.lint.model.appsource_core import TextIndex

JS_STRING = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`[^`$\\]*`)"""
"""A string literal: single, double, or a template literal without substitutions."""

GO_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|`[^`]*`)"""
IDENT = r"[A-Za-z_$][\w$]*"
REGEX_MAY_FOLLOW = frozenset("(,=:[!&|?{};+-*%<>~^") | {""}


def unquote(literal: str) -> str:
    """The value of a string literal as written in the source (common escapes only)."""
    body = literal[1:-1]
    if literal.startswith("`"):
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def blank_comments(text: str, regex_literals: bool = True) -> str:
    """`text` with comments replaced by spaces; strings and (JS) regex literals are skipped over."""
    out = list(text)
    i, length = 0, len(text)
    previous = ""  # last significant character, to tell a regex literal from a division
    while i < length:
        char = text[i]
        pair = text[i : i + 2]
        if pair == "//" or pair == "/*":
            end = text.find("\n", i) if pair == "//" else text.find("*/", i + 2)
            end = length if end < 0 else end + (0 if pair == "//" else 2)
            for j in range(i, end):
                if out[j] != "\n":
                    out[j] = " "
            i = end
            continue
        if char in "'\"`":
            i = _skip_string(text, i)
        elif char == "/" and regex_literals and previous in REGEX_MAY_FOLLOW:
            i = _skip_regex(text, i)
        else:
            i += 1
        if not char.isspace():
            previous = char
    return "".join(out)


def _skip_string(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == quote or (char == "\n" and quote != "`"):
            return i + 1
        i += 1
    return i


def _skip_regex(text: str, start: int) -> int:
    i, in_class = start + 1, False
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "\n":
            return i
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return i + 1
        i += 1
    return i


def matching_close(text: str, open_at: int) -> int:
    """Offset of the bracket closing the one at `open_at` (strings skipped), or len(text)."""
    opening = text[open_at]
    closing = {"(": ")", "{": "}", "[": "]"}[opening]
    depth, i = 0, open_at
    while i < len(text):
        char = text[i]
        if char in "'\"`":
            i = _skip_string(text, i)
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def split_arguments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the comma-separated arguments in text[start:end], nested brackets kept whole."""
    spans, depth, i, piece_start = [], 0, start, start
    while i < end:
        char = text[i]
        if char in "'\"`":
            i = _skip_string(text, i)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            spans.append(_strip(text, piece_start, i))
            piece_start = i + 1
        i += 1
    last = _strip(text, piece_start, end)
    if last[0] < last[1]:
        spans.append(last)
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class CodeFile:
    """One source file: original text, comment-free text and offsets -> `Loc`."""

    def __init__(self, path: str, text: str, regex_literals: bool = True) -> None:
        self.path = path
        self.code = blank_comments(text, regex_literals)
        self.index = TextIndex(path, text)

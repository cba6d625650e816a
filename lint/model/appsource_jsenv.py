"""Environment variables that JavaScript/TypeScript code reads from `process.env`.

`process.env.X || "d"` and `process.env.X ?? "d"` (also `process.env["X"]`) give a default;
`const { X = "d" } = process.env` too. `required(process.env.X)` (any function named like
required/requireEnv/mustGetEnv/ensureEnv/assertEnv) and `if (!process.env.X) throw ...` /
`process.exit(...)` make it required. A read with no fallback is soft. Assignments to
`process.env.X` are not reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from k8slint.lint.model.appsource_core import EnvRead
from k8slint.lint.model.appsource_jstext import IDENT, JS_STRING, CodeFile, matching_close, unquote

READ = re.compile(rf"process\.env(?:\.({IDENT})|\[\s*({JS_STRING})\s*\])")
FALLBACK = re.compile(rf"\s*(?:\|\||\?\?)\s*({JS_STRING}|-?\d+(?:\.\d+)?\b|true\b|false\b)?")
ASSIGNMENT = re.compile(r"\s*=(?!=)")
REQUIRED_CALL = re.compile(
    r"\b(?:required|requireEnv|requiredEnv|mustGetEnv|getRequired\w*|ensureEnv|assertEnv)\s*\(\s*$"
)
NEGATED_CHECK = re.compile(r"\bif\s*\(\s*!\s*$")
CHECK_CLOSE = re.compile(r"\s*\)\s*")
FAILS = re.compile(r"\bthrow\b|process\.exit\s*\(")
DESTRUCTURING = re.compile(r"\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*process\.env\b")
DESTRUCTURED_ENTRY = re.compile(  # `...rest` is no variable: the lookbehind skips it
    rf"(?<![\w$.])({IDENT})\s*(?::\s*{IDENT}\s*)?(?:=\s*({JS_STRING}|-?\d+(?:\.\d+)?))?\s*(?:,|$)"
)


def scan_js_env(source: CodeFile) -> Iterator[EnvRead]:
    code = source.code
    for match in READ.finditer(code):
        if ASSIGNMENT.match(code, match.end()):
            continue
        name = match.group(1) or unquote(match.group(2))
        yield _read(source, match, name)
    for match in DESTRUCTURING.finditer(code):
        yield from _destructured(source, match)


def _read(source: CodeFile, match: re.Match[str], name: str) -> EnvRead:
    code = source.code
    index = source.index
    fallback = FALLBACK.match(code, match.end())
    if fallback is not None:
        literal = fallback.group(1)
        if literal is None:  # `process.env.X || computeDefault()`
            return EnvRead(
                name, None, index.loc(match.start(), match.end()), False, False, "javascript"
            )
        start = fallback.start(1)
        return EnvRead(
            name, _literal(literal), index.loc(start, fallback.end(1)), False, False, "javascript"
        )
    required = _is_required(code, match)
    return EnvRead(
        name, None, index.loc(match.start(), match.end()), required, not required, "javascript"
    )


def _is_required(code: str, match: re.Match[str]) -> bool:
    before = code[max(0, match.start() - 80) : match.start()]
    if REQUIRED_CALL.search(before):
        return True
    if not NEGATED_CHECK.search(before):
        return False
    close = CHECK_CLOSE.match(code, match.end())
    if close is None:
        return False
    body_start = close.end()
    if code.startswith("{", body_start):
        body = code[body_start : matching_close(code, body_start)]
    else:
        body = code[body_start : code.find(";", body_start) + 1 or len(code)]
    return FAILS.search(body) is not None


def _destructured(source: CodeFile, match: re.Match[str]) -> Iterator[EnvRead]:
    entries = match.group(1)
    offset = match.start(1)
    for entry in DESTRUCTURED_ENTRY.finditer(entries):
        name, literal = entry.group(1), entry.group(2)
        if literal is None:
            loc = source.index.loc(offset + entry.start(1), offset + entry.end(1))
            yield EnvRead(name, None, loc, False, True, "javascript")
        else:
            loc = source.index.loc(offset + entry.start(2), offset + entry.end(2))
            yield EnvRead(name, _literal(literal), loc, False, False, "javascript")


def _literal(text: str) -> str:
    return unquote(text) if text[0] in "'\"`" else text

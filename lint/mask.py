"""Secret masking: no secret literal of the linted files reaches any report.

Rules name a secret's key, never its value; the masker is the second line of defence for the
text that rules do not control: a message that quotes a connection URL, and the source lines
that the text reporter draws in its frames. The secret literals are collected from the
workspace once per run:

- every value of every Secret (`stringData`, `data` decoded, and `data` as written: base64 is
  no protection), with each line of a PEM key;
- values under password/token/key-like names in ConfigMaps (keys nested in embedded YAML, JSON
  and properties documents included), literal container `env` and compose `environment`;
- the password (and the base64 `auth`) of each registry in a `.dockerconfigjson`;
- the password part of any URL with credentials (`postgres://app:pw@db/app`) in those values.

Values shorter than 4 characters, values that repeat a name beside them (`MYSQL_PASSWORD:
mysql` in the mysql container: masking `mysql` would garble every report and hide nothing) and
placeholders (`${VAR}`, `<password>`, `changeme`, bare
words such as `password` or `true`) are left alone: masking them would garble every report and
protect nothing. A masked literal keeps its first two characters: `hunter2` -> `hu****`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from k8slint.lint.findings import Finding, LintError, Related

if TYPE_CHECKING:
    from k8slint.lint.model.workspace import Workspace

_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^:/@\s]*:([^@\s/]+)@", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^A-Za-z0-9]")
"""A character after which a literal may start (the masking pattern's look-behind)."""
_HEAD_SIZE = 4
"""Characters of a literal's head: the fewest a collected literal has (`is_placeholder`)."""


class Masker:
    """`masker(text)` replaces each secret literal with its first two characters + `****`.

    A pattern with one alternative per literal is slow on every text, and most texts hold no
    secret. So the literals are indexed by their head (first few characters), and a text goes
    through a pattern of only the literals whose head it holds where one may start: the same
    matches, since a literal can match nowhere else.
    """

    def __init__(self, literals: Iterable[str] = ()) -> None:
        self.literals = tuple(sorted(set(literals), key=_pattern_order))
        self._head_size = min([_HEAD_SIZE, *map(len, self.literals)])
        self._by_head: dict[str, list[str]] = {}
        for literal in self.literals:
            self._by_head.setdefault(literal[: self._head_size], []).append(literal)

    def __call__(self, text: str) -> str:
        candidates = self._candidates(text) if text else ()
        if not candidates:
            return text
        return _pattern(candidates).sub(lambda m: m.group(0)[:2] + "****", text)

    def _candidates(self, text: str) -> tuple[str, ...]:
        """The literals whose head the text holds at its start or after a character other
        than a letter or digit (where the pattern may match), longest first."""
        size = self._head_size
        heads = {text[:size], *(text[m.end() : m.end() + size] for m in _NOT_WORD.finditer(text))}
        found = [
            literal for head in heads & self._by_head.keys() for literal in self._by_head[head]
        ]
        return tuple(sorted(found, key=_pattern_order))

    def line(self, text: str | None) -> str | None:
        return None if text is None else self(text)

    def finding(self, finding: Finding) -> Finding:
        if not self.literals:
            return finding
        related = tuple(Related(r.loc, self(r.message)) for r in finding.related)
        return replace(finding, message=self(finding.message), related=related)

    def error(self, error: LintError) -> LintError:
        return replace(error, message=self(error.message)) if self.literals else error


def _pattern_order(literal: str) -> tuple[int, str]:
    """Longest first: where literals overlap, the longest is masked."""
    return -len(literal), literal


def _pattern(literals: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, literals)) + r")(?![A-Za-z0-9])"
    )


NO_MASK = Masker()


def secret_masker(ws: Workspace) -> Masker:
    """The masker for every secret literal that the workspace's files hold."""
    return Masker(secret_literals(ws))


def secret_literals(ws: Workspace) -> set[str]:
    from k8slint.lint.model.k8s import mapping
    from k8slint.lint.model.secrets import (
        credential_words,
        entries,
        is_placeholder,
        registry_credentials,
    )

    found: set[str] = set()
    judged: set[tuple[str, bool]] = set()  # overlays repeat their bases' values: judge each once

    def add(value: str | None, *, whole: bool = True) -> None:
        if not value or (value, whole) in judged:
            return
        judged.add((value, whole))
        text = value.strip()
        for match in _URL_PASSWORD.finditer(text):
            _add_literal(found, match.group(1), is_placeholder)
        if whole:
            _add_literal(found, text, is_placeholder)
            if "\n" in text and "-----BEGIN" in text:  # each line of a PEM block
                for line in text.splitlines():
                    _add_literal(found, line.strip(), is_placeholder)

    for obj in ws.all_objects():
        if obj.kind != "Secret":
            continue
        for credential in registry_credentials(obj):  # the values themselves: `entries` below
            for literal in credential.literals:
                add(literal)
        written = mapping(obj.body, "data")
        for value in (written or {}).values():
            add("".join(value.split()) if isinstance(value, str) else None)
    for entry in entries(ws):
        if entry.is_demo_default():
            continue  # `MYSQL_PASSWORD: mysql` in the mysql container: masking hides nothing
        if entry.origin in ("secret-data", "secret-string") and entry.name == entry.key:
            add(entry.value)  # a Secret's own value (nested keys of a document: by name below)
        else:
            secret_name = credential_words(entry.key, certificates=False, any_key=True)
            add(entry.value, whole=secret_name)
    return found


def _add_literal(found: set[str], text: str, is_placeholder: Callable[[str], bool]) -> None:
    """Add `text` unless it is a placeholder; `is_placeholder` also leaves out values too short
    to be anyone's secret (fewer than 4 characters)."""
    text = text.strip()
    if not is_placeholder(text):
        found.add(text)

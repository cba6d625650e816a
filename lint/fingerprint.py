"""A finding's identity across edits: shared by SARIF `partialFingerprints` and the baseline.

The key hashes the rule id, the root-relative path, the text of the offending line with its
whitespace collapsed, and the message (sha256, 32 hex digits). Line numbers are not part of
it, so lines inserted above a finding leave it unchanged. Two findings with the same key (the
same line pasted twice) are told apart by `:n`, the occurrence of the key in report order:
the second copy of a finding gets a fingerprint of its own.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable

from k8slint.lint.findings import Finding

SourceLine = Callable[[str, int], str | None]  # (root-relative path, 1-based line) -> text


def fingerprint_key(finding: Finding, source_line: SourceLine) -> str:
    """The hash of what identifies `finding`, without the occurrence suffix."""
    line = " ".join((source_line(finding.loc.path, finding.loc.line) or "").split())
    text = "\0".join((finding.rule, finding.loc.path, line, finding.message))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fingerprints(findings: Iterable[Finding], source_line: SourceLine) -> list[tuple[Finding, str]]:
    """Each finding with its fingerprint `key:n`, in report order (`Finding.sort_key`)."""
    seen: Counter[str] = Counter()
    out = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        key = fingerprint_key(finding, source_line)
        seen[key] += 1
        out.append((finding, f"{key}:{seen[key]}"))
    return out

"""Baselines: adopt k8slint on a repository with known findings, and fail only on new ones.

    {"version": 1, "findings": [{"rule": "...", "file": "k8s/app.yaml", "fingerprint": "..."}]}

`file` is relative to the project root, so the baseline works from any directory. A finding
matches the baseline when its fingerprint (`lint/fingerprint.py`: rule, path, line text and
message, never the line number) is listed: lines inserted above it keep it matched. The n-th
identical finding has the fingerprint `key:n`, so a second copy of a baselined finding is new.
Entries are sorted and the file ends with a newline: re-writing an unchanged baseline gives the
same bytes, and a diff of it in review shows what was fixed or accepted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from k8slint.lint.findings import ConfigError, Finding
from k8slint.lint.fingerprint import SourceLine, fingerprints

VERSION = 1


def dump_baseline(findings: Iterable[Finding], source_line: SourceLine) -> str:
    """The baseline file's text recording `findings`."""
    entries = sorted(
        (
            {"rule": finding.rule, "file": finding.loc.path, "fingerprint": fingerprint}
            for finding, fingerprint in fingerprints(findings, source_line)
        ),
        key=lambda e: (e["file"], e["rule"], e["fingerprint"]),
    )
    return json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file records; ConfigError when it is missing or malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror or exc}", str(path)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"baseline is not valid JSON: {exc}", str(path)) from exc
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ConfigError(f"not a k8slint baseline (expected version {VERSION})", str(path))
    entries = data.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise ConfigError(
            "baseline 'findings' must be a list of {rule, file, fingerprint}", str(path)
        )
    return frozenset(e["fingerprint"] for e in entries)


def new_findings(
    findings: Iterable[Finding], baseline: frozenset[str], source_line: SourceLine
) -> list[Finding]:
    """The findings the baseline does not record, in report order."""
    return [
        f for f, fingerprint in fingerprints(findings, source_line) if fingerprint not in baseline
    ]

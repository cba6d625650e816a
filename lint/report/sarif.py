"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Locations are relative to the project root (`uriBaseId: "%SRCROOT%"`, and
`run.originalUriBaseIds` says where that root was), not to the current directory: code
scanning resolves paths against the repository root, whatever directory k8slint ran in.

`partialFingerprints` keep an alert the same alert while the file changes around it: they are
`lint/fingerprint.py`'s (rule, path, line text, message hashed, plus `:n` for the n-th identical
finding; no line numbers), the same values a baseline file records. The same value is
given as `primaryLocationLineHash`, the key GitHub reads (it computes its own when the key is
missing, but only if the upload action can read the file).

Inputs that could not be read and rule crashes go to `invocations[0].toolExecutionNotifications`,
and make `executionSuccessful` false.
"""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from k8slint.lint.docs import sections
from k8slint.lint.findings import Finding, LintError, LintResult, Severity
from k8slint.lint.fingerprint import fingerprints
from k8slint.lint.locate import Loc
from k8slint.lint.report import ReportContext
from k8slint.lint.rule import Rule

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/k8slint/k8slint"
FINGERPRINT_KEY = "k8slintFingerprint/v1"
_BASE = "%SRCROOT%"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(result: LintResult, ctx: ReportContext) -> str:
    rule_index = {rule.id: i for i, rule in enumerate(ctx.rules)}
    results = [
        _result(finding, rule_index, fingerprint)
        for finding, fingerprint in fingerprints(result.findings, ctx.source_line)
    ]
    errors = sorted(result.errors, key=lambda e: (e.path, e.line, e.message))
    run = {
        "tool": {
            "driver": {
                "name": "k8slint",
                "version": ctx.version,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule) for rule in ctx.rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": [_notification(e) for e in errors],
            }
        ],
        "originalUriBaseIds": {_BASE: {"uri": _root_uri(ctx.root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def _descriptor(rule: Rule) -> dict[str, Any]:
    doc = inspect.cleandoc(rule.doc or "") or rule.summary
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": sections(rule).get("What it finds") or rule.summary},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
    }
    if rule.aliases:
        descriptor["deprecatedIds"] = list(rule.aliases)
    return descriptor


def _result(finding: Finding, rule_index: dict[str, int], fingerprint: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        entry["ruleIndex"] = rule_index[finding.rule]
    entry["level"] = _LEVEL[finding.severity]
    entry["message"] = {"text": finding.message}
    entry["locations"] = [{"physicalLocation": _physical(finding.loc)}]
    if finding.related:
        entry["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(r.loc), "message": {"text": r.message}}
            for i, r in enumerate(finding.related, start=1)
        ]
    entry["partialFingerprints"] = {
        FINGERPRINT_KEY: fingerprint,
        "primaryLocationLineHash": fingerprint,
    }
    return entry


def _physical(loc: Loc) -> dict[str, Any]:
    region = {"startLine": loc.line, "startColumn": loc.col}
    if (loc.end_line, loc.end_col) > (loc.line, loc.col):
        region |= {"endLine": loc.end_line, "endColumn": loc.end_col}
    return {"artifactLocation": _artifact(loc.path), "region": region}


def _artifact(path: str) -> dict[str, str]:
    return {"uri": quote(path, safe="/"), "uriBaseId": _BASE}


def _notification(error: LintError) -> dict[str, Any]:
    note: dict[str, Any] = {"level": "error", "message": {"text": error.message}}
    if error.path:
        physical: dict[str, Any] = {"artifactLocation": _artifact(error.path)}
        if error.line:
            physical["region"] = {"startLine": error.line}
        note["locations"] = [{"physicalLocation": physical}]
    return note


def _root_uri(root: Path) -> str:
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"

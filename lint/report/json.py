"""The JSON report: a stable, documented shape for scripts.

    {"tool": "k8slint", "version": "0.1.0",
     "findings": [{"rule", "severity", "file", "line", "column", "message",
                   ["end_line", "end_column",] "related": [{"file", "line", "column", "message"}]}],
     "errors": [{"file", "line", "message"}],
     "summary": {"files", "documents", "errors", "warnings", "infos"}}

Paths are relative to the current directory with forward slashes; lines and columns are
1-based. `end_line`/`end_column` appear only when the finding covers a span (the end is
exclusive, like the start of the next character); a point finding has neither. Fixes are not
part of this format. `summary.errors/warnings/infos` count findings by severity; `errors`
lists inputs that could not be read or rules that crashed (`line` 0: no line, `file` "": no
file). Findings are sorted by file, line, column, rule; the output is byte-identical for the
same result.
"""

from __future__ import annotations

import json
from typing import Any

from k8slint.lint.findings import Finding, LintResult, Severity
from k8slint.lint.report import ReportContext


def render(result: LintResult, ctx: ReportContext) -> str:
    counts = {severity: 0 for severity in Severity}
    for finding in result.findings:
        counts[finding.severity] += 1
    errors = sorted(
        (
            {"file": ctx.display_path(e.path), "line": e.line, "message": e.message}
            for e in result.errors
        ),
        key=lambda e: (e["file"], e["line"], e["message"]),
    )
    document = {
        "tool": "k8slint",
        "version": ctx.version,
        "findings": [_finding(f, ctx) for f in ctx.ordered(result.findings)],
        "errors": errors,
        "summary": {
            "files": result.files,
            "documents": result.documents,
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
        },
    }
    return json.dumps(document, indent=2) + "\n"


def _finding(finding: Finding, ctx: ReportContext) -> dict[str, Any]:
    loc = finding.loc
    entry: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "file": ctx.display_path(loc.path),
        "line": loc.line,
        "column": loc.col,
    }
    if (loc.end_line, loc.end_col) > (loc.line, loc.col):
        entry["end_line"] = loc.end_line
        entry["end_column"] = loc.end_col
    entry["message"] = finding.message
    entry["related"] = [
        {
            "file": ctx.display_path(r.loc.path),
            "line": r.loc.line,
            "column": r.loc.col,
            "message": r.message,
        }
        for r in finding.related
    ]
    return entry

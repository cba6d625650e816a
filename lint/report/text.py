"""The human report: one ruff-style block per finding, then input errors, then a summary.

    k8s/app.yaml:12:19: error[missing-secret] secret 'db' is not defined; create it
       |
    12 |         secretName: db
       |                     ^^
       = k8s/kustomization.yaml:4:3: the overlay that builds it

The first line of a block is exactly `path:line:col: severity[rule] message`, which editors and
terminals turn into a link, so it is never wrapped. The frame shows the offending line with a
caret under the span (one caret when the span is empty or ends on another line); a file that
cannot be read any more gets the first line only. Colour comes only with `ctx.color`; without
it the output holds no escape sequence, not even one read from a linted file (control
characters are shown as `\\xNN`).
"""

from __future__ import annotations

import io
import unicodedata

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from k8slint.lint.findings import Finding, LintError, LintResult, Severity
from k8slint.lint.report import ReportContext

WIDTH = 100  # fixed so that the output does not depend on the terminal
TAB_SIZE = 4
_SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "bold cyan",
}
_GUTTER = "bold blue"


def render(result: LintResult, ctx: ReportContext) -> str:
    blocks = [_finding(f, ctx) for f in ctx.ordered(result.findings)]
    errors = sorted(result.errors, key=lambda e: (ctx.display_path(e.path), e.line, e.message))
    if errors:
        blocks.append([_error(e, ctx) for e in errors])
    blocks.append([_summary(result)])
    out = io.StringIO()
    console = Console(
        file=out,
        width=WIDTH,
        force_terminal=ctx.color,
        force_jupyter=False,
        force_interactive=False,
        color_system="standard" if ctx.color else None,
        no_color=not ctx.color,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
    )
    for i, block in enumerate(blocks):
        if i:
            console.print(soft_wrap=True)
        for line in block:
            console.print(line, soft_wrap=True)
    return out.getvalue()


def _finding(finding: Finding, ctx: ReportContext) -> list[Text]:
    loc = finding.loc
    style = _SEVERITY_STYLE[finding.severity]
    lines = [
        Text.assemble(
            (f"{_printable(ctx.display_path(loc.path))}:{loc.line}:{loc.col}:", "bold"),
            " ",
            (f"{finding.severity.value}[{finding.rule}]", style),
            " ",
            _printable(finding.message),
        )
    ]
    gutter = " " * len(str(loc.line))
    source = ctx.source_line(loc.path, loc.line)
    if source is not None:
        start = _display(source[: loc.col - 1]).ljust(loc.col - 1)
        end = _display(source[: loc.end_col - 1]) if loc.end_line == loc.line else ""
        carets = "^" * max(1, cell_len(end) - cell_len(start))
        lines += [
            Text(f"{gutter} |", _GUTTER),
            Text.assemble((f"{loc.line} |", _GUTTER), " ", _display(source)),
            Text.assemble((f"{gutter} |", _GUTTER), " " + " " * cell_len(start), (carets, style)),
        ]
    for related in finding.related:
        where = f"{ctx.display_path(related.loc.path)}:{related.loc.line}:{related.loc.col}"
        lines.append(
            Text.assemble(
                (f"{gutter} =", _GUTTER), f" {_printable(where)}: {_printable(related.message)}"
            )
        )
    return lines


def _error(error: LintError, ctx: ReportContext) -> Text:
    where = ctx.display_path(error.path)
    if where and error.line:
        where += f":{error.line}"
    head = Text.assemble((f"{_printable(where)}:", "bold"), " ") if where else Text()
    return Text.assemble(head, ("error:", "bold red"), " ", _printable(error.message))


def _summary(result: LintResult) -> Text:
    files = _count(result.files, "file")
    if not result.findings and not result.errors:
        return Text(
            f"All checks passed: {files}, {_count(result.documents, 'document')}.", "bold green"
        )
    by_severity = {severity: 0 for severity in Severity}
    for finding in result.findings:
        by_severity[finding.severity] += 1
    counts = ", ".join(_count(by_severity[s], s.value) for s in Severity)
    failures = (
        f", and {_count(len(result.errors), 'load or rule failure')}" if result.errors else ""
    )
    return Text(f"Found {counts} in {files}{failures}.", "bold")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _display(source: str) -> str:
    """A source line as it is drawn: tabs expanded, control characters made visible."""
    return _printable(source.rstrip("\r\n").expandtabs(TAB_SIZE))


def _printable(text: str) -> str:
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in text)

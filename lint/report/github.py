"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request diff.

    ::error file=k8s/app.yaml,line=12,col=7,endLine=12,endColumn=9,title=k8slint (rule)::message

`::warning` for warnings, `::notice` for infos; related locations follow the message as
`  = path:line:col: label` lines. Inputs that could not be read, and rule crashes, become
`::error file=F,line=L::message` (no `line` when unknown, no `file` for a rule crash). Paths are
relative to the current directory, which in a workflow is the checkout. Escaping follows
@actions/core's command.ts: in the message `%`, CR and LF are percent-encoded; in property
values `:` and `,` are too, since they delimit the properties.
"""

from __future__ import annotations

from k8slint.lint.findings import Finding, LintResult, Severity
from k8slint.lint.report import ReportContext

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))


def render(result: LintResult, ctx: ReportContext) -> str:
    lines = [_annotation(f, ctx) for f in ctx.ordered(result.findings)]
    for error in sorted(result.errors, key=lambda e: (ctx.display_path(e.path), e.line, e.message)):
        props: list[tuple[str, object]] = []
        if error.path:
            props.append(("file", ctx.display_path(error.path)))
            if error.line:
                props.append(("line", error.line))
        lines.append(_command("error", props, error.message))
    return "".join(line + "\n" for line in lines)


def _annotation(finding: Finding, ctx: ReportContext) -> str:
    loc = finding.loc
    props: list[tuple[str, object]] = [
        ("file", ctx.display_path(loc.path)),
        ("line", loc.line),
        ("col", loc.col),
    ]
    if (loc.end_line, loc.end_col) > (loc.line, loc.col):
        props += [("endLine", loc.end_line), ("endColumn", loc.end_col)]
    props.append(("title", f"k8slint ({finding.rule})"))
    message = finding.message + "".join(
        f"\n  = {ctx.display_path(r.loc.path)}:{r.loc.line}:{r.loc.col}: {r.message}"
        for r in finding.related
    )
    return _command(_COMMAND[finding.severity], props, message)


def _command(name: str, props: list[tuple[str, object]], message: str) -> str:
    joined = ",".join(f"{key}={_escape(str(value), _PROPERTY_ESCAPES)}" for key, value in props)
    return f"::{name}{' ' + joined if joined else ''}::{_escape(message, _DATA_ESCAPES)}"


def _escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for char, code in escapes:  # "%" first, so that the codes added later stay intact
        text = text.replace(char, code)
    return text

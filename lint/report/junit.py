"""JUnit XML, for CI systems that show test reports (GitLab merge requests, Jenkins, Azure).

    <testsuites name="k8slint" tests="2" failures="1" errors="1">
      <testsuite name="k8slint" tests="2" failures="1" errors="1" skipped="0">
        <testcase classname="missing-secret" name="k8s/app.yaml:10:29" file="k8s/app.yaml"
                  line="10">
          <failure type="missing-secret" message="secret 'db' is not defined; ...">...</failure>
        </testcase>
        <testcase classname="k8slint" name="k8s/bad.yaml:3" file="k8s/bad.yaml" line="3">
          <error type="input" message="..."/>
        </testcase>
      </testsuite>
    </testsuites>

One testcase per finding, not per file: GitLab and Jenkins list failed testcases by name and
show only the first failure of each, so a file with three findings would hide two. The rule
id is the `classname` (Jenkins groups by it; it holds no dots, which Jenkins would read as
packages) and `path:line:col` the name. Every finding is a `<failure>` whatever its severity
(the severity is in the body); inputs that could not be read and rule crashes are `<error>`s.
A clean run is one passing testcase, so the report is never an empty suite (which some CI
systems flag). No timestamps or durations: the same result gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from k8slint.lint.findings import Finding, LintError, LintResult
from k8slint.lint.report import ReportContext

# Characters XML 1.0 cannot hold, even escaped; a message quoting a binary file could have them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(result: LintResult, ctx: ReportContext) -> str:
    cases = [_finding_case(f, ctx) for f in ctx.ordered(result.findings)]
    errors = sorted(result.errors, key=lambda e: (ctx.display_path(e.path), e.line, e.message))
    cases += [_error_case(e, ctx) for e in errors]
    if not cases:
        cases.append(ET.Element("testcase", {"classname": "k8slint", "name": "no findings"}))
    counts = {
        "tests": str(len(cases)),
        "failures": str(len(result.findings)),
        "errors": str(len(errors)),
    }
    suites = ET.Element("testsuites", {"name": "k8slint", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "k8slint", **counts, "skipped": "0"})
    suite.extend(cases)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _finding_case(finding: Finding, ctx: ReportContext) -> ET.Element:
    loc = finding.loc
    path = ctx.display_path(loc.path)
    case = ET.Element(
        "testcase",
        {
            "classname": finding.rule,
            "name": f"{path}:{loc.line}:{loc.col}",
            "file": path,
            "line": str(loc.line),
        },
    )
    failure = ET.SubElement(
        case, "failure", {"type": finding.rule, "message": _clean(finding.message)}
    )
    body = [
        f"{path}:{loc.line}:{loc.col}: {finding.severity.value}[{finding.rule}] {finding.message}"
    ]
    body += [
        f"  = {ctx.display_path(r.loc.path)}:{r.loc.line}:{r.loc.col}: {r.message}"
        for r in finding.related
    ]
    failure.text = _clean("\n".join(body))
    return case


def _error_case(error: LintError, ctx: ReportContext) -> ET.Element:
    path = ctx.display_path(error.path)
    attrs = {"classname": "k8slint", "name": path or "rule crash"}
    if path:
        attrs["file"] = path
    if path and error.line:
        attrs |= {"name": f"{path}:{error.line}", "line": str(error.line)}
    case = ET.Element("testcase", attrs)
    kind = "input" if path else "crash"
    ET.SubElement(case, "error", {"type": kind, "message": _clean(error.message)})
    return case


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)

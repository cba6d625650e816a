"""The JUnit XML report: one testcase per finding, errors as <error>, a passing case when clean."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from k8slint.lint.findings import Finding, LintError, LintResult, Related, Severity
from k8slint.lint.locate import Loc
from k8slint.lint.report import ReportContext
from k8slint.lint.report import junit as junit_report

SECRET = Finding(
    "missing-secret",
    Severity.ERROR,
    Loc("k8s/app.yaml", 10, 29, 10, 31),
    "secret 'db' is not defined; add it or fix <the> name",
    related=(Related(Loc.point("compose.yaml", 2, 3), "compose service web expects it"),),
)
LATEST = Finding(
    "latest-tag", Severity.WARNING, Loc.point("k8s/app.yaml", 8, 14), "image web:latest\x1b moves"
)


def _ctx(root: Path) -> ReportContext:
    return ReportContext(
        root=root,
        cwd=root,
        version="1.2.3",
        rules=(),
        color=False,
        source_line=lambda rel, line: None,
    )


def _tree(result: LintResult, root: Path) -> ET.Element:
    text = junit_report.render(result, _ctx(root))
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites")
    return ET.fromstring(text.encode("utf-8"))


def test_one_testcase_per_finding_and_error(tmp_path: Path) -> None:
    result = LintResult(
        findings=[SECRET, LATEST],
        errors=[
            LintError("k8s/broken.yaml", 2, "could not parse YAML"),
            LintError.from_rule_crash("latest-tag", KeyError("x")),
        ],
    )
    suites = _tree(result, tmp_path)
    counts = {"tests": "4", "failures": "2", "errors": "2"}
    assert suites.tag == "testsuites"
    assert suites.attrib == {"name": "k8slint", **counts}
    (suite,) = suites
    assert suite.attrib == {"name": "k8slint", **counts, "skipped": "0"}
    cases = [(c.attrib, [(child.tag, child.attrib, child.text) for child in c]) for c in suite]
    assert cases == [
        (
            {"classname": "latest-tag", "name": "k8s/app.yaml:8:14", "file": "k8s/app.yaml",
             "line": "8"},
            [("failure", {"type": "latest-tag", "message": "image web:latest\ufffd moves"},
              "k8s/app.yaml:8:14: warning[latest-tag] image web:latest\ufffd moves")],
        ),
        (
            {"classname": "missing-secret", "name": "k8s/app.yaml:10:29",
             "file": "k8s/app.yaml", "line": "10"},
            [("failure",
              {"type": "missing-secret",
               "message": "secret 'db' is not defined; add it or fix <the> name"},
              "k8s/app.yaml:10:29: error[missing-secret] secret 'db' is not defined; add it or"
              " fix <the> name\n  = compose.yaml:2:3: compose service web expects it")],
        ),
        (
            {"classname": "k8slint", "name": "rule crash"},
            [("error", {"type": "crash", "message": "rule latest-tag crashed: KeyError: 'x'"},
              None)],
        ),
        (
            {"classname": "k8slint", "name": "k8s/broken.yaml:2", "file": "k8s/broken.yaml",
             "line": "2"},
            [("error", {"type": "input", "message": "could not parse YAML"}, None)],
        ),
    ]  # fmt: skip


def test_clean_run_is_one_passing_testcase(tmp_path: Path) -> None:
    suites = _tree(LintResult(), tmp_path)
    (suite,) = suites
    assert suite.attrib == {
        "name": "k8slint", "tests": "1", "failures": "0", "errors": "0", "skipped": "0"
    }  # fmt: skip
    (case,) = suite
    assert case.attrib == {"classname": "k8slint", "name": "no findings"}
    assert list(case) == []


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = junit_report.render(LintResult([SECRET, LATEST]), _ctx(tmp_path))
    assert junit_report.render(LintResult([LATEST, SECRET]), _ctx(tmp_path)) == first

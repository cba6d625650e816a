"""The output formats, each checked against a literal over a small project on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema.validators
import pytest

from k8slint.lint.findings import Finding, LintError, LintResult, Related, Severity
from k8slint.lint.locate import Loc
from k8slint.lint.report import FORMATS, ReportContext, render
from k8slint.lint.report import github as github_report
from k8slint.lint.report import json as json_report
from k8slint.lint.report import junit as junit_report
from k8slint.lint.report import sarif as sarif_report
from k8slint.lint.report import text as text_report
from k8slint.lint.rule import Rule

SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"

APP_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: web:latest
      envFrom:
        - secretRef: {name: db}
"""
COMPOSE_YAML = """\
services:
  web:
    image: web:latest
"""

RULES = (
    Rule(
        "compose-hint",
        Severity.INFO,
        "An image that compose also builds.\n\n"
        "## What it finds\nA compose-built image in a manifest.\n",
    ),
    Rule(
        "latest-tag",
        Severity.WARNING,
        "An image pinned to latest.\n\n"
        "## What it finds\nimage: x:latest\n\n## Why it breaks\nIt moves.\n",
        aliases=("image-latest",),
    ),
    Rule("missing-secret", Severity.ERROR, "A Secret nobody defines.\n"),
)

MISSING_SECRET = Finding(
    "missing-secret",
    Severity.ERROR,
    Loc("k8s/app.yaml", 10, 29, 10, 31),
    "secret 'db' is not defined; add it or fix the name",
    related=(Related(Loc.point("compose.yaml", 2, 3), "compose service web expects it"),),
)
LATEST_TAG = Finding(
    "latest-tag",
    Severity.WARNING,
    Loc("k8s/app.yaml", 8, 14, 8, 24),
    "image web:latest uses the mutable tag latest; pin a version",
)
COMPOSE_HINT = Finding(
    "compose-hint",
    Severity.INFO,
    Loc.point("compose.yaml", 1, 1),
    "image web:latest is built by compose service web",
)


def _result() -> LintResult:
    return LintResult(
        findings=[MISSING_SECRET, LATEST_TAG, COMPOSE_HINT],  # not in report order on purpose
        errors=[
            LintError("k8s/broken.yaml", 2, "could not parse YAML: mapping values are not allowed"),
            LintError.from_rule_crash("compose-hint", KeyError("services")),
        ],
        files=3,
        documents=4,
    )


def _context(root: Path, cwd: Path | None = None, color: bool = False) -> ReportContext:
    def source_line(rel: str, line: int) -> str | None:
        try:
            lines = (root / rel).read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        return lines[line - 1] if 0 < line <= len(lines) else None

    return ReportContext(
        root=root,
        cwd=cwd or root,
        version="1.2.3",
        rules=RULES,
        color=color,
        source_line=source_line,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "k8s").mkdir(parents=True)
    (root / "k8s" / "app.yaml").write_text(APP_YAML, encoding="utf-8")
    (root / "compose.yaml").write_text(COMPOSE_YAML, encoding="utf-8")
    return root


def test_display_path_is_relative_to_cwd_with_forward_slashes(project: Path) -> None:
    ctx = _context(project, cwd=project / "k8s")
    assert ctx.display_path("k8s/app.yaml") == "app.yaml"
    assert ctx.display_path("compose.yaml") == "../compose.yaml"
    assert _context(project).display_path("k8s/app.yaml") == "k8s/app.yaml"
    assert ctx.display_path("") == ""


def test_render_dispatches_by_format_name(project: Path) -> None:
    ctx = _context(project)
    modules = {
        "text": text_report,
        "json": json_report,
        "sarif": sarif_report,
        "github": github_report,
        "junit": junit_report,
    }
    assert set(FORMATS) == set(modules)
    for fmt, module in modules.items():
        assert render(fmt, _result(), ctx) == module.render(_result(), ctx)
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render("xml", _result(), ctx)


def test_importing_the_reporters_does_not_load_rich() -> None:
    code = "import sys, k8slint.lint.report; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- json ---------------------------------------------------------------------------------


def test_json_is_the_documented_shape_sorted_and_relative_to_cwd(project: Path) -> None:
    text = render("json", _result(), _context(project, cwd=project / "k8s"))
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "tool": "k8slint",
        "version": "1.2.3",
        "findings": [
            {
                "rule": "compose-hint",
                "severity": "info",
                "file": "../compose.yaml",
                "line": 1,
                "column": 1,
                "message": "image web:latest is built by compose service web",
                "related": [],
            },
            {
                "rule": "latest-tag",
                "severity": "warning",
                "file": "app.yaml",
                "line": 8,
                "column": 14,
                "end_line": 8,
                "end_column": 24,
                "message": "image web:latest uses the mutable tag latest; pin a version",
                "related": [],
            },
            {
                "rule": "missing-secret",
                "severity": "error",
                "file": "app.yaml",
                "line": 10,
                "column": 29,
                "end_line": 10,
                "end_column": 31,
                "message": "secret 'db' is not defined; add it or fix the name",
                "related": [
                    {
                        "file": "../compose.yaml",
                        "line": 2,
                        "column": 3,
                        "message": "compose service web expects it",
                    }
                ],
            },
        ],
        "errors": [
            {"file": "", "line": 0, "message": "rule compose-hint crashed: KeyError: 'services'"},
            {
                "file": "broken.yaml",
                "line": 2,
                "message": "could not parse YAML: mapping values are not allowed",
            },
        ],
        "summary": {"files": 3, "documents": 4, "errors": 1, "warnings": 1, "infos": 1},
    }


def test_json_is_byte_identical_whatever_the_input_order(project: Path) -> None:
    ctx = _context(project)
    shuffled = _result()
    shuffled.findings.reverse()
    shuffled.errors.reverse()
    assert render("json", shuffled, ctx) == render("json", _result(), ctx)


# --- sarif --------------------------------------------------------------------------------


def _sarif(project: Path, result: LintResult) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(
        render("sarif", result, _context(project, cwd=project / "k8s"))
    )
    return log


def test_sarif_validates_against_the_official_schema(project: Path) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    validator.validate(_sarif(project, _result()))
    validator.validate(_sarif(project, LintResult()))


def test_sarif_describes_rules_results_and_errors(project: Path) -> None:
    log = _sarif(project, _result())
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("k8slint", "1.2.3")
    assert driver["informationUri"] == "https://github.com/k8slint/k8slint"
    assert driver["rules"][1] == {
        "id": "latest-tag",
        "shortDescription": {"text": "An image pinned to latest"},
        "fullDescription": {"text": "image: x:latest"},
        "help": {"text": RULES[1].doc.strip(), "markdown": RULES[1].doc.strip()},  # type: ignore[union-attr]
        "defaultConfiguration": {"level": "warning"},
        "deprecatedIds": ["image-latest"],
    }
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "note"}
    assert driver["rules"][2]["fullDescription"] == {"text": "A Secret nobody defines"}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": project.as_uri() + "/"}}

    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert [r["ruleId"] for r in run["results"]] == ["compose-hint", "latest-tag", "missing-secret"]
    secret = by_rule["missing-secret"]
    assert (secret["ruleIndex"], secret["level"]) == (2, "error")
    assert secret["message"] == {"text": "secret 'db' is not defined; add it or fix the name"}
    assert secret["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "k8s/app.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 10, "startColumn": 29, "endLine": 10, "endColumn": 31},
            }
        }
    ]
    assert secret["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "compose.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 3},
            },
            "message": {"text": "compose service web expects it"},
        }
    ]
    assert by_rule["compose-hint"]["level"] == "note"

    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": "rule compose-hint crashed: KeyError: 'services'"}},
        {
            "level": "error",
            "message": {"text": "could not parse YAML: mapping values are not allowed"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "k8s/broken.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 2},
                    }
                }
            ],
        },
    ]
    assert _sarif(project, LintResult())["runs"][0]["invocations"][0]["executionSuccessful"] is True


def _fingerprints(log: dict[str, Any]) -> dict[str, str]:
    prints = {}
    for result in log["runs"][0]["results"]:
        partial = result["partialFingerprints"]
        assert partial["primaryLocationLineHash"] == partial["k8slintFingerprint/v1"]
        prints[result["ruleId"]] = partial["k8slintFingerprint/v1"]
    return prints


def _shifted(finding: Finding, lines: int) -> Finding:
    loc = finding.loc
    return Finding(
        finding.rule,
        finding.severity,
        loc._replace(line=loc.line + lines, end_line=loc.end_line + lines),
        finding.message,
        finding.related,
    )


def test_sarif_fingerprints_survive_lines_inserted_above(project: Path) -> None:
    before = _fingerprints(_sarif(project, LintResult([MISSING_SECRET, LATEST_TAG])))
    (project / "k8s" / "app.yaml").write_text("\n\n# a comment\n" + APP_YAML, encoding="utf-8")
    moved = LintResult([_shifted(MISSING_SECRET, 3), _shifted(LATEST_TAG, 3)])
    assert _fingerprints(_sarif(project, moved)) == before
    assert before["missing-secret"] != before["latest-tag"]


def test_sarif_fingerprints_differ_by_rule_and_by_occurrence(project: Path) -> None:
    same_spot = Finding("missing-secret", Severity.ERROR, LATEST_TAG.loc, LATEST_TAG.message)
    log = _sarif(project, LintResult([LATEST_TAG, same_spot]))
    prints = _fingerprints(log)
    assert prints["latest-tag"] != prints["missing-secret"]

    twin = Finding(
        LATEST_TAG.rule, LATEST_TAG.severity, LATEST_TAG.loc._replace(col=15), LATEST_TAG.message
    )
    results = _sarif(project, LintResult([LATEST_TAG, twin]))["runs"][0]["results"]
    first, second = (r["partialFingerprints"]["k8slintFingerprint/v1"] for r in results)
    assert first.split(":") == [second.split(":")[0], "1"]
    assert second.endswith(":2")


def test_sarif_is_byte_identical_across_runs(project: Path) -> None:
    ctx = _context(project)
    assert render("sarif", _result(), ctx) == render("sarif", _result(), ctx)


# --- github -------------------------------------------------------------------------------


def test_github_emits_one_workflow_command_per_finding_and_error(project: Path) -> None:
    odd = Finding(
        "missing-secret",
        Severity.ERROR,
        Loc.point("k8s/a:b,c.yaml", 3, 5),
        "100% broken,\nsee: docs\r",
        related=(Related(Loc.point("k8s/x.yaml", 1, 1), "defined here"),),
    )
    result = _result()
    result.findings.append(odd)
    assert render("github", result, _context(project, cwd=project / "k8s")).splitlines() == [
        "::notice file=../compose.yaml,line=1,col=1,title=k8slint (compose-hint)"
        "::image web:latest is built by compose service web",
        "::error file=a%3Ab%2Cc.yaml,line=3,col=5,title=k8slint (missing-secret)"
        "::100%25 broken,%0Asee: docs%0D%0A  = x.yaml:1:1: defined here",
        "::warning file=app.yaml,line=8,col=14,endLine=8,endColumn=24,title=k8slint (latest-tag)"
        "::image web:latest uses the mutable tag latest; pin a version",
        "::error file=app.yaml,line=10,col=29,endLine=10,endColumn=31,"
        "title=k8slint (missing-secret)::secret 'db' is not defined; add it or fix the name"
        "%0A  = ../compose.yaml:2:3: compose service web expects it",
        "::error::rule compose-hint crashed: KeyError: 'services'",
        "::error file=broken.yaml,line=2::could not parse YAML: mapping values are not allowed",
    ]


def test_github_omits_an_unknown_line(project: Path) -> None:
    result = LintResult(errors=[LintError("k8s/unreadable.yaml", 0, "permission denied")])
    assert render("github", result, _context(project)) == (
        "::error file=k8s/unreadable.yaml::permission denied\n"
    )


# --- text ---------------------------------------------------------------------------------

EXPECTED_TEXT = "\n".join(
    [
        "../compose.yaml:1:1: info[compose-hint] image web:latest is built by compose service web",
        "  |",
        "1 | services:",
        "  | ^",
        "",
        "app.yaml:8:14: warning[latest-tag] image web:latest uses the mutable tag latest;"
        " pin a version",
        "  |",
        "8 |       image: web:latest",
        "  |              ^^^^^^^^^^",
        "",
        "app.yaml:10:29: error[missing-secret] secret 'db' is not defined; add it or fix the name",
        "   |",
        "10 |         - secretRef: {name: db}",
        "   |                             ^^",
        "   = ../compose.yaml:2:3: compose service web expects it",
        "",
        "error: rule compose-hint crashed: KeyError: 'services'",
        "broken.yaml:2: error: could not parse YAML: mapping values are not allowed",
        "",
        "Found 1 error, 1 warning, 1 info in 3 files, and 2 load or rule failures.",
        "",
    ]
)


def test_text_draws_a_frame_per_finding_then_errors_then_a_summary(project: Path) -> None:
    assert render("text", _result(), _context(project, cwd=project / "k8s")) == EXPECTED_TEXT


def test_text_summary_when_clean(project: Path) -> None:
    result = LintResult(files=12, documents=30)
    assert (
        render("text", result, _context(project)) == "All checks passed: 12 files, 30 documents.\n"
    )
    one = LintResult(findings=[LATEST_TAG], files=1, documents=1)
    assert render("text", one, _context(project)).endswith(
        "\nFound 0 errors, 1 warning, 0 infos in 1 file.\n"
    )


def test_text_without_a_source_line_prints_the_header_only(project: Path) -> None:
    gone = Finding("latest-tag", Severity.WARNING, Loc.point("k8s/gone.yaml", 4, 2), "moved away")
    text = render("text", LintResult([gone], files=1), _context(project))
    assert text.splitlines()[:2] == ["k8s/gone.yaml:4:2: warning[latest-tag] moved away", ""]


def test_text_never_wraps_the_header_line(project: Path) -> None:
    message = "a long message " * 12
    finding = Finding("latest-tag", Severity.WARNING, LATEST_TAG.loc, message.strip())
    header = render("text", LintResult([finding], files=1), _context(project)).splitlines()[0]
    assert header == f"k8s/app.yaml:8:14: warning[latest-tag] {message.strip()}"


def test_text_expands_tabs_and_neutralises_control_characters(project: Path) -> None:
    (project / "odd.yaml").write_text("key:\tval\x1b[31mue\n", encoding="utf-8")
    finding = Finding("latest-tag", Severity.WARNING, Loc("odd.yaml", 1, 6, 1, 9), "odd \x1b[2J")
    text = render("text", LintResult([finding], files=1), _context(project))
    assert "\x1b" not in text
    assert text.splitlines()[:4] == [
        "odd.yaml:1:6: warning[latest-tag] odd \\x1b[2J",
        "  |",
        "1 | key:    val\\x1b[31mue",
        "  |         ^^^",
    ]


def test_text_colour_only_when_asked(project: Path) -> None:
    coloured = render("text", _result(), _context(project, color=True))
    plain = render("text", _result(), _context(project, color=False))
    assert "\x1b[" in coloured
    assert "\x1b" not in plain
    assert "app.yaml:10:29: error[missing-secret]" in plain

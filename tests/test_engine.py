"""The rule loop: per-unit runs merged with the overlays named, crashes isolated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

from k8slint.lint.config import Config
from k8slint.lint.engine import EnabledRule, run_rules
from k8slint.lint.findings import Finding, Severity
from k8slint.lint.load import Project, parse_text
from k8slint.lint.model.workspace import Unit, Workspace, k8s_objects
from k8slint.lint.rule import Rule

BASE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"
DEV = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n"


def _module(rule: Rule, check) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    return SimpleNamespace(RULE=rule, Options=None, check=check)


def _workspace() -> Workspace:
    base = k8s_objects(parse_text("k8s/base/cm.yaml", BASE))
    dev = k8s_objects(parse_text("k8s/overlays/dev/secret.yaml", DEV))
    units = (
        Unit(
            "k8s/overlays/dev",
            (*base, *dev),
            True,
            frozenset({"k8s/base/cm.yaml", "k8s/overlays/dev/secret.yaml"}),
        ),
        Unit("k8s/overlays/prod", tuple(base), True, frozenset({"k8s/base/cm.yaml"})),
    )
    return Workspace(Project(Path("/nonexistent")), Config(), (), units)


def _every_object(ws: Workspace, options: object) -> Iterator[Finding]:
    for obj in ws.objects:
        yield RULE.finding(obj.name_loc, f"{obj.kind} found")


RULE = Rule(id="demo", severity=Severity.WARNING, doc="Demo.")


def test_a_base_finding_is_reported_once_naming_its_overlays() -> None:
    findings, errors = run_rules(
        _workspace(), [EnabledRule(_module(RULE, _every_object), None, None)]
    )
    assert errors == []
    assert [(f.loc.path, f.message) for f in findings] == [
        ("k8s/base/cm.yaml", "ConfigMap found (in overlays k8s/overlays/dev, k8s/overlays/prod)"),
        ("k8s/overlays/dev/secret.yaml", "Secret found (in overlay k8s/overlays/dev)"),
    ]


def test_a_crashing_rule_is_an_error_and_the_others_still_run() -> None:
    def crash(ws: Workspace, options: object) -> Iterator[Finding]:
        raise KeyError("boom")
        yield  # pragma: no cover

    broken = Rule(id="broken", severity=Severity.ERROR, doc="Broken.")
    findings, errors = run_rules(
        _workspace(),
        [
            EnabledRule(_module(broken, crash), None, None),
            EnabledRule(_module(RULE, _every_object), Severity.ERROR, None),
        ],
    )
    assert [e.message for e in errors] == ["rule broken crashed: KeyError: 'boom'"]
    assert len(findings) == 2 and {f.severity for f in findings} == {Severity.ERROR}


def test_a_single_kustomization_is_not_named() -> None:
    ws = _workspace()
    ws.units = ws.units[:1]
    findings, _errors = run_rules(ws, [EnabledRule(_module(RULE, _every_object), None, None)])
    assert [f.message for f in findings] == ["ConfigMap found", "Secret found"]

"""The rule loop: per-unit runs merged with the overlays named, crashes isolated."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from k8slint.lint import engine, forked
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


# -- both cores: units shared with a forked child ------------------------------------------------

needs_fork = pytest.mark.skipif(not forked.available(), reason="forked rule runs are Linux-only")


@pytest.fixture
def fork_small_units(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a child take units of any size, so the tiny test workspace is shared out."""
    monkeypatch.setattr(engine, "MIN_FORKED_OBJECTS", 0)


def _in_child(parent: int) -> bool:
    return os.getpid() != parent


@needs_fork
@pytest.mark.usefixtures("fork_small_units")
def test_a_forked_run_gives_what_a_sequential_run_gives() -> None:
    parent = os.getpid()
    ran_in: set[str] = set()

    def every_object_noting_where(ws: Workspace, options: object) -> Iterator[Finding]:
        ran_in.add(f"{ws.unit.name}:{'child' if _in_child(parent) else 'parent'}")
        yield from _every_object(ws, options)

    rules = [
        EnabledRule(_module(RULE, every_object_noting_where), None, None),
        EnabledRule(_module(replace(RULE, id="demo-2"), _every_object), Severity.INFO, None),
    ]
    sequential = run_rules(_workspace(), rules)
    ran_in.clear()
    shared = run_rules(_workspace(), rules, jobs=2)
    assert shared == sequential
    # the child's own record of where it ran stays in the child: the parent ran one unit only
    assert ran_in == {"k8s/overlays/dev:parent"}


@needs_fork
@pytest.mark.usefixtures("fork_small_units")
def test_a_rule_crashing_in_the_child_is_reported_as_in_a_sequential_run() -> None:
    parent = os.getpid()

    def crash_in_child(ws: Workspace, options: object) -> Iterator[Finding]:
        if _in_child(parent):
            raise KeyError("boom")
        yield from _every_object(ws, options)

    broken = Rule(id="broken", severity=Severity.ERROR, doc="Broken.")
    findings, errors = run_rules(
        _workspace(), [EnabledRule(_module(broken, crash_in_child), None, None)], jobs=2
    )
    assert [e.message for e in errors] == ["rule broken crashed: KeyError: 'boom'"]
    assert findings == []


@needs_fork
@pytest.mark.usefixtures("fork_small_units")
def test_a_child_that_dies_has_its_share_done_by_the_parent() -> None:
    parent = os.getpid()

    def die_in_child(ws: Workspace, options: object) -> Iterator[Finding]:
        if _in_child(parent):
            os._exit(3)  # killed: no result comes back through the pipe
        yield from _every_object(ws, options)

    rules = [EnabledRule(_module(RULE, die_in_child), None, None)]
    assert run_rules(_workspace(), rules, jobs=2) == run_rules(_workspace(), rules)


@needs_fork
@pytest.mark.usefixtures("fork_small_units")
def test_files_a_child_reads_are_recorded_for_the_run_cache(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import os\n")
    ws = _workspace()
    ws.project = Project(tmp_path)
    parent = os.getpid()

    def read_in_child(ws: Workspace, options: object) -> Iterator[Finding]:
        if _in_child(parent):
            ws.project.read_text("app.py")
            ws.project.exists("absent.py")
        return iter(())

    run_rules(ws, [EnabledRule(_module(RULE, read_in_child), None, None)], jobs=2)
    assert "app.py" in ws.project.read_states
    assert "absent.py" in ws.project.probed


def test_units_are_shared_largest_first_and_light_groups_stay_home() -> None:
    def unit(name: str, size: int) -> Unit:
        return Unit(name, tuple(range(size)), True)  # type: ignore[arg-type]

    units = (unit("", 0), unit("a", 5_000), unit("b", 3_000), unit("c", 2_500), unit("d", 10))
    if forked.available():
        assert engine._share_units(units, 2) == [[0, 1, 4], [2, 3]]
        # a second child would get too little to be worth a process: its units stay here
        assert engine._share_units((unit("a", 5_000), unit("b", 900)), 2) == [[0, 1]]
    assert engine._share_units(units, 1) == [[0, 1, 2, 3, 4]]

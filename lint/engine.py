"""Run the enabled rules over a workspace: one loop, one crash never hides the other rules.

Unit-scoped rules run once per deployment unit. A finding found in several units (a base shared
by overlays) is reported once, naming the kustomize overlays whose build it occurs in.

With `jobs` above 1 on a large tree, the units are shared out between this process and forked
children (lint/forked.py); every outcome is put back in rule and unit order, so the result is
the same, byte for byte, as a sequential run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from k8slint.lint import forked
from k8slint.lint.findings import Finding, LintError, Severity
from k8slint.lint.model.workspace import Unit, Workspace
from k8slint.lint.progress import Progress
from k8slint.lint.rule import RuleModule

if TYPE_CHECKING:
    from k8slint.lint.cache import FileState

MIN_FORKED_OBJECTS = 1_000
"""A child process takes on units holding at least this many objects; on fewer, the fork and
the copy-on-write faults cost more than the half of the rule time they save."""

Outcome = list[Finding] | LintError  # one rule over one unit (or the workspace)
WORKSPACE = -1  # the unit index of a workspace-scoped rule's outcome


@dataclass(frozen=True)
class EnabledRule:
    module: RuleModule
    severity: Severity | None  # an override from config, else the rule's default
    options: Any


def run_rules(
    ws: Workspace,
    enabled: Sequence[EnabledRule],
    progress: Progress | None = None,
    jobs: int = 1,
) -> tuple[list[Finding], list[LintError]]:
    """Every enabled rule's findings, sorted; `progress(done, total, "checking")` per rule."""
    per_unit = {i for i, item in enumerate(enabled) if _unit_scoped(ws, item)}
    own, *others = _share_units(ws.units, jobs) if per_unit else [list(range(len(ws.units)))]
    children = []
    if others:
        ws.compose_projects()  # its load errors are recorded here, not in a child
        known = frozenset(ws.project.read_states)
        children = [
            (group, forked.Forked(partial(_child, ws, enabled, sorted(per_unit), group, known)))
            for group in others
        ]
    outcomes: dict[tuple[int, int], Outcome] = {}
    for done, item in enumerate(enabled):
        if progress is not None:
            progress(done, len(enabled), "checking")
        if done in per_unit:
            outcomes.update(_outcomes(ws, enabled, [done], own))
        else:
            outcomes[done, WORKSPACE] = _outcome(ws, item)
    if progress is not None:
        progress(len(enabled), len(enabled), "checking")
    for group, child in children:
        returned = child.result()
        if returned is None:  # the child failed: do its share here
            outcomes.update(_outcomes(ws, enabled, per_unit, group))
            continue
        child_outcomes, read_states, probed = returned
        outcomes.update(child_outcomes)
        ws.project.record_reads(read_states, probed)
    return _assemble(ws, enabled, outcomes)


def _unit_scoped(ws: Workspace, item: EnabledRule) -> bool:
    return item.module.RULE.scope != "workspace" and bool(ws.units)


def _share_units(units: Sequence[Unit], jobs: int) -> list[list[int]]:
    """Unit indexes in up to `jobs` groups of about equal object counts, this process's first.

    Largest first, each to the lightest group; a group too light to be worth a child process
    goes back to this process.
    """
    groups: list[list[int]] = [[] for _ in range(max(1, jobs) if forked.available() else 1)]
    loads = [0] * len(groups)
    for index in sorted(range(len(units)), key=lambda i: -len(units[i].objects)):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += len(units[index].objects)
    own, *others = groups
    kept = [
        group for group, load in zip(others, loads[1:], strict=True) if load >= MIN_FORKED_OBJECTS
    ]
    for group in others:
        if group not in kept:
            own.extend(group)
    return [sorted(own), *(sorted(group) for group in kept)]


def _child(
    ws: Workspace,
    enabled: Sequence[EnabledRule],
    per_unit: Sequence[int],
    group: Sequence[int],
    known: frozenset[str],
) -> tuple[dict[tuple[int, int], Outcome], dict[str, FileState], set[str]]:
    """A child's share: its outcomes, and the files it read that the parent had not."""
    outcomes = _outcomes(ws, enabled, per_unit, group)
    project = ws.project
    read = {rel: state for rel, state in project.read_states.items() if rel not in known}
    return outcomes, read, project.probed


def _outcomes(
    ws: Workspace, enabled: Sequence[EnabledRule], rules: Iterable[int], units: Iterable[int]
) -> dict[tuple[int, int], Outcome]:
    return {
        (rule, unit): _outcome(ws.for_unit(ws.units[unit]), enabled[rule])
        for rule in rules
        for unit in units
    }


def _outcome(ws: Workspace, item: EnabledRule) -> Outcome:
    try:
        return list(item.module.check(ws, item.options))
    except Exception as exc:  # one buggy rule must not hide the others' findings
        return LintError.from_rule_crash(item.module.RULE.id, exc)


def _assemble(
    ws: Workspace, enabled: Sequence[EnabledRule], outcomes: dict[tuple[int, int], Outcome]
) -> tuple[list[Finding], list[LintError]]:
    """The outcomes in rule order, as a sequential run would have produced them."""
    findings: list[Finding] = []
    errors: list[LintError] = []
    for index, item in enumerate(enabled):
        outcome = outcomes.get((index, WORKSPACE))
        if outcome is None:
            outcome = _merge_units(ws, [outcomes[index, unit] for unit in range(len(ws.units))])
        if isinstance(outcome, LintError):
            errors.append(outcome)
            continue
        if item.severity is not None:
            outcome = [replace(f, severity=item.severity) for f in outcome]
        findings.extend(outcome)
    findings.sort(key=lambda f: f.sort_key)
    return findings, errors


def _merge_units(ws: Workspace, per_unit: Sequence[Outcome]) -> Outcome:
    """One rule's findings over every unit, each once; its first crash if it crashed in any."""
    occurrences: dict[tuple[Any, ...], tuple[Finding, list[Unit]]] = {}
    for unit, outcome in zip(ws.units, per_unit, strict=True):
        if isinstance(outcome, LintError):
            return outcome
        for finding in outcome:
            key = (finding.rule, finding.loc, finding.message)
            _first, units = occurrences.setdefault(key, (finding, []))
            units.append(unit)
    if sum(unit.kustomize for unit in ws.units) < 2:  # one kustomization: naming it adds nothing
        return [finding for finding, _units in occurrences.values()]
    return [_name_overlays(finding, units) for finding, units in occurrences.values()]


def _name_overlays(finding: Finding, units: Iterable[Unit]) -> Finding:
    """Append the overlays a finding occurs in, when its file is part of their builds."""
    names = sorted(u.name for u in units if u.kustomize and finding.loc.path in u.files)
    if not names:
        return finding
    label = "overlay" if len(names) == 1 else "overlays"
    return replace(finding, message=f"{finding.message} (in {label} {', '.join(names)})")

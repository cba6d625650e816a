"""Run the enabled rules over a workspace: one loop, one crash never hides the other rules.

Unit-scoped rules run once per deployment unit. A finding found in several units (a base shared
by overlays) is reported once, naming the kustomize overlays whose build it occurs in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from k8slint.lint.findings import Finding, LintError, Severity
from k8slint.lint.model.workspace import Unit, Workspace
from k8slint.lint.progress import Progress
from k8slint.lint.rule import RuleModule


@dataclass(frozen=True)
class EnabledRule:
    module: RuleModule
    severity: Severity | None  # an override from config, else the rule's default
    options: Any


def run_rules(
    ws: Workspace, enabled: Sequence[EnabledRule], progress: Progress | None = None
) -> tuple[list[Finding], list[LintError]]:
    """Every enabled rule's findings, sorted; `progress(done, total, "checking")` per rule."""
    findings: list[Finding] = []
    errors: list[LintError] = []
    for done, item in enumerate(enabled):
        if progress is not None:
            progress(done, len(enabled), "checking")
        rule = item.module.RULE
        try:
            if rule.scope == "workspace" or not ws.units:
                found = list(item.module.check(ws, item.options))
            else:
                found = _per_unit(ws, item)
        except Exception as exc:  # one buggy rule must not hide the others' findings
            errors.append(LintError.from_rule_crash(rule.id, exc))
            continue
        if item.severity is not None:
            found = [replace(f, severity=item.severity) for f in found]
        findings.extend(found)
    if progress is not None:
        progress(len(enabled), len(enabled), "checking")
    findings.sort(key=lambda f: f.sort_key)
    return findings, errors


def _per_unit(ws: Workspace, item: EnabledRule) -> list[Finding]:
    occurrences: dict[tuple[Any, ...], tuple[Finding, list[Unit]]] = {}
    for unit in ws.units:
        for finding in item.module.check(ws.for_unit(unit), item.options):
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

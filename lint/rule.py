"""What a rule is: its metadata (`Rule`) and the module shape the engine calls (`RuleModule`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from k8slint.lint.findings import Finding, Fix, Related, Severity
from k8slint.lint.locate import Loc

if TYPE_CHECKING:
    from k8slint.lint.model.workspace import Workspace

FixLevel = Literal["none", "safe", "unsafe"]
Scope = Literal["unit", "workspace"]


@dataclass(frozen=True)
class NoOptions:
    """The options of a rule that has none."""


@dataclass(frozen=True)
class Rule:
    """A rule's metadata; its docstring (the module's) is its manual.

    scope "unit": the rule judges one deployment unit at a time (a kustomize overlay's build,
    or the plain manifests); "workspace": once over everything (Grafana provisioning, compose).
    """

    id: str
    severity: Severity
    doc: str | None
    fix: FixLevel = "none"
    scope: Scope = "unit"
    aliases: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return (self.doc or "").strip().splitlines()[0].rstrip(".") if self.doc else self.id

    def finding(
        self,
        loc: Loc,
        message: str,
        *,
        related: Iterable[Related] = (),
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(self.id, severity or self.severity, loc, message, tuple(related), fix)


class RuleModule(Protocol):
    """A module under k8slint.rules: `RULE`, an `Options` dataclass, and `check`."""

    RULE: Rule
    Options: Any

    def check(self, ws: Workspace, options: Any) -> Iterable[Finding]: ...

"""Every rule k8slint runs, listed by hand and sorted by id: nothing registers itself."""

from __future__ import annotations

from k8slint.lint.rule import RuleModule
from k8slint.rules import invalid_suppression

ALL: tuple[RuleModule, ...] = tuple(
    sorted((invalid_suppression,), key=lambda m: m.RULE.id)  # type: ignore[arg-type]
)


def by_id(rule_id: str) -> RuleModule | None:
    """The rule with this id or alias."""
    for module in ALL:
        if rule_id == module.RULE.id or rule_id in module.RULE.aliases:
            return module
    return None

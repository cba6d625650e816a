"""What the user decided about findings: suppressions and the given-files filter.

Rules never see policy; it runs on their findings afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from k8slint.lint.findings import Finding
from k8slint.lint.suppress import ALL, Suppression


def apply_suppressions(
    findings: Iterable[Finding], suppressions: Iterable[Suppression], aliases: dict[str, str]
) -> list[Finding]:
    """Drop findings silenced by a comment or annotation naming their rule (or an alias)."""
    by_path: dict[str, list[Suppression]] = defaultdict(list)
    for suppression in suppressions:
        by_path[suppression.path].append(suppression)
    kept = []
    for finding in findings:
        if not any(
            s.covers(finding.loc) and _names(s, finding.rule, aliases)
            for s in by_path.get(finding.loc.path, ())
        ):
            kept.append(finding)
    return kept


def _names(suppression: Suppression, rule_id: str, aliases: dict[str, str]) -> bool:
    return any(
        given in (ALL, rule_id) or aliases.get(given) == rule_id for given in suppression.rule_ids
    )


def within(path: str, scopes: Sequence[str]) -> bool:
    """Whether a root-relative path lies inside one of the given root-relative paths."""
    return any(
        scope in ("", ".") or path == scope or path.startswith(scope + "/") for scope in scopes
    )

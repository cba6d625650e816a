"""Rule documentation, read from each rule module's docstring.

A docstring is the rule's manual: a one-line summary, then `## What it finds`, `## Why it
breaks`, `## Silent when`, `## Example`, `## Use instead` and, for fixable rules, `## Fix
safety`. `explain` prints it, `rules_table` lists the rules (also kept in the README), and the
SARIF reporter reads the same text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from k8slint.lint.rule import Rule

SECTIONS = ("What it finds", "Why it breaks", "Silent when", "Example", "Use instead", "Fix safety")
_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)


def sections(rule: Rule) -> dict[str, str]:
    """The docstring's sections by heading; "" holds the summary paragraph."""
    doc = (rule.doc or "").strip()
    parts = _HEADING.split(doc)
    found = {"": parts[0].strip()}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        found[heading.strip()] = body.strip()
    return found


def explain(rule: Rule, options: Any = None) -> str:
    """Markdown for `k8slint explain RULE`; `options` is the rule's Options dataclass, if any."""
    parts = sections(rule)
    lines = [f"# {rule.id} ({rule.severity.value})", "", parts[""], ""]
    for heading in SECTIONS:
        if heading in parts:
            lines += [f"## {heading}", "", parts[heading], ""]
    table = options_table(rule.id, options)
    if table:
        lines += ["## Options", "", table, ""]
    if rule.aliases:
        lines += [f"Also known as: {', '.join(rule.aliases)}", ""]
    lines += [
        "## Suppress",
        "",
        f"Add `# k8slint: ignore={rule.id}` at the end of the line (or alone on the line above),",
        f'or annotate the object with `k8slint.io/ignore: "{rule.id}"`; turn it off for the',
        f"project with `rules: {{{rule.id}: off}}` in .k8slint.yaml.",
        "",
    ]
    return "\n".join(lines)


def option_fields(options: Any) -> list[dataclasses.Field[Any]]:
    return list(dataclasses.fields(options)) if dataclasses.is_dataclass(options) else []


def options_table(rule_id: str, options: Any) -> str:
    """The options of a rule, generated from its Options dataclass (never written by hand)."""
    fields = option_fields(options)
    if not fields:
        return ""
    rows = ["| option | default | meaning |", "| --- | --- | --- |"]
    for item in fields:
        default = item.default if item.default is not dataclasses.MISSING else None
        shown = (
            "unset"
            if default is None
            else repr(default).lower()
            if isinstance(default, bool)
            else repr(default)
        )
        rows.append(
            f"| `{item.name.replace('_', '-')}` | {shown} | {item.metadata.get('doc', '')} |"
        )
    key = item.name.replace("_", "-")
    rows += ["", f"Set in .k8slint.yaml: `rules: {{{rule_id}: {{severity: error, {key}: ...}}}}`."]
    return "\n".join(rows)


def rules_table(rules: Sequence[Rule]) -> str:
    """A Markdown table of every rule: id, severity, fix, summary."""
    rows = ["| rule | severity | fix | what it finds |", "| --- | --- | --- | --- |"]
    for rule in sorted(rules, key=lambda r: r.id):
        rows.append(f"| `{rule.id}` | {rule.severity.value} | {rule.fix} | {rule.summary} |")
    return "\n".join(rows) + "\n"

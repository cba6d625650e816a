"""A suppression names a rule id that k8slint does not know.

## What it finds
`# k8slint: ignore=RULE` comments and `k8slint.io/ignore` annotations that name an unknown rule
id, usually a typo or a rule that was renamed without an alias.
## Why it breaks
A misspelt suppression silences nothing: the finding it was meant for stays, or worse, the
author believes a known risk is acknowledged when the linter never saw the acknowledgement.
## Silent when
Every id names a rule or one of its aliases, or is `all`.
## Example
```yaml
# file: k8s/app.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  DATA_DIR: /var/lib/app  # k8slint: ignore=configmap-mount-path
```
## Use instead
```yaml
# file: k8s/app.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  DATA_DIR: /var/lib/app  # k8slint: ignore=configmap-mount-path-mismatch
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.lint.suppress import ALL, suppressions

RULE = Rule(id="invalid-suppression", severity=Severity.WARNING, doc=__doc__, scope="workspace")
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    from k8slint.rules import by_id

    for suppression in suppressions(ws.project, ws.lintable_files()):
        for rule_id in suppression.rule_ids:
            if rule_id != ALL and by_id(rule_id) is None:
                yield RULE.finding(
                    suppression.loc,
                    f"suppression names unknown rule {rule_id!r}; see `k8slint rules` for the ids",
                )

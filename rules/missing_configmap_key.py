"""A pod reads a key that its ConfigMap does not have.

## What it finds
An env `configMapKeyRef.key` that the referenced ConfigMap lacks, when that ConfigMap is
defined in the deployment unit with visible keys (`data`, `binaryData`; in a kustomize build,
the `configMapGenerator` output). With several definitions of the name (namespaces left to
apply time), the key must be missing from all of them. A `configMap` volume's (or projected
source's) `items[].key` is configmap-mount-path-mismatch's business.
## Why it breaks
`CreateContainerConfigError: couldn't find key LOG_LEVEL in ConfigMap default/api-config`:
the container never starts.
## Silent when
The key exists; the reference is `optional: true`; the ConfigMap is not
defined in the unit (that is missing-configmap's business) or defines no key at all (filled in
later).
## Example
```yaml
# file: k8s/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:3.2.0
          env:
            - name: LOG_LEVEL
              valueFrom:
                configMapKeyRef:
                  name: api-config
                  key: LOG_LEVEL
# file: k8s/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  log_level: info
```
## Use instead
```yaml
# file: k8s/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  LOG_LEVEL: info
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._refs import key_findings

RULE = Rule(id="missing-configmap-key", severity=Severity.ERROR, doc=__doc__)

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    yield from key_findings(ws, RULE, "ConfigMap")

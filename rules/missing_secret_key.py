"""A pod reads a key that its Secret does not have.

## What it finds
An env `secretKeyRef.key`, or a `secret` volume's (or projected source's) `items[].key`, that
the referenced Secret lacks, when that Secret is defined in the deployment unit with visible
keys: a Secret's `data`/`stringData`, a SealedSecret's `encryptedData` (and template data), an
ExternalSecret's `data[].secretKey`, a kustomize `secretGenerator` (in a build, the generated
Secret with its keys). With several definitions of the name (namespaces left to apply time),
the key must be missing from all of them.
## Why it breaks
The app crashed at start with `KeyError: 'KIS_APP_KEY'`: the Secret had `KIS_APPKEY`. With a
`secretKeyRef` to a missing key the kubelet does not even start the container
(`CreateContainerConfigError: couldn't find key KIS_APP_KEY in Secret`).
## Silent when
The key exists; the reference is `optional: true` (or the volume is); the Secret is not
defined in the unit (that is missing-secret's business) or its keys are not visible
(`dataFrom`, templates, cert-manager, service-account tokens, an empty Secret filled in later).
## Example
```yaml
# file: k8s/trader.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: trader
spec:
  selector:
    matchLabels: {app: trader}
  template:
    metadata:
      labels: {app: trader}
    spec:
      containers:
        - name: trader
          image: ghcr.io/acme/trader:1.0.4
          env:
            - name: KIS_APP_KEY
              valueFrom:
                secretKeyRef:
                  name: kis-credentials
                  key: KIS_APP_KEY
# file: k8s/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: kis-credentials
type: Opaque
data:
  KIS_APPKEY: c2VjcmV0
```
## Use instead
```yaml
# file: k8s/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: kis-credentials
type: Opaque
data:
  KIS_APP_KEY: c2VjcmV0
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._refs import key_findings

RULE = Rule(id="missing-secret-key", severity=Severity.ERROR, doc=__doc__)

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    yield from key_findings(ws, RULE, "Secret")

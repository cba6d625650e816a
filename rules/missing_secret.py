"""A pod references a Secret that nothing in the manifests makes.

## What it finds
An env `secretKeyRef`, an `envFrom.secretRef`, a `secret` volume or a projected `secret`
source (containers and initContainers alike) naming a Secret that the deployment unit does
not make: no Secret, no SealedSecret whose `spec.template.metadata.name` (else its own name)
is that name, no ExternalSecret whose `spec.target.name` (else its own name) is, no kustomize
`secretGenerator` (a build carries its hash-suffixed Secret), no cert-manager Certificate
`secretName`, no Crossplane `writeConnectionSecretToRef`. A reference resolves in the
workload's namespace: a Secret with another explicit namespace does not count (the message
says so); an object without a namespace lands in the apply-time one and matches any. The
finding sits on the first reference of a workload to that name, and names the SealedSecret or
the close name that was probably meant.

Severity: error when the team keeps Secrets with these manifests; warning when it does not,
since then the Secret is most likely made by hand (`kubectl create secret ...` in a README).
"Kept with these manifests" is judged per application, not per unit, because one unit of
plain manifests can hold many repositories or examples: a kustomize build counts as one
application; in the plain manifests, Secret makers (Secret, SealedSecret, ExternalSecret,
cert-manager Certificate, a kustomize `secretGenerator`) in the workload's application subtree
count. That subtree is the parent of the manifest's directory (`deploy/app/x.yaml` ->
`deploy`), never above the top-level directory, so `k8s/app.yaml` and `k8s/secrets/db.yaml`
are one application while two examples under different folders are not. Config
`secrets.external: true` (or the rule option `secrets-external`) makes every missing Secret a
warning; the option set to false makes every one an error.
## Why it breaks
"observer-secrets not found": the SealedSecret controller created `obs-db-secret` (the
SealedSecret's template name), not `observer-secrets`, so both pods stayed in
`CreateContainerConfigError` and never started.
## Silent when
The Secret is made in the unit (see above) in the workload's namespace or without one; the
reference is `optional: true`; the name is a template (`{{ .Release.Name }}-db`, `${SECRET}`);
`imagePullSecrets` (that is missing-image-pull-secret's business).
## Example
```yaml
# file: k8s/observer.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: observer
spec:
  selector:
    matchLabels: {app: observer}
  template:
    metadata:
      labels: {app: observer}
    spec:
      containers:
        - name: observer
          image: ghcr.io/acme/observer:2.3.1
          envFrom:
            - secretRef:
                name: observer-secrets
# file: k8s/sealed.yaml
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: observer-secrets
spec:
  encryptedData:
    DB_PASSWORD: AgBy3i4OJSWK+PiTySYZZA==
  template:
    metadata:
      name: obs-db-secret
```
## Use instead
```yaml
# file: k8s/sealed.yaml
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: observer-secrets
spec:
  encryptedData:
    DB_PASSWORD: AgBy3i4OJSWK+PiTySYZZA==
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import Rule
from k8slint.rules._refs import object_findings

RULE = Rule(id="missing-secret", severity=Severity.ERROR, doc=__doc__)


@dataclass(frozen=True)
class Options:
    secrets_external: bool | None = field(
        default=None,
        metadata={
            "doc": "true: Secrets are made out of band, a missing one is a warning; false: it is"
            " always an error; unset: config `secrets.external`, else judged per application"
            " (warning when no Secret is kept with the workload's manifests)."
        },
    )


def check(ws: Workspace, options: Options) -> Iterator[Finding]:
    external = options.secrets_external
    if external is None and ws.config.secrets_external:
        external = True
    yield from object_findings(ws, RULE, "Secret", external)

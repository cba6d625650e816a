"""A pod references a ConfigMap that nothing in the manifests makes.

## What it finds
An env `configMapKeyRef`, an `envFrom.configMapRef`, a `configMap` volume or a projected
`configMap` source (containers and initContainers alike) naming a ConfigMap that the
deployment unit does not define: no ConfigMap object, no kustomize `configMapGenerator` (a
build carries the generated ConfigMap with its hash suffix, and kustomize rewrites the
references to it). A reference resolves in the workload's namespace: a ConfigMap with another
explicit namespace does not count (the message says so); an object without a namespace lands
in the apply-time one and matches any. The finding sits on the first reference of a workload
to that name and names a close name when there is one.
## Why it breaks
The pod stays in `CreateContainerConfigError` (`configmap "app-config" not found`) or its
volume in `FailedMount`; nothing starts until the ConfigMap exists.
Severity: error when the team keeps ConfigMaps with these manifests, warning when the
workload's application (judged as for missing-secret: the kustomize build, else the
manifest's application subtree) holds none, since it is then most likely made by hand
(`kubectl create configmap --from-file` in a tutorial).
## Silent when
The ConfigMap is defined in the unit, in the workload's namespace or without one; the
reference is `optional: true`; the name is a template (`{{ .Release.Name }}-config`);
ConfigMaps that controllers publish in every namespace (`kube-root-ca.crt`,
`istio-ca-root-cert`); a ConfigMap that an operator's custom resource of the same repository
probably makes (its name is part of the ConfigMap's), or that another workload's command or
args name (it creates it at run time).
## Example
```yaml
# file: k8s/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          volumeMounts:
            - name: conf
              mountPath: /etc/nginx/conf.d
      volumes:
        - name: conf
          configMap:
            name: web-nginx-conf
# file: k8s/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-nginx-config
data:
  default.conf: |
    server { listen 80; }
```
## Use instead
```yaml
# file: k8s/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-nginx-conf
data:
  default.conf: |
    server { listen 80; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._refs import object_findings

RULE = Rule(id="missing-configmap", severity=Severity.ERROR, doc=__doc__)

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    yield from object_findings(ws, RULE, "ConfigMap")

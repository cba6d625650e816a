"""A Service targets a port that the pods it selects do not declare.

## What it finds
A Service port whose `targetPort` (or, without one, its `port`) the selected pods do not offer:
a port name that no container of the selected pod templates declares, or a number that none
declares while every container of those pods declares its ports. The finding sits on the
`targetPort` value (on `port` when `targetPort` is absent).
## Why it breaks
A named `targetPort` is resolved against the pods' container port names; a pod without that
name gets no endpoint, so the Service answers nothing. A number the app does not listen on
(the app moved to 8080, the Service still forwards to 3000) makes every connection through
the Service fail with "connection refused", while the pods stay Ready.
## Silent when
The Service selects no pod template of the unit (service-selector-mismatch's business), or
one that an operator expands (it may add containers and ports); a number when some container
of the selected pods declares no ports at all (undeclared ports are legal), or when that
number appears in the container's command, args or env (a port configured by flag);
templated ports.
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
          image: registry.example.com/web:2.4.0
          ports:
            - name: http
              containerPort: 3000
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
```
## Use instead
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
          image: registry.example.com/web:2.4.0
          ports:
            - name: http
              containerPort: 3000
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.model.k8s import (
    PORT_NAME,
    Container,
    K8sObject,
    child,
    describe_ports,
    maps_in,
    namespaces_meet,
    sequence,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._refs import pod_refs
from k8slint.rules._services import (
    PodTemplate,
    ServicePort,
    selected_templates,
    service_ports,
)

RULE = Rule(id="service-port-mismatch", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for service in ws.of_kind("Service"):
        selected = selected_templates(ws, service)
        if not selected or not all(t.known and t.containers for t in selected):
            continue
        containers = [c for t in selected for c in t.containers]
        for port in service_ports(service):
            if _offered(port, selected, containers):
                continue
            if isinstance(port.target, int) and _configured(ws, selected, port.target):
                continue
            yield _finding(service, port, selected, containers)


def _offered(port: ServicePort, selected: list[PodTemplate], containers: list[Container]) -> bool:
    target = port.target
    if isinstance(target, str):
        if not PORT_NAME.fullmatch(target):
            return True  # a placeholder (`${PORT}`), not a port name
        return any(c.declares_port(target) for c in containers)
    if any(c.declares_port(target) for c in containers):
        return True
    serving = [c for t in selected for c in t.containers if c.runs_with_app]
    if any(not c.ports for c in serving):
        return True  # an undeclared port of a container that declares none is legal
    return any(c.mentions(target) for c in containers)


def _configured(ws: Workspace, selected: list[PodTemplate], number: int) -> bool:
    """Whether a ConfigMap the pods consume names the number (`endpoint: 0.0.0.0:5317`).

    Servers configured by file (the OpenTelemetry collector, SPIRE, nginx) listen on ports
    their config names; such ports are often left undeclared in the pod spec.
    """
    for template in selected:
        owner = template.owner
        for name in _configmaps_consumed(template):
            for obj in ws.find_any_namespace("ConfigMap", name):
                if not namespaces_meet(obj.namespace, owner.namespace):
                    continue
                for entry in obj.data_entries:
                    if entry.value and str(number) in re.findall(r"\d+", entry.value):
                        return True
    return False


def _configmaps_consumed(template: PodTemplate) -> set[str]:
    if template.pod is None:
        return set()
    refs = pod_refs(template.owner, template.pod)
    return {ref.name.value for ref in refs if ref.kind == "ConfigMap"}


def _finding(
    service: K8sObject, port: ServicePort, selected: list[PodTemplate], containers: list[Container]
) -> Finding:
    owners = sorted({f"{t.owner.kind} {t.owner.name!r}" for t in selected})
    declared = describe_ports((p.number, p.name) for c in containers for p in c.ports)
    field = "targetPort" if port.explicit else "port"
    shown = repr(port.target) if isinstance(port.target, str) else str(port.target)
    fix = (
        "point targetPort at a declared container port"
        if isinstance(port.target, int) or not declared
        else "use a declared port name or number"
    )
    if isinstance(port.target, int) and any(
        child(p, "hostPort") == port.target
        for c in containers
        for _i, p in maps_in(sequence(c.body, "ports"))
    ):
        declared = f"{declared}, with hostPort {port.target}, which a Service does not use"
    related = [
        Related(c.ports[0].loc, f"ports of container {c.name!r} ({c.owner.kind} {c.owner.name!r})")
        for c in containers
        if c.ports
    ]
    return RULE.finding(
        port.target_loc,
        f"service {service.name!r} {field} {shown} is not a port of {', '.join(owners)}"
        f" (declared: {declared or 'none'}); {fix}",
        related=related[:3],
    )

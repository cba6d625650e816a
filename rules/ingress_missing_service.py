"""An Ingress sends traffic to a Service, or a Service port, that the manifests do not define.

## What it finds
An Ingress backend (`backend.service.name` with `port.number`/`port.name` in
networking.k8s.io/v1, `serviceName`/`servicePort` in the v1beta1 APIs, `defaultBackend`) or a
Gateway API `HTTPRoute`/`GRPCRoute` `backendRef` naming a Service that the deployment unit
does not define in the route's namespace, or a port that the Service does not expose (the
Service's `port` or port `name`, not its targetPort). The finding sits on the service name or
on the port value.
## Why it breaks
The ingress controller resolves the backend when a request comes in: a missing Service (a
typo, a Service renamed in one file only) makes ingress-nginx answer 503 and logs "service
not found"; a port the Service lacks leaves the backend without endpoints. Nothing rejects
the Ingress at apply time.
## Silent when
The Service is defined in the namespace with that port; nothing shows that the team keeps the
backend's Service in these manifests (no Service close by is named like it, and no other
backend of the same Ingress is defined here: the Service may come from a Helm chart or
another install, such as the Kubernetes dashboard); a custom resource near the Ingress
may create the Service (an operator, a Flux `HelmRelease`, an Argo CD `Application`);
templated names; `resource` backends.
## Example
```yaml
# file: k8s/shop.yaml
apiVersion: v1
kind: Service
metadata:
  name: storefront
spec:
  selector: {app: storefront}
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: store-front
                port:
                  number: 80
```
## Use instead
```yaml
# file: k8s/shop.yaml
apiVersion: v1
kind: Service
metadata:
  name: storefront
spec:
  selector: {app: storefront}
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: storefront
                port:
                  number: 80
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.model.k8s import (
    K8sObject,
    describe_ports,
    maps_in,
    namespaces_meet,
    port_value,
    sequence,
    templated,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._services import (
    ROUTE_KINDS,
    Backend,
    backends,
    close,
    exposes,
    may_run_pods,
    normal_name,
    related,
    services_named,
    together,
)

RULE = Rule(id="ingress-missing-service", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    services = ws.of_kind("Service")
    for route in ws.of_kind("Ingress", *ROUTE_KINDS):
        found = [b for b in backends(route) if b.name.value and not templated(b.name.value)]
        defined = {
            b.name.value: services_named(ws, b.name.value, route, b.namespace) for b in found
        }
        if _operator_near(ws, route):
            continue
        for backend in found:
            matches = defined[backend.name.value]
            if matches:
                yield from _port_finding(backend, matches)
                continue
            similar = _similar(ws, backend, services)
            if similar is not None or any(defined.values()):
                yield _missing_finding(backend, similar)


def _operator_near(ws: Workspace, route: K8sObject) -> bool:
    """A custom resource next to the route may create its Services (operators, Helm releases)."""
    operators = ws.memo("pod-running custom resources", lambda: _operators(ws))
    return any(
        together(ws, route, obj) and namespaces_meet(route.namespace, obj.namespace)
        for obj in operators
    )


def _operators(ws: Workspace) -> list[K8sObject]:
    return [obj for obj in ws.objects if may_run_pods(obj)]


def _similar(ws: Workspace, backend: Backend, services: list[K8sObject]) -> K8sObject | None:
    """A Service close to the route whose name looks like a typo of the backend's."""
    wanted = backend.name.value
    best, score = None, 0.0
    for svc in services:
        if not close(backend.route, svc) or not related(ws, backend.route, svc):
            continue
        if not namespaces_meet(backend.namespace, svc.namespace):
            continue
        ratio = difflib.SequenceMatcher(None, wanted, svc.name).ratio()
        if normal_name(svc.name) == normal_name(wanted):
            ratio = 1.0
        if ratio >= 0.8 and ratio > score:
            best, score = svc, ratio
    return best


def _where(backend: Backend) -> str:
    return f" in namespace {backend.namespace!r}" if backend.namespace else ""


def _missing_finding(backend: Backend, similar: K8sObject | None) -> Finding:
    route = f"{backend.route.kind.lower()} {backend.route.name!r}"
    if similar is not None:
        fix = f"point the backend at service {similar.name!r} or define {backend.name.value!r}"
        related_locs = (Related(similar.name_loc, f"service {similar.name!r}"),)
    else:
        fix = f"define service {backend.name.value!r} or point the backend at an existing one"
        related_locs = ()
    return RULE.finding(
        backend.name.loc,
        f"{route} sends traffic to service {backend.name.value!r}, which is not defined"
        f"{_where(backend)}; {fix}",
        related=related_locs,
    )


def _port_finding(backend: Backend, services: list[K8sObject]) -> Iterator[Finding]:
    port = backend.port
    if port is None or port.value == "" or templated(str(port.value)):
        return
    value = port.value
    if any(exposes(svc, value) for svc in services):
        return
    svc = services[0]
    shown = str(value) if isinstance(value, int) else repr(value)
    ports = _ports(svc)
    yield RULE.finding(
        port.loc,
        f"{backend.route.kind.lower()} {backend.route.name!r} uses port {shown} of service"
        f" {svc.name!r}, which exposes {ports or 'no ports'}; use one of the Service's ports",
        related=(Related(svc.name_loc, f"service {svc.name!r}"),),
    )


def _ports(service: K8sObject) -> str:
    return describe_ports(
        (port_value(item.get("port")), str(item.get("name") or "") or None)
        for _i, item in maps_in(sequence(service.body, "spec", "ports"))
    )

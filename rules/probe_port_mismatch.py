"""A probe targets a port (number or name) that its container does not declare.

## What it finds
`httpGet`, `tcpSocket` and `grpc` liveness, readiness and startup probes of a container that
declares ports, whose `port` is a name that none of the container's `ports` carries, or a
number that no container of the pod declares while the container's env says its server
listens on a declared port (`PORT`, `HTTP_PORT`, `SERVER_PORT`, `GRPC_PORT` ...).
## Why it breaks
A probe port name that the container lacks cannot be resolved: the kubelet reports the probe
as failed and restarts (liveness) or never readies (readiness) a healthy container. A number
other than the one the app listens on is usually a leftover from a port change (the app moved
to 8080, the probe still knocks on 3000), with the same result.
## Silent when
The container declares no ports (nothing to compare with); the port is declared by that
container, or (by number) by another container of the same pod, such as a sidecar; an
undeclared number with no sign of where the app listens, or one that the container's command,
args or env mention (health servers on a port of their own, such as ingress-nginx's 10254 or
an operator's `--health-probe-bind-address=:8081`, are often left undeclared); templated
ports (`${HEALTH_PORT}`); exec probes.
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
          image: registry.example.com/api:3.0.1
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            tcpSocket:
              port: web
```
## Use instead
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
          image: registry.example.com/api:3.0.1
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            tcpSocket:
              port: http
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.locate import Located
from k8slint.lint.model.k8s import (
    PORT_NAME,
    Container,
    ContainerPort,
    describe_ports,
    located,
    mapping,
    port_value,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="probe-port-mismatch", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions

HANDLERS = ("httpGet", "tcpSocket", "grpc")
LISTEN_PORT_NAMES = frozenset(
    {
        "PORT",
        "HTTP_PORT",
        "SERVER_PORT",
        "APP_PORT",
        "LISTEN_PORT",
        "API_PORT",
        "WEB_PORT",
        "GRPC_PORT",
    }
)
"""Variables that tell the app which port its server listens on."""


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for _obj, pod in ws.workloads():
        pod_numbers = {p.number for c in pod.containers if c.runs_with_app for p in c.ports}
        for container in pod.containers:
            if not container.ports:
                continue
            for kind, probe in container.probes():
                for handler in HANDLERS:
                    port = located(mapping(probe, handler), "port")
                    value = port_value(port.value) if port is not None else None
                    if port is None or value is None:
                        continue
                    related = [Related(container.ports[0].loc, f"ports of {container.name}")]
                    if isinstance(value, int):
                        if value in pod_numbers or value in {p.number for p in container.ports}:
                            continue
                        listen = _listen_setting(container, value)
                        if listen is None:
                            continue
                        related.append(Related(listen.loc, "the port the app listens on"))
                    elif not PORT_NAME.fullmatch(value):
                        continue  # a template placeholder (`${HEALTH_PORT}`), not a port name
                    elif container.declares_port(value):
                        continue
                    yield RULE.finding(
                        port.loc,
                        f"{kind} port {_shown(value)} is not a port of container"
                        f" {container.name!r} (declared: {_declared(container)});"
                        f" {_fix(container.ports, value)}",
                        related=related,
                    )


def _listen_setting(container: Container, probe_port: int) -> Located[str] | None:
    """The env setting that makes the app listen on a declared port other than `probe_port`.

    Apps often serve health checks on a port of their own (ingress-nginx on 10254, operators on
    8081) without declaring it; a probe on an undeclared number is only wrong when the
    container says where its server listens and that is elsewhere. A number the container's
    command, args or env mention is a configured port, never a mistake.
    """
    if container.mentions(probe_port):
        return None
    for var in container.env:
        if var.name.upper() in LISTEN_PORT_NAMES and var.value is not None:
            text = var.value.value.strip()
            if text.isdigit() and container.declares_port(int(text)):
                return var.value
    return None


def _fix(ports: list[ContainerPort], value: int | str) -> str:
    """Name the one port the probe most likely means, when the container has just one."""
    if len(ports) == 1:
        port = ports[0]
        target = port.name if isinstance(value, str) and port.name else port.number
        if target is not None:
            return f"point the probe at {_shown(target)} or declare {_shown(value)}"
    return f"point the probe at a declared port or declare {_shown(value)}"


def _shown(value: int | str) -> str:
    return str(value) if isinstance(value, int) else repr(value)


def _declared(container: Container) -> str:
    return describe_ports((port.number, port.name) for port in container.ports)

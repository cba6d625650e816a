"""A database, cache or broker address points at localhost, which inside a pod is the pod itself.

## What it finds
Connection settings (DATABASE_URL, *_DB_URL, *_DSN, REDIS_URL, MONGO(DB)_URI, AMQP_URL,
KAFKA_BOOTSTRAP_SERVERS, DB/cache/broker `*_HOST` names, and any value that is a URL with a
database, cache or broker scheme) whose host is localhost, 127.0.0.0/8, ::1 or 0.0.0.0 and that
reach a pod:

- a literal `env` value of a workload container;
- a ConfigMap value or Secret value (`stringData`, or `data` after base64 decoding) that a
  workload consumes through `valueFrom` or `envFrom`; the finding sits on the data value;
- a default in the application's code (`os.getenv("DATABASE_URL", "...")`, pydantic-settings
  fields, Node `process.env.X || "..."`, Go getenv helpers) when the workload running that code
  does not set the variable; the finding sits on the code line and names the workload.

In docker-compose, a service's `environment` value that points at localhost for a port that
another service of the same project serves.
## Why it breaks
The bot pod crash-looped with `ConnectionRefusedError ... ('127.0.0.1', 5432)`. The code read
`DATABASE_URL` with a default of `postgresql://...@localhost:5432/...`, and the Deployment never
set it. Inside a pod (or a compose container) localhost is that container's own network
namespace; the database is the Service (or compose service) `db`.
## Silent when
The variable is set to a Service name; a container of the same pod declares the port (a
sidecar such as pgbouncer or a redis sidecar), or runs a server image that listens on it; a
Cloud SQL or AlloyDB auth proxy sidecar runs in the pod; the pod uses `hostNetwork`; an
`envFrom` source that the linted files do not define may set the variable; compose services
that share another service's network (`network_mode: service:...`, `host`).
## Example
```yaml
# file: k8s/bot.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bot
spec:
  selector:
    matchLabels: {app: bot}
  template:
    metadata:
      labels: {app: bot}
    spec:
      containers:
        - name: bot
          image: registry.example.com/bot:1.4.0
          env:
            - name: DATABASE_URL
              value: postgresql://bot@localhost:5432/bot
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
    - port: 5432
```
## Use instead
```yaml
# file: k8s/bot.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bot
spec:
  selector:
    matchLabels: {app: bot}
  template:
    metadata:
      labels: {app: bot}
    spec:
      containers:
        - name: bot
          image: registry.example.com/bot:1.4.0
          env:
            - name: DATABASE_URL
              value: postgresql://bot@db:5432/bot
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
    - port: 5432
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.compose import ComposeProject, ComposeService
from k8slint.lint.model.k8s import (
    Container,
    K8sObject,
    PodSpec,
    child,
    namespaces_meet,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._connection import (
    Endpoint,
    image_ports,
    is_cloud_sql_proxy,
    local_endpoints,
    name_port,
)
from k8slint.rules._env import FromData, container_env, workload_label
from k8slint.rules._services import related, service_ports

RULE = Rule(id="localhost-database-url", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    yield from _workload_findings(ws)
    # compose projects are the same for every unit: judge them once
    if ws.first_unit:
        yield from _compose_findings(ws)


# --- Kubernetes ---------------------------------------------------------------------------------


@dataclass
class _Report:
    """One offending value, and the workloads it reaches."""

    origin: Literal["env", "data", "default"]
    subject: str  # "DATABASE_URL", or "url in Secret api-database"
    name: str  # the variable the workload sees
    endpoint: Endpoint
    loc: Loc
    workloads: list[str] = field(default_factory=list)
    owners: list[K8sObject] = field(default_factory=list)  # the objects behind `workloads`

    def fault(self) -> str:
        names = ", ".join(self.workloads)
        if self.origin == "default":
            does = "does" if len(self.workloads) == 1 else "do"
            return (
                f"{self.name} defaults to {self.endpoint}, the pod itself, and {names} {does}"
                " not set it"
            )
        joint = "in" if self.origin == "env" else "for"
        return f"{self.subject} points at {self.endpoint}, the pod itself, {joint} {names}"

    def fix_lead(self) -> str:
        if self.origin == "default":
            return f"set {self.name} on {', '.join(self.workloads)} to"
        return "set it to"


@dataclass
class _Reports:
    """Offending values by location: a value that reaches several workloads is one finding."""

    owner: K8sObject
    pod: PodSpec
    container: Container
    workload: str
    found: dict[Loc, _Report]

    def offer(
        self,
        origin: Literal["env", "data", "default"],
        subject: str,
        name: str,
        value: str,
        loc: Loc,
    ) -> None:
        for endpoint in local_endpoints(name, value):
            port = endpoint.port if endpoint.port is not None else name_port(name)
            if _pod_serves(self.pod, self.container, port):
                continue
            report = self.found.setdefault(
                loc, _Report(origin, subject, name, Endpoint(endpoint.host, port), loc)
            )
            if self.workload not in report.workloads:
                report.workloads.append(self.workload)
            if self.owner not in report.owners:
                report.owners.append(self.owner)
            return


def _workload_findings(ws: Workspace) -> Iterator[Finding]:
    found: dict[Loc, _Report] = {}
    for obj, pod in ws.workloads():
        for container in pod.containers:
            workload = workload_label(container)
            reports = _Reports(obj, pod, container, workload, found)
            env = container_env(ws, obj, container)
            for name, value in env.values.items():
                if isinstance(value, Located):
                    reports.offer("env", name, name, value.value, value.loc)
                elif isinstance(value, FromData) and value.entry.value is not None:
                    subject = f"{value.entry.key} in {value.source.kind} {value.source.name}"
                    reports.offer("data", subject, name, value.entry.value, value.entry.loc)
            app = ws.app_for(container)
            for read in app.env_reads if app is not None else ():
                if read.default is not None and not env.sets(read.name, read.case_insensitive):
                    reports.offer("default", read.name, read.name, read.default, read.loc)
    for report in found.values():
        yield _finding(ws, report)


def _finding(ws: Workspace, report: _Report) -> Finding:
    service = _service_for_port(ws, report.owners, report.endpoint.port)
    if service is None:
        fix = f"{report.fix_lead()} the Service name of the server it needs"
        return RULE.finding(report.loc, f"{report.fault()}; {fix}")
    name, port, loc = service
    fix = f"{report.fix_lead()} the Service {name!r} ({name}:{port})"
    return RULE.finding(
        report.loc, f"{report.fault()}; {fix}", related=(Related(loc, f"Service {name}"),)
    )


def _pod_serves(pod: PodSpec, container: Container, port: int | None) -> bool:
    """Whether something in the pod itself may answer on localhost:`port`."""
    if child(pod.body, "hostNetwork") is True:
        return True
    others = [c for c in pod.containers if c.runs_with_app and c is not container]
    peers = [*others, container]
    if any(c.image is not None and is_cloud_sql_proxy(c.image.value) for c in peers):
        return True
    if port is None:  # which server is meant is unknown: any server in the pod may be it
        return any(c.ports or _image_ports(c) for c in others)
    return any(c.declares_port(port) or port in _image_ports(c) for c in peers)


def _image_ports(container: Container) -> frozenset[int]:
    ref = container.image_ref
    return image_ports(ref.name) if ref is not None else frozenset()


def _service_for_port(
    ws: Workspace, owners: list[K8sObject], port: int | None
) -> tuple[str, int, Loc] | None:
    """A Service of the workloads' application that serves `port`: what the setting should
    name instead (its port number written, not templated)."""
    if port is None:
        return None
    for service in sorted(ws.of_kind("Service"), key=lambda s: s.name):
        if not any(
            related(ws, owner, service) and namespaces_meet(owner.namespace, service.namespace)
            for owner in owners
        ):
            continue
        for entry in service_ports(service):
            if entry.port is not None and port in (entry.port, entry.target):
                return service.name, entry.port, entry.target_loc
    return None


# --- docker-compose -----------------------------------------------------------------------------


def _compose_findings(ws: Workspace) -> Iterator[Finding]:
    for project in ws.compose_projects():
        for service in project.services.values():
            yield from _compose_service_findings(project, service)


def _compose_service_findings(
    project: ComposeProject, service: ComposeService
) -> Iterator[Finding]:
    network_mode = service.body.get("network_mode")
    if isinstance(network_mode, str) and (
        network_mode == "host" or network_mode.startswith(("service:", "container:"))
    ):
        return
    own = _compose_ports(service)
    for other in project.services.values():  # services living in this one's network namespace
        if other.body.get("network_mode") == f"service:{service.name}":
            own |= _compose_ports(other)
    for name, value in service.environment.items():
        if value.value is None:
            continue
        for endpoint in local_endpoints(name, value.value):
            port = endpoint.port if endpoint.port is not None else name_port(name)
            if port is None or port in own:
                continue
            server = _compose_server(project, service, port)
            if server is None:
                continue
            target = Endpoint(endpoint.host, port)
            yield RULE.finding(
                value.loc,
                f"{name} of compose service {service.name!r} points at {target}, the"
                f" {service.name} container itself, while service {server.name!r} serves port"
                f" {port}; use {server.name}:{port}",
                related=(
                    Related(_compose_port_loc(server, port), f"compose service {server.name}"),
                ),
            )
            break


def _compose_ports(service: ComposeService) -> set[int]:
    ports = set(service.port_numbers())
    if service.image_ref is not None:
        ports |= image_ports(service.image_ref.name)
    return ports


def _compose_server(
    project: ComposeProject, service: ComposeService, port: int
) -> ComposeService | None:
    for name in sorted(project.services):
        other = project.services[name]
        if other is not service and port in _compose_ports(other):
            return other
    return None


def _compose_port_loc(service: ComposeService, port: int) -> Loc:
    for entry in service.ports:
        if entry.target == port:
            return entry.loc
    return service.image.loc if service.image is not None else service.loc

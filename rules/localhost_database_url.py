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
from k8slint.lint.model.images import parse_image
from k8slint.lint.model.k8s import (
    Container,
    DataEntry,
    K8sObject,
    PodSpec,
    child,
    data_entries,
    mapping,
    maps_in,
    sequence,
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

RULE = Rule(id="localhost-database-url", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    yield from _workload_findings(ws)
    # compose projects are the same for every unit: judge them once
    if ws.unit is None or not ws.units or ws.unit is ws.units[0]:
        yield from _compose_findings(ws)


# --- Kubernetes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FromData:
    """A variable whose value comes from a ConfigMap or Secret entry."""

    entry: DataEntry
    source: K8sObject


@dataclass
class _ContainerEnv:
    """What a container's environment holds, after envFrom and env are applied in order."""

    values: dict[str, Located[str] | _FromData | None] = field(default_factory=dict)
    opaque: bool = False  # an envFrom source whose keys cannot be seen may set anything

    def sets(self, name: str, case_insensitive: bool) -> bool:
        if self.opaque or name in self.values:
            return True
        return case_insensitive and name.upper() in {key.upper() for key in self.values}


@dataclass
class _Report:
    """One offending value, and the workloads it reaches."""

    origin: Literal["env", "data", "default"]
    subject: str  # "DATABASE_URL", or "url in Secret api-database"
    name: str  # the variable the workload sees
    endpoint: Endpoint
    loc: Loc
    workloads: list[str] = field(default_factory=list)

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
            return


def _workload_findings(ws: Workspace) -> Iterator[Finding]:
    found: dict[Loc, _Report] = {}
    for obj, pod in ws.workloads():
        for container in pod.containers:
            workload = f"{obj.kind} {obj.name}"
            if len(pod.containers) > 1:
                workload += f" (container {container.name})"
            reports = _Reports(pod, container, workload, found)
            env = _container_env(ws, obj, container)
            for name, value in env.values.items():
                if isinstance(value, Located):
                    reports.offer("env", name, name, value.value, value.loc)
                elif isinstance(value, _FromData) and value.entry.value is not None:
                    subject = f"{value.entry.key} in {value.source.kind} {value.source.name}"
                    reports.offer("data", subject, name, value.entry.value, value.entry.loc)
            app = ws.app_for(container)
            for read in app.env_reads if app is not None else ():
                if read.default is not None and not env.sets(read.name, read.case_insensitive):
                    reports.offer("default", read.name, read.name, read.default, read.loc)
    for report in found.values():
        yield _finding(ws, report)


def _finding(ws: Workspace, report: _Report) -> Finding:
    service = _service_for_port(ws, report.endpoint.port)
    if service is None:
        fix = f"{report.fix_lead()} the Service name of the server it needs"
        return RULE.finding(report.loc, f"{report.fault()}; {fix}")
    name, port, loc = service
    fix = f"{report.fix_lead()} the Service {name!r} ({name}:{port})"
    return RULE.finding(
        report.loc, f"{report.fault()}; {fix}", related=(Related(loc, f"Service {name}"),)
    )


def _container_env(ws: Workspace, owner: K8sObject, container: Container) -> _ContainerEnv:
    """The container's variables in the order Kubernetes applies them: envFrom, then env."""
    env = _ContainerEnv()
    for source in container.env_from():
        prefix = source.get("prefix") if isinstance(source.get("prefix"), str) else ""
        for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            ref = mapping(source, key)
            if ref is None:
                continue
            found = ws.find(kind, str(ref.get("name", "")), owner.namespace)
            if found is None:
                env.opaque = True
                continue
            for entry in data_entries(found):
                env.values[f"{prefix}{entry.key}"] = _FromData(entry, found)
    for var in container.env:
        if var.value is not None:
            env.values[var.name] = var.value
        elif var.value_from is not None:
            env.values[var.name] = _value_from(ws, owner, var.value_from)
        else:
            env.values[var.name] = None
    return env


def _value_from(ws: Workspace, owner: K8sObject, value_from: object) -> _FromData | None:
    for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
        ref = mapping(value_from, key)
        if ref is None:
            continue
        found = ws.find(kind, str(ref.get("name", "")), owner.namespace)
        if found is None:
            return None
        wanted = str(ref.get("key", ""))
        return next((_FromData(e, found) for e in data_entries(found) if e.key == wanted), None)
    return None


def _serving_containers(pod: PodSpec) -> list[Container]:
    """Containers that run alongside the app: regular ones and native (restartable) sidecars."""
    return [c for c in pod.containers if not c.init or c.sidecar]


def _pod_serves(pod: PodSpec, container: Container, port: int | None) -> bool:
    """Whether something in the pod itself may answer on localhost:`port`."""
    if child(pod.body, "hostNetwork") is True:
        return True
    others = [c for c in _serving_containers(pod) if c is not container]
    peers = [*others, container]
    if any(c.image is not None and is_cloud_sql_proxy(c.image.value) for c in peers):
        return True
    if port is None:  # which server is meant is unknown: any server in the pod may be it
        return any(c.ports or _image_ports(c) for c in others)
    return any(c.declares_port(port) or port in _image_ports(c) for c in peers)


def _image_ports(container: Container) -> frozenset[int]:
    ref = container.image_ref
    return image_ports(ref.name) if ref is not None else frozenset()


def _service_for_port(ws: Workspace, port: int | None) -> tuple[str, int, Loc] | None:
    """A Service of the unit that serves `port`: what the setting should name instead."""
    if port is None:
        return None
    for service in sorted(ws.of_kind("Service"), key=lambda s: s.name):
        for _index, entry in maps_in(sequence(service.body, "spec", "ports")):
            if port in (entry.get("port"), entry.get("targetPort")):
                return service.name, int(entry.get("port", port)), entry.loc
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
    if service.image is not None and service.image.value:
        ports |= image_ports(parse_image(service.image.value).name)
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

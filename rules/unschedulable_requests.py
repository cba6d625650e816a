"""A pod requests more CPU or memory than a node has, or a container requests more than its limit.

## What it finds
- A pod whose resource requests exceed the node size given in the configuration
  (`cluster.node: {cpu: 2, memory: 4Gi}`). The pod's request is counted as the scheduler
  counts it: the sum over its containers (native sidecars included), or the largest init
  container when that is more. A container with a limit and no request requests its limit.
  The finding sits on the largest request of the pod.
- A container whose request for a resource is more than its limit for it (the API server
  rejects such a pod); this needs no node size.
## Why it breaks
The pod stayed Pending with `0/8 nodes are available: 8 Insufficient cpu.`: it asked for more
CPU than any node of the cluster had, so no amount of waiting or scaling other workloads would
place it.
## Silent when
No node size is configured (requests above limits are still reported); requests that fit;
quantities that cannot be read (schema checks report those).
## Example
```yaml
# file: .k8slint.yaml
cluster:
  node: {cpu: 2, memory: 4Gi}
# file: k8s/worker.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: worker
          image: acme/worker:3.1.0
          resources:
            requests: {cpu: 2500m, memory: 1Gi}
            limits: {cpu: "3", memory: 1Gi}
```
## Use instead
```yaml
# file: k8s/worker.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: worker
          image: acme/worker:3.1.0
          resources:
            requests: {cpu: 1500m, memory: 1Gi}
            limits: {cpu: "2", memory: 1Gi}
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from k8slint.lint.config import parse_quantity_cpu, parse_quantity_memory
from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.locate import Located
from k8slint.lint.model.k8s import Container, K8sObject, located, mapping
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="unschedulable-requests", severity=Severity.WARNING, doc=__doc__)
Options = NoOptions


@dataclass(frozen=True)
class _Resource:
    name: str  # "cpu" | "memory"
    parse: Callable[[str | int | float], int]

    def show(self, amount: int) -> str:
        if self.name == "cpu":
            return f"{amount / 1000:g}" if amount % 1000 == 0 else f"{amount}m"
        for suffix, power in (("Gi", 30), ("Mi", 20), ("Ki", 10)):
            if amount % (1 << power) == 0:
                return f"{amount >> power}{suffix}"
        return str(amount)


RESOURCES = (
    _Resource("cpu", parse_quantity_cpu),
    _Resource("memory", parse_quantity_memory),
)


@dataclass(frozen=True)
class _Request:
    """A container's effective request for one resource, and the value it was read from."""

    container: Container
    amount: int
    source: Located[object]
    from_limit: bool  # no request given: Kubernetes copies the limit


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    node = {"cpu": ws.config.node_cpu_millis, "memory": ws.config.node_memory_bytes}
    for obj, pod in ws.workloads():
        for resource in RESOURCES:
            requests = [r for c in pod.containers if (r := _request(c, resource)) is not None]
            yield from _over_limit(obj, resource, requests)
            size = node[resource.name]
            if size is not None:
                finding = _over_node(obj, resource, requests, size)
                if finding is not None:
                    yield finding


def _amount(container: Container, kind: str, resource: _Resource) -> Located[object] | None:
    found = located(mapping(container.body, "resources", kind), resource.name)
    if found is None or isinstance(found.value, bool) or found.value is None:
        return None
    return found


def _parse(value: Located[object], resource: _Resource) -> int | None:
    if not isinstance(value.value, str | int | float):
        return None
    return _quantity(value.value, resource.parse)


@lru_cache(maxsize=1024, typed=True)
def _quantity(text: str | int | float, parse: Callable[[str | int | float], int]) -> int | None:
    """The quantity as `parse` reads it, None when it is none. Read once per text: workloads
    repeat a few amounts ("500m", "1Gi"), and each reading goes through exact fractions."""
    try:
        return parse(text)
    except ValueError:
        return None


def _request(container: Container, resource: _Resource) -> _Request | None:
    given = _amount(container, "requests", resource)
    if given is not None:
        amount = _parse(given, resource)
        return None if amount is None else _Request(container, amount, given, False)
    limit = _amount(container, "limits", resource)
    amount = _parse(limit, resource) if limit is not None else None
    return None if amount is None or limit is None else _Request(container, amount, limit, True)


def _over_limit(obj: K8sObject, resource: _Resource, requests: list[_Request]) -> Iterator[Finding]:
    for request in requests:
        if request.from_limit:
            continue
        limit = _amount(request.container, "limits", resource)
        amount = _parse(limit, resource) if limit is not None else None
        if limit is None or amount is None or request.amount <= amount:
            continue
        shown_request, shown_limit = str(request.source.value), str(limit.value)
        if resource.name == "memory" and shown_request[-1:] != shown_limit[-1:]:
            # 64Mi against 64M: the units differ, say what each amounts to
            shown_request += f" ({request.amount} bytes)"
            shown_limit += f" ({amount} bytes)"
        yield RULE.finding(
            request.source.loc,
            f"{resource.name} request {shown_request} of container"
            f" {request.container.name!r} in {obj.kind} {obj.name} is more than its limit"
            f" {shown_limit}, which the API server rejects; lower the request or raise the limit",
            related=(Related(limit.loc, f"{resource.name} limit"),),
        )


def _over_node(
    obj: K8sObject, resource: _Resource, requests: list[_Request], size: int
) -> Finding | None:
    """The scheduler's view: max(largest init container, sum of app containers and sidecars)."""
    running = [r for r in requests if r.container.runs_with_app]
    init = [r for r in requests if not r.container.runs_with_app]
    total = sum(r.amount for r in running)
    largest_init = max(init, key=lambda r: r.amount, default=None)
    if largest_init is not None and largest_init.amount > total:
        total, culprits = largest_init.amount, [largest_init]
    else:
        culprits = sorted(running, key=lambda r: -r.amount)
    if total <= size or not culprits:
        return None
    top = culprits[0]
    role = "init container" if top.container.init else "container"
    if len(culprits) > 1:
        fault = (
            f"{obj.kind} {obj.name} requests {resource.show(total)} {resource.name} over its"
            f" containers ({resource.show(top.amount)} by {top.container.name!r})"
        )
    elif top.from_limit:
        fault = (
            f"{resource.name} limit {resource.show(top.amount)} of {role}"
            f" {top.container.name!r} in {obj.kind} {obj.name}, its request as none is set, is"
        )
    else:
        fault = (
            f"{resource.name} request {resource.show(top.amount)} of {role}"
            f" {top.container.name!r} in {obj.kind} {obj.name} is"
        )
    return RULE.finding(
        top.source.loc,
        f"{fault}{',' if len(culprits) > 1 else ''} more than a node has"
        f" ({resource.show(size)} {resource.name}), so the pod stays Pending; lower the"
        " requests or use bigger nodes",
        related=tuple(
            Related(r.source.loc, f"{resource.name} of {r.container.name!r}") for r in culprits[1:]
        ),
    )

"""A Service's selector matches no pod template, so the Service has no endpoints.

## What it finds
A Service with a `selector` that no pod template of the same application and namespace
carries: every selector label must be among the template's labels (Deployment, StatefulSet,
DaemonSet, Job, CronJob, ReplicaSet, bare Pods, Argo Rollouts). The finding sits on the first
selector label the intended workload lacks: a workload in the Service's own file, else one
close by whose name matches the Service's name or selector (`api` for `api-svc`). Labels the
controllers add themselves count (`job-name` of a Job, `statefulset.kubernetes.io/pod-name`).
## Why it breaks
A Service finds its pods by labels only, and nothing checks them at apply time. A selector of
`app: api-server` over pods labelled `app: api` leaves the Service without endpoints: every
request through it, and through the Ingress in front of it, fails with "connection refused"
or a 503, while the pods themselves are healthy.
## Silent when
The Service has no selector (ExternalName, hand-made Endpoints or EndpointSlices); some pod
template matches (a headless Service of a StatefulSet included); a custom resource near the
Service may create the pods (an operator's `Prometheus`, CloudNativePG `Cluster`,
`LeaderWorkerSet`, a Flux `HelmRelease`), or the selector uses a label a controller adds
(`cnpg.io/cluster`) that no template carries; no workload near the Service looks like its
target (the pods come from a Helm chart or another repository); templated selectors.
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
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api-server
  ports:
    - port: 80
      targetPort: 8080
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
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.model.k8s import K8sObject, namespaces_meet
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.lint.yamlpos import YMap
from k8slint.rules._services import (
    CONVENTIONAL_PREFIXES,
    PodTemplate,
    close,
    may_run_pods,
    normal_name,
    pod_templates,
    related,
    selected_templates,
    selector,
    selector_labels,
    together,
)

RULE = Rule(id="service-selector-mismatch", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    templates = pod_templates(ws)
    for service in ws.of_kind("Service"):
        node = selector(service)
        if node is None:
            continue
        wanted = selector_labels(node)
        if selected_templates(ws, service):
            continue
        near = [
            t
            for t in templates
            if namespaces_meet(service.namespace, t.owner.namespace)
            and related(ws, service, t.owner)
        ]
        if _operator_may_select(ws, service, wanted, near):
            continue
        target = _intended(service, wanted, near)
        if target is None:
            continue
        yield _finding(service, node, wanted, target)


def _operator_may_select(
    ws: Workspace, service: K8sObject, wanted: dict[str, str], near: list[PodTemplate]
) -> bool:
    """Whether pods that no template describes (an operator's) may carry the selector."""
    values = set(wanted.values())
    prefixes = {key.rpartition("/")[0] for key in wanted}
    for obj in ws.objects:
        if not may_run_pods(obj) or not namespaces_meet(service.namespace, obj.namespace):
            continue
        if together(ws, service, obj):
            return True
        if related(ws, service, obj) and (
            obj.name in values or any(_same_domain(p, obj.group) for p in prefixes if p)
        ):
            return True
    used = {key.rpartition("/")[0] for t in near if t.known for key in t.labels}
    return any(p not in CONVENTIONAL_PREFIXES and p not in used for p in prefixes)


def _same_domain(prefix: str, group: str) -> bool:
    """`cnpg.io` (a label prefix) and `postgresql.cnpg.io` (an API group) share an owner."""
    return group == prefix or group.endswith("." + prefix) or prefix.endswith("." + group)


def _intended(
    service: K8sObject, wanted: dict[str, str], near: list[PodTemplate]
) -> PodTemplate | None:
    """The workload the Service was most likely written for, or None without evidence.

    A workload in the Service's own file, else a workload close by whose name matches the
    Service's name or one of the selector's values. Without such evidence the pods may come
    from elsewhere (a Helm release, another repository), and the rule says nothing.
    """
    candidates = [t for t in near if t.known and t.containers]
    chosen = [t for t in candidates if t.owner.path == service.path]
    if not chosen:
        names = {normal_name(service.name)} | {normal_name(v) for v in wanted.values()}
        chosen = [
            t
            for t in candidates
            if close(service, t.owner)
            and (
                normal_name(t.owner.name) in names
                or normal_name(service.name) in {normal_name(v) for v in t.labels.values()}
            )
        ]
    if not chosen:
        return None
    return max(chosen, key=lambda t: _overlap(t, wanted))


def _overlap(template: PodTemplate, wanted: dict[str, str]) -> tuple[int, int]:
    carried = sum(1 for k, v in wanted.items() if template.carries(k, v))
    shared_keys = sum(1 for k in wanted if k in template.labels)
    return carried, shared_keys


def _finding(
    service: K8sObject, node: YMap, wanted: dict[str, str], target: PodTemplate
) -> Finding:
    key = next(k for k, v in wanted.items() if not target.carries(k, v))
    have = target.labels.get(key)
    owner = f"{target.owner.kind} {target.owner.name!r}"
    if have is not None:
        loc = node.value_loc(key)
        theirs = f"{owner} has {key}={have}"
    else:
        loc = node.key_loc(key)
        theirs = f"{owner} has no label {key!r}"
    return RULE.finding(
        loc,
        f"selector {key}={wanted[key]} of service {service.name!r} matches no pod template"
        f" ({theirs}); make the selector match the pod template labels",
        related=(Related(target.labels_loc, f"pod template labels of {owner}"),),
    )

"""Shared template of the traffic rules: Services, the pods they select, and Ingress backends.

Behind service-selector-mismatch, service-port-mismatch, ingress-missing-service and
ingress-rewrite-strips-path. A Service finds its pods by labels and its target ports by number or
by container port name; an Ingress finds its Services by name in its own namespace. None of
these references is checked by the API server, so a typo leaves a Service without endpoints or
an Ingress answering 503, and nothing fails at apply time.

Matching happens inside the deployment unit, and within it only between objects that belong to
one application: a root holding several repositories or examples (a monorepo, the corpus) must
never match one application's Service against another's pods. `related` is the broad test
(the same top-level directory, as for compose services); `close` the narrow one (the same
directory, one an ancestor of the other, or siblings), used before claiming what a Service or
Ingress was meant to point at.

Pods are not only made by the built-in controllers: an operator turns a custom resource
(`Prometheus`, a CloudNativePG `Cluster`, a `LeaderWorkerSet`) into pods that carry labels of
the operator's choosing. The rules stay silent when such a resource could explain a selector.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.kubernetes import BUILTIN_GROUPS
from k8slint.lint.locate import Loc, Located
from k8slint.lint.model import k8s
from k8slint.lint.model.k8s import (
    POD_SPEC_PATHS,
    Container,
    K8sObject,
    PodSpec,
    child,
    located,
    located_str,
    mapping,
    maps_in,
    namespaces_meet,
    port_value,
    sequence,
)
from k8slint.lint.model.workspace import Workspace, same_app
from k8slint.lint.yamlpos import YMap, YSeq

INERT_CUSTOM_KINDS = frozenset(
    {
        "AuthorizationPolicy",
        "BackendConfig",
        "BackendTrafficPolicy",
        "Certificate",
        "CertificateRequest",
        "ClusterIssuer",
        "ClusterSecretStore",
        "DestinationRule",
        "EnvoyFilter",
        "ExternalSecret",
        "FrontendConfig",
        "GRPCRoute",
        "Gateway",
        "GatewayClass",
        "HTTPRoute",
        "HealthCheckPolicy",
        "IngressRoute",
        "IngressRouteTCP",
        "Issuer",
        "ManagedCertificate",
        "Middleware",
        "PeerAuthentication",
        "PodMonitor",
        "PodMonitoring",
        "PrometheusRule",
        "ReferenceGrant",
        "RequestAuthentication",
        "ScaledObject",
        "SealedSecret",
        "SecretStore",
        "ServiceEntry",
        "ServiceMonitor",
        "Sidecar",
        "TCPRoute",
        "Telemetry",
        "TLSRoute",
        "VerticalPodAutoscaler",
        "VirtualService",
        "WorkloadEntry",
    }
)
"""Custom kinds known to configure traffic, monitoring or secrets, never to run pods."""

CONVENTIONAL_PREFIXES = frozenset({"", "app.kubernetes.io"})
"""Label key prefixes that teams write by hand; other prefixes are usually a controller's."""

_ANY_VALUE = frozenset(
    {
        "pod-template-hash",
        "controller-revision-hash",
        "controller-uid",
        "batch.kubernetes.io/controller-uid",
        "pod-template-generation",
        "rollouts-pod-template-hash",
        "apps.kubernetes.io/pod-index",
        "batch.kubernetes.io/job-completion-index",
    }
)
"""Labels a built-in controller puts on every pod, with values not knowable from manifests."""


def related(ws: Workspace, a: K8sObject, b: K8sObject) -> bool:
    """Whether two objects belong to one application.

    Everything in a kustomize build is applied together; among plain manifests, files under
    one top-level directory of the root do (see `same_app`).
    """
    if ws.unit is not None and ws.unit.kustomize:
        return True
    return same_app(a, b)


def close(a: K8sObject, b: K8sObject) -> bool:
    """Whether two objects' files sit together: one directory, ancestors, or siblings under
    one top-level directory (top-level directories may be different repositories)."""
    da, db = posixpath.dirname(a.path), posixpath.dirname(b.path)
    if da == db or db.startswith(da + "/") or da.startswith(db + "/") or "" in (da, db):
        return True
    parent = posixpath.dirname(da)
    return bool(parent) and parent == posixpath.dirname(db)


def together(ws: Workspace, a: K8sObject, b: K8sObject) -> bool:
    """Whether an operator's resource `b` may make what `a` refers to: one kustomize build, or
    files that sit together (`close`) among plain manifests."""
    if ws.unit is not None and ws.unit.kustomize:
        return True
    return related(ws, a, b) and close(a, b)


def is_custom(obj: K8sObject) -> bool:
    return obj.group not in BUILTIN_GROUPS


def may_run_pods(obj: K8sObject) -> bool:
    """A custom resource whose operator may create pods and Services (anything not known to be
    inert); an Argo Rollout is read like a Deployment instead."""
    return is_custom(obj) and obj.kind not in INERT_CUSTOM_KINDS and not is_rollout(obj)


def is_rollout(obj: K8sObject) -> bool:
    return obj.kind == "Rollout" and obj.group == "argoproj.io"


def normal_name(name: str) -> str:
    """A workload or Service name without the kind suffixes teams add (`api-svc` -> `api`)."""
    base = name.lower()
    for suffix in (
        "-service",
        "-svc",
        "-deployment",
        "-deploy",
        "-statefulset",
        "-sts",
        "-daemonset",
        "-ds",
        "-app",
    ):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return base


# -- pod templates -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PodTemplate:
    """A pod template: a built-in workload's, a Rollout's, or one embedded in a custom resource.

    `known` is true when a built-in controller (or Argo Rollouts) makes the pods: their labels
    are the template's plus the controller's own. Pods of an operator may carry more.
    """

    owner: K8sObject
    labels: dict[str, str]
    labels_node: YMap | None
    pod: PodSpec | None
    known: bool

    @property
    def labels_loc(self) -> Loc:
        return self.labels_node.loc if self.labels_node is not None else self.owner.loc

    @property
    def containers(self) -> tuple[Container, ...]:
        return self.pod.containers if self.pod is not None else ()

    def carries(self, key: str, value: str) -> bool:
        """Whether the pods of this template carry the label `key=value`."""
        if self.labels.get(key) == value:
            return True
        if not self.known:
            return False
        if key in _ANY_VALUE:
            return True
        kind, name = self.owner.kind, self.owner.name
        if key in ("job-name", "batch.kubernetes.io/job-name"):
            return kind == "CronJob" or (kind == "Job" and value == name)
        if key == "statefulset.kubernetes.io/pod-name":
            return (
                kind == "StatefulSet" and re.fullmatch(re.escape(name) + r"-\d+", value) is not None
            )
        return False

    def selected_by(self, selector: dict[str, str]) -> bool:
        return all(self.carries(key, value) for key, value in selector.items())


@dataclass(frozen=True, slots=True)
class _Templates:
    """The unit's pod templates, and those carrying each label pair."""

    templates: list[PodTemplate]
    by_label: dict[tuple[str, str], list[PodTemplate]]


def _unit_templates(ws: Workspace) -> _Templates:
    return ws.memo("services.pod-templates", lambda: _index_templates(_pod_templates(ws)))


def _index_templates(templates: list[PodTemplate]) -> _Templates:
    by_label: dict[tuple[str, str], list[PodTemplate]] = {}
    for template in templates:
        for pair in template.labels.items():
            by_label.setdefault(pair, []).append(template)
    return _Templates(templates, by_label)


def pod_templates(ws: Workspace) -> list[PodTemplate]:
    """Every pod template of the unit, in object order (computed once per unit)."""
    return _unit_templates(ws).templates


def _pod_templates(ws: Workspace) -> list[PodTemplate]:
    found: list[PodTemplate] = []
    for obj in ws.objects:
        if obj.kind in POD_SPEC_PATHS and not is_custom(obj):
            pod = obj.pod_spec
            if pod is not None:
                meta = pod.template_metadata
            else:  # no pod spec (a patch among plain manifests): its template labels still count
                meta = mapping(obj.body, *POD_SPEC_PATHS[obj.kind][:-1], "metadata")
            found.append(_template(obj, meta, pod, known=True))
        elif is_rollout(obj):
            spec = mapping(obj.body, "spec", "template", "spec")
            meta = mapping(obj.body, "spec", "template", "metadata")
            found.append(_template(obj, meta, PodSpec(obj, spec) if spec else None, known=True))
        elif may_run_pods(obj):
            for meta, spec in _embedded_templates(obj.body, depth=0):
                found.append(_template(obj, meta, PodSpec(obj, spec), known=False))
    return found


def _template(obj: K8sObject, meta: YMap | None, pod: PodSpec | None, known: bool) -> PodTemplate:
    labels_node = mapping(meta, "labels")
    labels = {str(k): str(v) for k, v in (labels_node or {}).items() if v is not None}
    return PodTemplate(obj, labels, labels_node, pod, known)


def _embedded_templates(node: object, depth: int) -> Iterator[tuple[YMap | None, YMap]]:
    """Pod templates inside a custom resource: a mapping whose `spec` lists `containers`."""
    if depth > 12:
        return
    if isinstance(node, YMap):
        spec = node.get("spec")
        if isinstance(spec, YMap) and isinstance(spec.get("containers"), YSeq):
            yield mapping(node, "metadata"), spec
        for value in node.values():
            yield from _embedded_templates(value, depth + 1)
    elif isinstance(node, YSeq):
        for item in node:
            yield from _embedded_templates(item, depth + 1)


# -- Services ---------------------------------------------------------------------------------


def selector(service: K8sObject) -> YMap | None:
    """The Service's label selector, or None when it has none (or one a tool fills in)."""
    if child(service.body, "spec", "type") == "ExternalName":
        return None
    found = mapping(service.body, "spec", "selector")
    if not found:
        return None
    if any(
        isinstance(v, YMap | YSeq) or k8s.templated(str(k)) or k8s.templated(str(v))
        for k, v in found.items()
    ):
        return None
    return found


def selector_labels(node: YMap) -> dict[str, str]:
    return {str(k): str(v) for k, v in node.items()}


def selected_templates(ws: Workspace, service: K8sObject) -> list[PodTemplate]:
    """The unit's pod templates near the Service (same app and namespace) that its selector
    selects; worked out once per unit and Service."""
    return ws.memo_each("services.selected", service, lambda: _selected(ws, service))


def _selected(ws: Workspace, service: K8sObject) -> list[PodTemplate]:
    node = selector(service)
    if node is None:
        return []
    labels = selector_labels(node)
    return [
        t
        for t in _candidates(ws, labels)
        if t.selected_by(labels)
        and namespaces_meet(service.namespace, t.owner.namespace)
        and related(ws, service, t.owner)
    ]


_IMPLIED_KEYS = frozenset(
    {"job-name", "batch.kubernetes.io/job-name", "statefulset.kubernetes.io/pod-name"}
)


def _candidates(ws: Workspace, labels: dict[str, str]) -> list[PodTemplate]:
    """The unit's templates that may match `labels`, in order: those carrying one of its pairs.

    A pair whose key the controller never adds (`PodTemplate.carries`) selects only the
    templates that carry it, so an index on (key, value) replaces a scan of every template.
    """
    unit = _unit_templates(ws)
    for key, value in labels.items():
        if key in _ANY_VALUE or key in _IMPLIED_KEYS:
            continue
        return unit.by_label.get((key, value), [])
    return unit.templates


@dataclass(frozen=True, slots=True)
class ServicePort:
    """One entry of a Service's `ports`: the port clients use and the pod port it targets."""

    port: int | None
    name: str | None
    target: int | str  # the targetPort, or the port when targetPort is absent
    target_loc: Loc
    explicit: bool  # targetPort is written


def service_ports(service: K8sObject) -> list[ServicePort]:
    found = []
    for _index, item in maps_in(sequence(service.body, "spec", "ports")):
        port = located(item, "port")
        target = located(item, "targetPort") or port
        value = port_value(target.value) if target is not None else None
        if target is None or value is None:
            continue
        number = port.value if port is not None and isinstance(port.value, int) else None
        name = item.get("name")
        found.append(
            ServicePort(
                number,
                name if isinstance(name, str) else None,
                value,
                target.loc,
                "targetPort" in item,
            )
        )
    return found


def services_named(
    ws: Workspace, name: str, near: K8sObject, namespace: str | None
) -> list[K8sObject]:
    """Services of the unit called `name` in `namespace` that belong with the object `near`."""
    return [
        svc
        for svc in ws.find_any_namespace("Service", name)
        if related(ws, near, svc) and namespaces_meet(namespace, svc.namespace)
    ]


# -- Ingress and Gateway API routes -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backend:
    """A Service an Ingress (or HTTPRoute) sends traffic to: its name and the port it asks for."""

    route: K8sObject
    name: Located[str]
    port: Located[int | str] | None
    namespace: str | None  # where the Service must live (None: the apply-time namespace)


def ingress_paths(ingress: K8sObject) -> Iterator[YMap]:
    """The `paths` items of an Ingress's rules."""
    for _i, rule in maps_in(sequence(ingress.body, "spec", "rules")):
        for _j, path in maps_in(sequence(rule, "http", "paths")):
            yield path


def backends(route: K8sObject) -> Iterator[Backend]:
    """The Service backends of an Ingress (v1 and v1beta1) or a Gateway API route."""
    if route.kind == "Ingress":
        nodes = [
            mapping(route.body, "spec", "defaultBackend"),
            mapping(route.body, "spec", "backend"),
        ]
        nodes += [mapping(path, "backend") for path in ingress_paths(route)]
        for node in nodes:
            found = _ingress_backend(route, node)
            if found is not None:
                yield found
    elif route.kind in ROUTE_KINDS and route.group == "gateway.networking.k8s.io":
        for _i, rule in maps_in(sequence(route.body, "spec", "rules")):
            for _j, ref in maps_in(sequence(rule, "backendRefs")):
                if (
                    ref.get("group", "") not in ("", None)
                    or ref.get("kind", "Service") != "Service"
                ):
                    continue
                name = located_str(ref, "name")
                if name is None:
                    continue
                port = located(ref, "port")
                namespace = ref.get("namespace")
                yield Backend(
                    route,
                    name,
                    port if port is not None and isinstance(port.value, int) else None,
                    namespace if isinstance(namespace, str) else route.namespace,
                )


ROUTE_KINDS = frozenset({"HTTPRoute", "GRPCRoute"})


def _ingress_backend(ingress: K8sObject, node: YMap | None) -> Backend | None:
    if node is None:
        return None
    service = mapping(node, "service")
    if service is not None:  # networking.k8s.io/v1
        name = located_str(service, "name")
        port_node = mapping(service, "port")
        port = located(port_node, "number") or located(port_node, "name")
    else:  # extensions/v1beta1, networking.k8s.io/v1beta1
        name = located_str(node, "serviceName")
        port = located(node, "servicePort")
    if name is None:
        return None
    if port is not None:
        value = port_value(port.value)
        port = Located(value, port.loc) if value is not None else None
    return Backend(ingress, name, port, ingress.namespace)


def exposes(service: K8sObject, port: int | str) -> bool:
    """Whether the Service has a port with this number (its `port`, not targetPort) or name."""
    for _i, item in maps_in(sequence(service.body, "spec", "ports")):
        if item.get("port" if isinstance(port, int) else "name") == port:
            return True
    return False

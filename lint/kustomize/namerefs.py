"""Name references: rewrite fields that name another object once that object was renamed.

kustomize's table (which field of which kind names a ConfigMap, a Secret, a Service...) and its
choice among candidates: same earlier name, same kind, same namespace as the referrer
(cluster-scoped objects and ServiceAccounts pass), then the same prefixes and suffixes; several
candidates with different names are an error. The rewritten value keeps the Loc of the
reference, the line a human edits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from k8slint.lint.kustomize.fieldspec import FieldSpec, PathTrie, parse_specs, selects_gvk, spec
from k8slint.lint.kustomize.resource import Res, ResList
from k8slint.lint.locate import Loc
from k8slint.lint.model.k8s import POD_SPEC_PATHS
from k8slint.lint.yamlpos import YMap


@dataclass(frozen=True)
class NameRef:
    kind: str
    group: str | None
    version: str
    referrers: tuple[FieldSpec, ...]


_POD_SPEC_AT = {kind: "/".join(path) for kind, path in POD_SPEC_PATHS.items()}
_WORKLOADS = (
    "Pod",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
)
_SA_KINDS = (
    "Pod",
    "StatefulSet",
    "Deployment",
    "ReplicationController",
    "CronJob",
    "Job",
    "DaemonSet",
)


def _pod(kinds: Iterable[str], *suffixes: str) -> list[FieldSpec]:
    return [spec(f"{_POD_SPEC_AT[kind]}/{suffix}", kind) for kind in kinds for suffix in suffixes]


def _default_table() -> list[NameRef]:
    hpa = (spec("spec/scaleTargetRef/name", "HorizontalPodAutoscaler"),)
    config_map = [
        *_pod(
            _WORKLOADS,
            "volumes/configMap/name",
            "containers/env/valueFrom/configMapKeyRef/name",
            "initContainers/env/valueFrom/configMapKeyRef/name",
            "containers/envFrom/configMapRef/name",
            "initContainers/envFrom/configMapRef/name",
            "volumes/projected/sources/configMap/name",
        ),
        spec("spec/configSource/configMap", "Node"),
        spec("rules/resourceNames", "Role"),
        spec("rules/resourceNames", "ClusterRole"),
        spec(
            "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "Ingress"
        ),
    ]
    secret = [
        *_pod(
            _WORKLOADS,
            "volumes/secret/secretName",
            "containers/env/valueFrom/secretKeyRef/name",
            "initContainers/env/valueFrom/secretKeyRef/name",
            "containers/envFrom/secretRef/name",
            "initContainers/envFrom/secretRef/name",
            "imagePullSecrets/name",
            "volumes/projected/sources/secret/name",
        ),
        spec("spec/tls/secretName", "Ingress"),
        spec("metadata/annotations/ingress.kubernetes.io\\/auth-secret", "Ingress"),
        spec("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", "Ingress"),
        spec("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", "Ingress"),
        spec("imagePullSecrets/name", "ServiceAccount"),
        spec("parameters/secretName", "StorageClass"),
        spec("parameters/adminSecretName", "StorageClass"),
        spec("parameters/userSecretName", "StorageClass"),
        spec("parameters/secretRef", "StorageClass"),
        spec("rules/resourceNames", "Role"),
        spec("rules/resourceNames", "ClusterRole"),
        spec(
            "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
            "Service",
            "serving.knative.dev",
            "v1",
        ),
        spec("spec/azureFile/secretName", "PersistentVolume"),
    ]
    service = [
        spec("spec/serviceName", "StatefulSet", "apps"),
        spec("spec/rules/http/paths/backend/serviceName", "Ingress"),
        spec("spec/backend/serviceName", "Ingress"),
        spec("spec/rules/http/paths/backend/service/name", "Ingress"),
        spec("spec/defaultBackend/service/name", "Ingress"),
        spec("spec/service/name", "APIService", "apiregistration.k8s.io"),
        spec(
            "webhooks/clientConfig/service",
            "ValidatingWebhookConfiguration",
            "admissionregistration.k8s.io",
        ),
        spec(
            "webhooks/clientConfig/service",
            "MutatingWebhookConfiguration",
            "admissionregistration.k8s.io",
        ),
        spec("spec/rules/backendRefs/name", "HTTPRoute"),
    ]
    rbac = "rbac.authorization.k8s.io"
    service_account = [
        spec("subjects", "RoleBinding", rbac),
        spec("subjects", "ClusterRoleBinding", rbac),
    ]
    service_account += _pod(_SA_KINDS, "serviceAccountName")
    return [
        NameRef("Deployment", None, "", hpa),
        NameRef("ReplicationController", None, "", hpa),
        NameRef("ReplicaSet", None, "", hpa),
        NameRef("StatefulSet", None, "", hpa),
        NameRef("ConfigMap", None, "v1", tuple(config_map)),
        NameRef("Secret", None, "v1", tuple(secret)),
        NameRef("Service", None, "v1", tuple(service)),
        NameRef("Role", rbac, "", (spec("roleRef/name", "RoleBinding", rbac),)),
        NameRef(
            "ClusterRole",
            rbac,
            "",
            (
                spec("roleRef/name", "RoleBinding", rbac),
                spec("roleRef/name", "ClusterRoleBinding", rbac),
            ),
        ),
        NameRef("ServiceAccount", None, "v1", tuple(service_account)),
        NameRef(
            "PersistentVolumeClaim",
            None,
            "v1",
            tuple(_pod(_SA_KINDS, "volumes/persistentVolumeClaim/claimName")),
        ),
        NameRef(
            "PersistentVolume",
            None,
            "v1",
            (
                spec("spec/volumeName", "PersistentVolumeClaim"),
                spec("rules/resourceNames", "ClusterRole"),
            ),
        ),
        NameRef(
            "StorageClass",
            "storage.k8s.io",
            "v1",
            (
                spec("spec/storageClassName", "PersistentVolume"),
                spec("spec/storageClassName", "PersistentVolumeClaim"),
                spec("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"),
            ),
        ),
        NameRef(
            "PriorityClass", "scheduling.k8s.io", "v1", tuple(_pod(_SA_KINDS, "priorityClassName"))
        ),
        # kustomize's own table names the group "networking.k8s.io/v1", so it never matches
        NameRef(
            "IngressClass",
            "networking.k8s.io/v1",
            "v1",
            (spec("spec/ingressClassName", "Ingress"),),
        ),
    ]


DEFAULT_TABLE = _default_table()


def parse_table(node: Any) -> list[NameRef]:
    """`nameReference:` entries of a `configurations:` file."""
    out: list[NameRef] = []
    if not isinstance(node, list):
        return out
    for item in node:
        if isinstance(item, dict) and item.get("kind"):
            group = item.get("group")
            out.append(
                NameRef(
                    str(item["kind"]),
                    str(group) if group is not None else None,
                    str(item.get("version") or ""),
                    tuple(parse_specs(item.get("fieldSpecs"))),
                )
            )
    return out


class AmbiguousReference(Exception):
    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


def _ns(value: str) -> str:
    return value or "default"


class _Fixer:
    def __init__(self, resources: ResList, problems: list[AmbiguousReference]) -> None:
        self.resources = resources
        self.problems = problems

    def run(self, table: Iterable[NameRef]) -> None:
        by_kind: dict[str, list[tuple[NameRef, FieldSpec]]] = {}
        for ref in table:
            for fs in ref.referrers:
                by_kind.setdefault(fs.kind, []).append((ref, fs))
        anywhere = by_kind.get("", [])
        # what selects a resource depends only on its kind and apiVersion
        selected: dict[tuple[str, str], tuple[list[tuple[NameRef, FieldSpec]], PathTrie]] = {}
        for res in self.resources:
            key = (res.kind, res.api_version)
            plan = selected.get(key)
            if plan is None:
                pairs = [
                    (ref, fs)
                    for ref, fs in (*by_kind.get(res.kind, ()), *anywhere)
                    if fs.selects_type(*key)
                ]
                plan = selected[key] = pairs, PathTrie(fs.path for _ref, fs in pairs)
            pairs, paths = plan
            for index, parent, field in paths.reach(res.obj):
                ref, fs = pairs[index]
                self._setter(ref, res, fs)(parent, field)

    def _setter(self, ref: NameRef, referrer: Res, fs: FieldSpec):  # type: ignore[no-untyped-def]
        def setter(parent: YMap, key: str) -> None:
            value = parent.get(key)
            if isinstance(value, str):
                self._scalar(ref, referrer, fs, parent, key)
            elif isinstance(value, YMap):
                self._mapping(ref, referrer, fs, value)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        new = self._select(ref, referrer, fs, item, None, parent.value_loc(key))
                        if new is not None and new.name != item:
                            value[index] = new.name
                    elif isinstance(item, YMap):
                        self._mapping(ref, referrer, fs, item)

        return setter

    def _scalar(self, ref: NameRef, referrer: Res, fs: FieldSpec, parent: YMap, key: str) -> None:
        old = parent[key]
        new = self._select(ref, referrer, fs, old, None, parent.value_loc(key))
        if new is not None and new.name != old:
            parent[key] = new.name  # keeps the Loc of the reference

    def _mapping(self, ref: NameRef, referrer: Res, fs: FieldSpec, node: YMap) -> None:
        old = node.get("name")
        if not isinstance(old, str):
            return
        namespace = node.get("namespace") if "namespace" in node else None
        new = self._select(ref, referrer, fs, old, namespace, node.value_loc("name"))
        if new is None or (new.name == old and not new.namespace):
            return
        node["name"] = new.name
        if new.namespace:
            if "namespace" in node:
                node["namespace"] = new.namespace
            else:
                node.set_located("namespace", new.namespace, node.loc, node.loc)

    def _select(
        self,
        ref: NameRef,
        referrer: Res,
        fs: FieldSpec,
        old: str,
        namespace: Any,
        loc: Loc,
    ) -> Res | None:
        candidates = [r for r in self.resources.named(ref.kind, old) if _was(r, ref, old)]
        if not candidates:
            return None
        candidates = self._could_be_referenced(referrer, candidates)
        if namespace is not None:
            wanted = _ns(str(namespace))
            by_original = [r for r in candidates if _ns(r.original_namespace()) == wanted]
            candidates = by_original or [r for r in candidates if _ns(r.namespace) == wanted]
        if fs.path[-2:] == ("roleRef", "name"):
            role_ref = referrer.obj.get("roleRef")
            if isinstance(role_ref, dict) and role_ref.get("kind"):
                candidates = [r for r in candidates if _was_kind(r, str(role_ref["kind"]))]
        if not referrer.cluster_scoped:
            candidates = [
                r
                for r in candidates
                if r.cluster_scoped
                or r.kind == "ServiceAccount"
                or _ns(r.namespace) == _ns(referrer.namespace)
            ]
        if len(candidates) == 1:
            return candidates[0]
        candidates = [
            r
            for r in candidates
            if r.prefixes == referrer.prefixes and r.suffixes == referrer.suffixes
        ]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return None
        first = candidates[0]
        if all(
            r.name == first.name and (namespace is None or r.namespace == first.namespace)
            for r in candidates
        ):
            return first
        names = ", ".join(sorted({f"{r.kind}/{r.name}" for r in candidates}))
        self.problems.append(
            AmbiguousReference(f"{old!r} may refer to several objects: {names}", loc)
        )
        return None

    def _could_be_referenced(self, referrer: Res, candidates: list[Res]) -> list[Res]:
        if referrer.cluster_scoped:
            return candidates
        allowed: set[str] = set()
        if referrer.kind in ("RoleBinding", "ClusterRoleBinding"):
            subjects = referrer.obj.get("subjects")
            if isinstance(subjects, list):
                for subject in subjects:
                    if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
                        allowed.add(str(subject.get("namespace") or ""))
        return [
            r
            for r in candidates
            if r.cluster_scoped
            or _ns(r.namespace) == _ns(referrer.namespace)
            or r.namespace in allowed
        ]


def _was(res: Res, ref: NameRef, old: str) -> bool:
    """The resource had the name `old` and is (now or then) of the referenced kind."""
    if not selects_gvk(res, ref.kind, ref.group, ref.version):
        return any(kind == ref.kind and name == old for kind, name, _ns in res.history)
    return True


def _was_kind(res: Res, kind: str) -> bool:
    return res.kind == kind or any(k == kind for k, _n, _s in res.history)


def fix_name_references(
    resources: ResList, extra: Iterable[NameRef] = ()
) -> list[AmbiguousReference]:
    problems: list[AmbiguousReference] = []
    _Fixer(resources, problems).run([*DEFAULT_TABLE, *extra])
    return problems

"""Template of the reference rules: missing-secret(-key), missing-configmap(-key), missing-pvc.

A pod names Secrets, ConfigMaps and PersistentVolumeClaims by name; the kubelet looks them up
in the pod's namespace when it starts the pod, and a missing one (or a missing key) keeps the
pod from starting (`CreateContainerConfigError`, `FailedMount`). This module lists the
references of a pod (`pod_refs`) and what in a unit can satisfy them (`Providers`).

Resolution happens inside the deployment unit (a kustomize build, whose generated ConfigMaps and
Secrets carry their hash suffix and whose references kustomize has rewritten; or the plain
manifests). Namespaces: an explicit namespace on both sides must agree; an object without one
lands in the namespace given at apply time, so it can meet a reference from any namespace.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from k8slint.lint.findings import Finding, Related
from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.k8s import (
    K8sObject,
    PodSpec,
    child,
    data_entries,
    located_str,
    mapping,
    maps_in,
    sequence,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import Rule
from k8slint.lint.yamlpos import YMap

RefKind = Literal["Secret", "ConfigMap", "PersistentVolumeClaim"]

TEMPLATED = re.compile(r"\{\{|\$\{|\$\(|<[^>]*>|%[({]|__[A-Z0-9_]+__")
"""A name a tool fills in before apply: Helm `{{ }}`, envsubst `${}`, `<name>`, `__NAME__`."""

SECRET_MAKERS = frozenset(
    {"Secret", "SealedSecret", "ExternalSecret", "ClusterExternalSecret", "Certificate"}
)
"""Kinds whose presence shows that a team keeps its Secrets with its manifests."""


@dataclass(frozen=True, slots=True)
class Ref:
    """One reference of a pod to a Secret or ConfigMap, optionally to one of its keys."""

    kind: RefKind
    name: Located[str]
    key: Located[str] | None
    optional: bool
    workload: K8sObject
    via: str  # "env DB_PASSWORD of container api", "volume 'certs'", ...


@dataclass(frozen=True, slots=True)
class Provider:
    """Something that makes a Secret or ConfigMap of a name in a namespace (None: apply-time)."""

    name: str
    namespace: str | None
    keys: frozenset[str] | None  # None: the keys are not visible (made by a controller)
    loc: Loc
    label: str  # "Secret 'db'", "SealedSecret 'obs' (template name 'obs-db-secret')"
    path: str  # the file that defines it


def namespace_matches(ref_ns: str | None, provider_ns: str | None) -> bool:
    """An explicit namespace on both sides must agree; None is whatever apply-time gives."""
    return ref_ns is None or provider_ns is None or ref_ns == provider_ns


def templated(name: str) -> bool:
    return not name or bool(TEMPLATED.search(name))


# -- references ------------------------------------------------------------------------------


def pod_refs(workload: K8sObject, pod: PodSpec) -> Iterator[Ref]:
    """Secret and ConfigMap references of a pod: env, envFrom (containers and initContainers),
    secret/configMap volumes and projected sources, with a secret volume's `items[].key`."""
    for container in pod.containers:
        where = f"{'initContainer' if container.init else 'container'} {container.name!r}"
        for var in container.env:
            if var.value_from is None:
                continue
            for key, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                selector = mapping(var.value_from, key)
                if selector is None:
                    continue
                name = located_str(selector, "name")
                if name is None:
                    continue
                yield Ref(
                    kind,  # type: ignore[arg-type]
                    name,
                    located_str(selector, "key"),
                    selector.get("optional") is True,
                    workload,
                    f"env {var.name} of {where}",
                )
        for source in container.env_from():
            for key, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                selector = mapping(source, key)
                name = located_str(selector, "name")
                if selector is None or name is None:
                    continue
                yield Ref(
                    kind,  # type: ignore[arg-type]
                    name,
                    None,
                    selector.get("optional") is True,
                    workload,
                    f"envFrom of {where}",
                )
    for _index, volume in maps_in(sequence(pod.body, "volumes")):
        label = f"volume {volume.get('name')!r}"
        yield from _volume_source_refs(workload, mapping(volume, "secret"), "Secret", label)
        yield from _volume_source_refs(workload, mapping(volume, "configMap"), "ConfigMap", label)
        for _i, source in maps_in(sequence(volume, "projected", "sources")):
            for key, kind in (("secret", "Secret"), ("configMap", "ConfigMap")):
                yield from _volume_source_refs(
                    workload,
                    mapping(source, key),
                    kind,  # type: ignore[arg-type]
                    f"projected {label}",
                )


def _volume_source_refs(
    workload: K8sObject, source: YMap | None, kind: RefKind, via: str
) -> Iterator[Ref]:
    if source is None:
        return
    name = located_str(source, "secretName" if kind == "Secret" else "name")
    if name is None:
        return
    optional = source.get("optional") is True
    yield Ref(kind, name, None, optional, workload, via)
    if kind == "ConfigMap":
        return  # a configMap volume's items[].key: configmap-mount-path-mismatch reports those
    for _index, item in maps_in(sequence(source, "items")):
        key = located_str(item, "key")
        if key is not None:
            yield Ref(kind, name, key, optional, workload, via)


# -- what defines them -----------------------------------------------------------------------


class Providers:
    """What a unit defines of one kind, by name."""

    def __init__(self, providers: list[Provider]) -> None:
        self.by_name: dict[str, list[Provider]] = defaultdict(list)
        for provider in providers:
            self.by_name[provider.name].append(provider)

    def resolve(self, name: str, namespace: str | None) -> list[Provider]:
        return [p for p in self.by_name.get(name, ()) if namespace_matches(namespace, p.namespace)]

    def elsewhere(self, name: str, namespace: str | None) -> list[Provider]:
        """Definitions of that name in other (explicit) namespaces."""
        return [
            p for p in self.by_name.get(name, ()) if not namespace_matches(namespace, p.namespace)
        ]


def providers(ws: Workspace, kind: RefKind) -> Providers:
    key = f"refs-providers:{kind}:{id(ws.unit)}"
    cache = ws._shared
    if key not in cache:
        made = list(_secret_providers(ws) if kind == "Secret" else _configmap_providers(ws))
        made.extend(_generator_providers(ws, kind))
        cache[key] = Providers(made)
    found: Providers = cache[key]
    return found


def _keys_of(obj: K8sObject) -> frozenset[str] | None:
    keys = frozenset(entry.key for entry in data_entries(obj))
    return keys or None  # an empty object is filled in by someone else


def _secret_providers(ws: Workspace) -> Iterator[Provider]:
    for obj in ws.objects:
        kind = obj.kind
        if kind == "Secret" and obj.name:
            keys = _keys_of(obj)
            if child(obj.body, "type") == "kubernetes.io/service-account-token":
                keys = None  # the token controller fills it in
            yield Provider(
                obj.name, obj.namespace, keys, obj.name_loc, f"Secret {obj.name!r}", obj.path
            )
        elif kind == "SealedSecret":
            yield from _sealed_secret(obj)
        elif kind in ("ExternalSecret", "ClusterExternalSecret"):
            yield from _external_secret(obj)
        elif kind == "Certificate" and obj.group == "cert-manager.io":
            name = located_str(mapping(obj.body, "spec"), "secretName")
            if name is not None and name.value:
                label = f"cert-manager Certificate {obj.name!r}"
                yield Provider(name.value, obj.namespace, None, name.loc, label, obj.path)
        yield from _connection_secrets(obj)


def _sealed_secret(obj: K8sObject) -> Iterator[Provider]:
    """The controller creates the Secret under spec.template.metadata.name, else the
    SealedSecret's own name, with the keys of spec.encryptedData (and template data)."""
    spec = mapping(obj.body, "spec")
    template_meta = mapping(spec, "template", "metadata")
    template_name = child(template_meta, "name")
    name = template_name if isinstance(template_name, str) and template_name else obj.name
    namespace = child(template_meta, "namespace")
    namespace = namespace if isinstance(namespace, str) and namespace else obj.namespace
    keys = {str(k) for k in (mapping(spec, "encryptedData") or {})}
    keys |= {str(k) for k in (mapping(spec, "template", "data") or {})}
    loc = template_meta.value_loc("name") if name != obj.name and template_meta else obj.name_loc
    label = f"SealedSecret {obj.name!r}" + (f" (makes Secret {name!r})" if name != obj.name else "")
    if name:
        yield Provider(name, namespace, frozenset(keys) or None, loc, label, obj.path)


def _external_secret(obj: K8sObject) -> Iterator[Provider]:
    """External Secrets Operator: the target Secret is spec.target.name, else the object's name;
    its keys are visible only for plain `data` entries without templates or `dataFrom`."""
    spec = mapping(obj.body, "spec")
    namespace = obj.namespace
    if obj.kind == "ClusterExternalSecret":
        external_name = child(spec, "externalSecretName")
        spec = mapping(spec, "externalSecretSpec")
        namespace = None  # made in every selected namespace
        default = external_name if isinstance(external_name, str) and external_name else obj.name
    else:
        default = obj.name
    target = mapping(spec, "target")
    target_name = located_str(target, "name")
    name = target_name.value if target_name is not None and target_name.value else default
    keys: frozenset[str] | None = frozenset(
        str(item.get("secretKey"))
        for _i, item in maps_in(sequence(spec, "data"))
        if item.get("secretKey")
    )
    if sequence(spec, "dataFrom") or mapping(target, "template") is not None or not keys:
        keys = None
    loc = target_name.loc if target_name is not None else obj.name_loc
    label = f"{obj.kind} {obj.name!r}" + (f" (target {name!r})" if name != obj.name else "")
    if name:
        yield Provider(name, namespace, keys, loc, label, obj.path)


def _connection_secrets(obj: K8sObject) -> Iterator[Provider]:
    """Crossplane-style `spec.writeConnectionSecretToRef` (and `publishConnectionDetailsTo`)."""
    if obj.kind in ("Secret", "ConfigMap") or obj.pod_spec is not None:
        return
    for path in (("spec", "writeConnectionSecretToRef"), ("spec", "publishConnectionDetailsTo")):
        ref = mapping(obj.body, *path)
        name = located_str(ref, "name")
        if name is None or not name.value:
            continue
        namespace = child(ref, "namespace")
        namespace = namespace if isinstance(namespace, str) and namespace else obj.namespace
        label = f"{obj.kind} {obj.name!r} connection secret"
        yield Provider(name.value, namespace, None, name.loc, label, obj.path)


def _configmap_providers(ws: Workspace) -> Iterator[Provider]:
    for obj in ws.objects:
        if obj.kind == "ConfigMap" and obj.name:
            label = f"ConfigMap {obj.name!r}"
            yield Provider(obj.name, obj.namespace, _keys_of(obj), obj.name_loc, label, obj.path)


def _generator_providers(ws: Workspace, kind: RefKind) -> Iterator[Provider]:
    """Names that kustomize generators of the workspace produce, for the plain manifests.

    A kustomize build holds its generated objects itself (hash suffix included, references
    rewritten). The plain manifests hold none; but a manifest that a kustomization also builds
    may sit among them (a tree applied both ways, or a build k8slint could not finish), and a
    generator's name there is no evidence of a missing object. Keys: not judged (unknown).
    """
    if ws.unit is not None and ws.unit.kustomize:
        return
    generator = "secretGenerator" if kind == "Secret" else "configMapGenerator"
    for rel in ws.files:
        if posixpath.basename(rel) not in (
            "kustomization.yaml",
            "kustomization.yml",
            "Kustomization",
        ):
            continue
        source = ws.source(rel)
        if source is None or source.error is not None or not source.documents:
            continue
        root = source.documents[0].root
        if not isinstance(root, YMap):
            continue
        namespace = child(root, "namespace")
        for _index, entry in maps_in(sequence(root, generator)):
            name = located_str(entry, "name")
            if name is None or not name.value:
                continue
            ns = entry.get("namespace") or namespace
            yield Provider(
                name.value,
                ns if isinstance(ns, str) and ns else None,
                None,
                name.loc,
                f"kustomize {generator} {name.value!r}",
                rel,
            )


# -- where a team keeps its Secrets ----------------------------------------------------------


GENERIC_DIRS = frozenset(
    {
        "k8s",
        "kubernetes",
        "kube",
        "manifests",
        "manifest",
        "deploy",
        "deployment",
        "deployments",
        "base",
        "bases",
        "overlays",
        "kustomize",
        "resources",
        "yaml",
        "config",
    }
)
"""Directory names that say "the manifests of the app above", not "an app of its own"."""


def application_dir(path: str) -> str:
    """The directory that stands for a manifest's application in the plain manifests.

    The manifest's own directory; while that is a generic deploy folder (`k8s/`, `deploy/`,
    `base/`, `manifests/` ...), its parent, so that `k8s/app.yaml` and `secrets/db.yaml` of one
    repository are one application while `samples/a/x.yaml` and `samples/b/y.yaml` are two. Never
    above the top-level directory: a root may hold several repositories.
    """
    parts = posixpath.dirname(path).split("/") if "/" in path else []
    while len(parts) > 1 and parts[-1].lower() in GENERIC_DIRS:
        parts.pop()
    return "/".join(parts)


def kept_with(ws: Workspace, workload: K8sObject, kind: RefKind) -> bool:
    """Whether the team keeps objects of `kind` (Secrets, ConfigMaps) with this workload.

    A kustomize build is one application: any maker of the kind in it counts. In the plain
    manifests (which may hold many repositories or examples) only makers in the workload's
    application subtree (see `application_dir`) count, a kustomize generator included.
    """
    makers = SECRET_MAKERS if kind == "Secret" else frozenset({"ConfigMap"})
    unit = ws.unit
    if unit is not None and unit.kustomize:
        return any(obj.kind in makers for obj in ws.objects)
    area = application_dir(workload.path)
    if any(obj.kind in makers and _within(obj.path, area) for obj in ws.objects):
        return True
    return any(_within(p.path, area) for p in _generator_providers(ws, kind))


def _within(path: str, directory: str) -> bool:
    return not directory or path.startswith(directory + "/")


# -- judging ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Missing:
    """A reference no provider satisfies, with what may help the reader."""

    ref: Ref
    others: int  # further references of the same workload to the same missing name
    hint: str  # "; a SealedSecret 'x' makes Secret 'y'", "" when nothing helps
    related: tuple[tuple[Loc, str], ...]


def missing_objects(ws: Workspace, kind: RefKind) -> Iterator[Missing]:
    """References to a `kind` that nothing in the unit makes, one per workload and name."""
    found = providers(ws, kind)
    for workload, pod in ws.workloads():
        seen: dict[str, list[Ref]] = {}
        for ref in pod_refs(workload, pod):
            if ref.kind != kind or ref.optional or templated(ref.name.value):
                continue
            if found.resolve(ref.name.value, workload.namespace):
                continue
            if made_at_run_time(ws, kind, ref.name.value, workload):
                continue
            seen.setdefault(ref.name.value, []).append(ref)
        for name, refs in seen.items():
            hint, related = _hint(ws, found, kind, name, workload.namespace)
            yield Missing(refs[0], len(refs) - 1, hint, related)


def missing_keys(ws: Workspace, kind: RefKind) -> Iterator[tuple[Ref, list[Provider]]]:
    """Key references whose object is defined, with visible keys, and lacks the key."""
    found = providers(ws, kind)
    for workload, pod in ws.workloads():
        for ref in pod_refs(workload, pod):
            if ref.kind != kind or ref.key is None or ref.optional or templated(ref.name.value):
                continue
            repository = _repository(ws, workload.path)
            candidates = [
                p
                for p in found.resolve(ref.name.value, workload.namespace)
                if _within(p.path, repository)
            ]  # another repository's object of that name says nothing about this one's keys
            if not candidates or any(p.keys is None for p in candidates):
                continue
            if templated(ref.key.value) or any(ref.key.value in p.keys for p in candidates):  # type: ignore[operator]
                continue
            yield ref, candidates


def _hint(
    ws: Workspace, found: Providers, kind: RefKind, name: str, namespace: str | None
) -> tuple[str, tuple[tuple[Loc, str], ...]]:
    elsewhere = found.elsewhere(name, namespace)
    if elsewhere:
        first = elsewhere[0]
        return (
            f"; {first.label} exists in namespace {first.namespace!r}, not in"
            f" {namespace or 'default'!r}, and pods only see their own namespace",
            ((first.loc, f"{first.label} in namespace {first.namespace!r}"),),
        )
    if kind == "Secret":
        for obj in ws.objects:
            if obj.kind in ("SealedSecret", "ExternalSecret") and obj.name == name:
                made = [p for p in _secret_providers_of(obj)]
                if made and made[0].name != name:
                    return (
                        f"; {obj.kind} {name!r} makes Secret {made[0].name!r}, not {name!r}",
                        ((made[0].loc, made[0].label),),
                    )
    close = _close_names(name, [p for ps in found.by_name.values() for p in ps], namespace)
    if close is not None:
        return f"; did you mean {close.name!r}?", ((close.loc, close.label),)
    return "", ()


def _secret_providers_of(obj: K8sObject) -> list[Provider]:
    if obj.kind == "SealedSecret":
        return list(_sealed_secret(obj))
    return list(_external_secret(obj))


def _close_names(name: str, candidates: list[Provider], namespace: str | None) -> Provider | None:
    import difflib

    usable = {p.name: p for p in candidates if namespace_matches(namespace, p.namespace)}
    matches = difflib.get_close_matches(name, list(usable), n=1, cutoff=0.8)
    return usable[matches[0]] if matches else None


# -- made at run time ------------------------------------------------------------------------

BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "apiextensions.k8s.io",
        "admissionregistration.k8s.io",
        "apiregistration.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "scheduling.k8s.io",
        "node.k8s.io",
        "certificates.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "monitoring.coreos.com",
        "bitnami.com",
        "external-secrets.io",
        "cert-manager.io",
    }
)
"""API groups whose objects make no Secret or ConfigMap beyond what `Providers` reads."""

AUTOMATIC_CONFIGMAPS = frozenset(
    {"kube-root-ca.crt", "istio-ca-root-cert", "openshift-service-ca.crt"}
)
"""ConfigMaps that controllers publish in every namespace (kube-controller-manager, istiod,
OpenShift's service CA operator)."""

_TOKENS = re.compile(r"[a-z0-9]+")


def made_at_run_time(ws: Workspace, kind: RefKind, name: str, workload: K8sObject) -> bool:
    """Whether something in the unit probably makes the object when it runs.

    Operators name what they make after their custom resource (CloudNativePG `<cluster>-app`,
    Zalando `<user>.<cluster>.credentials...`, Strimzi KafkaUser `<user>`, ECK
    `<es>-es-elastic-user`): a custom resource of the same repository whose name is a run of the
    object's name tokens counts. So does a container of another workload whose command, args or
    env values name it (`kube-webhook-certgen --secret-name=ingress-nginx-admission`).
    """
    if kind == "ConfigMap" and name in AUTOMATIC_CONFIGMAPS:
        return True
    wanted = _TOKENS.findall(name.lower())
    bounded = re.compile(rf"(?<![a-z0-9.-]){re.escape(name)}(?![a-z0-9.-])")
    area = _repository(ws, workload.path)
    for obj in ws.objects:
        if obj is workload or not _within(obj.path, area):
            continue
        if not namespace_matches(workload.namespace, obj.namespace):
            continue
        if obj.pod_spec is not None:
            if any(bounded.search(text) for text in _literals(obj)):
                return True
            continue
        if obj.group in BUILTIN_GROUPS or not obj.name:
            continue
        tokens = _TOKENS.findall(obj.name.lower())
        if tokens and len("".join(tokens)) >= 3 and _contains_run(wanted, tokens):
            return True
    return False


def _repository(ws: Workspace, path: str) -> str:
    unit = ws.unit
    if unit is not None and unit.kustomize:
        return ""
    return path.split("/", 1)[0] if "/" in path else ""


def _contains_run(tokens: list[str], run: list[str]) -> bool:
    size = len(run)
    return any(tokens[i : i + size] == run for i in range(len(tokens) - size + 1))


def _literals(obj: K8sObject) -> Iterator[str]:
    pod = obj.pod_spec
    if pod is None:
        return
    for container in pod.containers:
        for key in ("command", "args"):
            for item in sequence(container.body, key):
                if isinstance(item, str):
                    yield item
        for var in container.env:
            if var.value is not None:
                yield var.value.value


def key_findings(ws: Workspace, rule: Rule, kind: RefKind) -> Iterator[Finding]:
    """missing-secret-key / missing-configmap-key: one finding per key reference."""
    import difflib

    for ref, candidates in missing_keys(ws, kind):
        assert ref.key is not None
        keys = sorted({k for p in candidates for k in p.keys or ()})
        close = difflib.get_close_matches(ref.key.value, keys, n=1, cutoff=0.6)
        fix = f"use key {close[0]!r}" if close else "fix the key"
        shown = ", ".join(keys[:8]) + (", ..." if len(keys) > 8 else "")
        yield rule.finding(
            ref.key.loc,
            f"{kind} {ref.name.value!r} has no key {ref.key.value!r} ({ref.via} of"
            f" {ref.workload.kind} {ref.workload.name!r}; it has: {shown}); {fix} or add"
            f" {ref.key.value!r} to the {kind}",
            related=[Related(p.loc, p.label) for p in candidates],
        )

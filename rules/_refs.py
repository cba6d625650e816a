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

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.kubernetes import BUILTIN_GROUPS
from k8slint.lint.kustomize.build import KUSTOMIZATION_NAMES
from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.k8s import (
    K8sObject,
    PodSpec,
    child,
    located_str,
    mapping,
    maps_in,
    namespaces_meet,
    sequence,
    templated,
)
from k8slint.lint.model.workspace import Workspace, top_dir
from k8slint.lint.rule import Rule
from k8slint.lint.yamlpos import YMap

RefKind = Literal["Secret", "ConfigMap", "PersistentVolumeClaim"]

SECRET_MAKERS = frozenset(
    {"Secret", "SealedSecret", "ExternalSecret", "ClusterExternalSecret", "Certificate"}
)
"""Kinds whose presence shows that a team keeps its Secrets with its manifests."""


@dataclass(frozen=True, slots=True)
class Ref:
    """One reference of a pod to a Secret, ConfigMap or PersistentVolumeClaim, optionally to one
    of its keys."""

    kind: RefKind
    name: Located[str]
    key: Located[str] | None
    optional: bool
    workload: K8sObject
    via: str  # "env DB_PASSWORD of container api", "volume 'certs'", ...


@dataclass(frozen=True, slots=True)
class Provider:
    """Something that makes an object of a name in a namespace (None: apply-time)."""

    name: str
    namespace: str | None
    keys: frozenset[str] | None  # None: the keys are not visible (made by a controller)
    loc: Loc
    label: str  # "Secret 'db'", "SealedSecret 'obs' (template name 'obs-db-secret')"
    path: str  # the file that defines it
    ordinal: bool = False  # makes `<name>-0`, `<name>-1` ... (a StatefulSet claim template)


def _unjudged(name: str) -> bool:
    """A name that cannot be judged: empty, or one a tool fills in before apply."""
    return not name or templated(name)


# -- references ------------------------------------------------------------------------------


def pod_refs(workload: K8sObject, pod: PodSpec) -> Iterator[Ref]:
    """Secret, ConfigMap and PersistentVolumeClaim references of a pod: env, envFrom
    (containers and initContainers), secret/configMap volumes and projected sources (with a
    secret's `items[].key`), and persistentVolumeClaim volumes."""
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
    own_claims = _claim_template_names(workload)
    for _index, volume in maps_in(sequence(pod.body, "volumes")):
        label = f"volume {volume.get('name')!r}"
        yield from _volume_source_refs(
            workload, mapping(volume, "secret"), "Secret", "secretName", label
        )
        yield from _volume_source_refs(
            workload, mapping(volume, "configMap"), "ConfigMap", "name", label
        )
        for _i, source in maps_in(sequence(volume, "projected", "sources")):
            for key, kind in (("secret", "Secret"), ("configMap", "ConfigMap")):
                yield from _volume_source_refs(
                    workload,
                    mapping(source, key),
                    kind,  # type: ignore[arg-type]
                    "name",  # a projected source names a Secret by `name`, not `secretName`
                    f"projected {label}",
                )
        claim = located_str(mapping(volume, "persistentVolumeClaim"), "claimName")
        if claim is not None and claim.value not in own_claims:
            # naming one of the StatefulSet's own claim templates: the template wins
            yield Ref("PersistentVolumeClaim", claim, None, False, workload, label)


def unit_pod_refs(ws: Workspace) -> list[tuple[K8sObject, tuple[Ref, ...]]]:
    """Every workload of the unit with its pod's references (`pod_refs`), listed once per unit
    for the five reference rules."""
    return ws.memo(
        "refs.pod-refs",
        lambda: [(workload, tuple(pod_refs(workload, pod))) for workload, pod in ws.workloads()],
    )


def _volume_source_refs(
    workload: K8sObject, source: YMap | None, kind: RefKind, name_key: str, via: str
) -> Iterator[Ref]:
    if source is None:
        return
    name = located_str(source, name_key)
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


def _claim_template_names(workload: K8sObject) -> frozenset[str]:
    if workload.kind != "StatefulSet":
        return frozenset()
    return frozenset(name for name, _loc in _claim_templates(workload))


def _claim_templates(sts: K8sObject) -> Iterator[tuple[str, Loc]]:
    """(name, span of the name) of each `volumeClaimTemplates` entry of a StatefulSet."""
    for _index, template in maps_in(sequence(sts.body, "spec", "volumeClaimTemplates")):
        name = located_str(mapping(template, "metadata"), "name")
        if name is not None and name.value:
            yield name.value, name.loc


# -- what defines them -----------------------------------------------------------------------


class Providers:
    """What a unit defines of one kind, by name."""

    def __init__(self, providers: list[Provider]) -> None:
        self.by_name: dict[str, list[Provider]] = defaultdict(list)
        self.by_stem: dict[str, list[Provider]] = defaultdict(list)  # ordinal providers
        for provider in providers:
            (self.by_stem if provider.ordinal else self.by_name)[provider.name].append(provider)

    def named(self, name: str) -> list[Provider]:
        """Every provider of `name`, in any namespace."""
        found = self.by_name.get(name, [])
        stem, dash, ordinal = name.rpartition("-")
        if dash and ordinal.isascii() and ordinal.isdigit() and stem in self.by_stem:
            found = [*found, *self.by_stem[stem]]
        return found

    def resolve(self, name: str, namespace: str | None) -> list[Provider]:
        return [p for p in self.named(name) if namespaces_meet(namespace, p.namespace)]

    def elsewhere(self, name: str, namespace: str | None) -> list[Provider]:
        """Definitions of that very name in other (explicit) namespaces."""
        return [
            p for p in self.by_name.get(name, ()) if not namespaces_meet(namespace, p.namespace)
        ]


def providers(ws: Workspace, kind: RefKind) -> Providers:
    """What the unit makes of `kind`: computed once per unit."""
    return ws.memo(f"refs.providers:{kind}", lambda: Providers(list(_providers(ws, kind))))


def _providers(ws: Workspace, kind: RefKind) -> Iterator[Provider]:
    if kind == "Secret":
        for obj in ws.objects:
            yield from _made_secrets(obj)
    elif kind == "ConfigMap":
        for obj in ws.of_kind("ConfigMap"):
            if obj.name:
                label = f"ConfigMap {obj.name!r}"
                yield Provider(obj.name, obj.namespace, keys_of(obj), obj.name_loc, label, obj.path)
    else:
        yield from _claim_providers(ws)
    yield from _generator_providers(ws, kind)


def keys_of(obj: K8sObject) -> frozenset[str] | None:
    keys = frozenset(entry.key for entry in obj.data_entries)
    return keys or None  # an empty object is filled in by someone else


def _made_secrets(obj: K8sObject) -> Iterator[Provider]:
    """The Secrets an object makes: itself, or what its controller creates."""
    kind = obj.kind
    if kind == "Secret" and obj.name:
        keys = keys_of(obj)
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


def _claim_providers(ws: Workspace) -> Iterator[Provider]:
    """PersistentVolumeClaims, and the claims `<template>-<statefulset>-<ordinal>` that each
    StatefulSet `volumeClaimTemplates` entry makes (another workload, a backup Job, may mount
    them by name)."""
    for obj in ws.of_kind("PersistentVolumeClaim"):
        if obj.name:
            label = f"PersistentVolumeClaim {obj.name!r}"
            yield Provider(obj.name, obj.namespace, None, obj.name_loc, label, obj.path)
    for sts in ws.of_kind("StatefulSet"):
        for name, loc in _claim_templates(sts):
            label = f"volumeClaimTemplate {name!r} of StatefulSet {sts.name!r}"
            stem = f"{name}-{sts.name}"
            yield Provider(stem, sts.namespace, None, loc, label, sts.path, ordinal=True)


def _generator_providers(ws: Workspace, kind: RefKind) -> list[Provider]:
    """Names that kustomize generators of the workspace produce, for the plain manifests.

    A kustomize build holds its generated objects itself (hash suffix included, references
    rewritten). The plain manifests hold none; but a manifest that a kustomization also builds
    may sit among them (a tree applied both ways, or a build k8slint could not finish), and a
    generator's name there is no evidence of a missing object. Keys: not judged (unknown).
    Read once per run.
    """
    if (ws.unit is not None and ws.unit.kustomize) or kind == "PersistentVolumeClaim":
        return []
    return ws.memo_shared_each("refs.generators", kind, lambda: list(_generators(ws, kind)))


def _generators(ws: Workspace, kind: RefKind) -> Iterator[Provider]:
    generator = "secretGenerator" if kind == "Secret" else "configMapGenerator"
    for rel in ws.files:
        if posixpath.basename(rel) not in KUSTOMIZATION_NAMES:
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
    `base/`, `manifests/` ...) below the top-level one, its parent. So `repo/k8s/app.yaml`
    stands for `repo`, and a Secret in `repo/secrets/db.yaml` (inside `repo/`) counts for it,
    while `samples/a/x.yaml` and `samples/b/y.yaml` are two applications. Never above the
    top-level directory, since a root may hold several repositories: `k8s/app.yaml` stands for
    `k8s` (so `secrets/db.yaml` beside it is another application), and a file at the root for
    "" (the whole root).
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
    makers = ws.memo(f"refs.makers:{kind}", lambda: _maker_dirs(ws, kind))
    if not makers:
        return False
    unit = ws.unit
    if unit is not None and unit.kustomize:
        return True
    area = application_dir(workload.path)
    return not area or area in makers


def _maker_dirs(ws: Workspace, kind: RefKind) -> frozenset[str]:
    """Every ancestor directory of every file that makes `kind` in the unit ("" included, so
    that the set is empty only when nothing makes it)."""
    makers = SECRET_MAKERS if kind == "Secret" else frozenset({kind})
    paths = {obj.path for obj in ws.of_kind(*makers)}
    paths |= {p.path for p in _generator_providers(ws, kind)}
    found: set[str] = set()
    for path in paths:
        found.add("")
        directory = posixpath.dirname(path)
        while directory and directory not in found:
            found.add(directory)
            directory = posixpath.dirname(directory)
    return frozenset(found)


def _within(path: str, directory: str) -> bool:
    return not directory or path.startswith(directory + "/")


# -- judging ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Missing:
    """A reference no provider satisfies, with what may help the reader."""

    ref: Ref
    others: int  # further places (env, envFrom, volume) of the workload naming the same object
    hint: str  # "; a SealedSecret 'x' makes Secret 'y'", "" when nothing helps
    related: tuple[Related, ...]


def missing_objects(ws: Workspace, kind: RefKind) -> Iterator[Missing]:
    """References to a `kind` that nothing in the unit makes, one per workload and name."""
    found = providers(ws, kind)
    hints: dict[tuple[str, str | None], tuple[str, tuple[Related, ...]]] = {}
    for workload, refs in unit_pod_refs(ws):
        seen: dict[str, list[Ref]] = {}
        for ref in refs:
            if ref.kind != kind or ref.optional or _unjudged(ref.name.value):
                continue
            if found.resolve(ref.name.value, workload.namespace):
                continue
            if made_at_run_time(ws, kind, ref.name.value, workload):
                continue
            seen.setdefault(ref.name.value, []).append(ref)
        for name, refs in seen.items():
            key = (name, workload.namespace)
            if key not in hints:  # close names: a scan of every provider
                hints[key] = _hint(ws, found, kind, name, workload.namespace)
            hint, related = hints[key]
            places = {ref.via for ref in refs}  # a volume's items[].key name it once more
            yield Missing(refs[0], len(places) - 1, hint, related)


_FIXES: dict[str, tuple[str, str]] = {
    "Secret": (
        "fix the name or add the Secret (or the SealedSecret/ExternalSecret that makes it)",
        "create it before the pod starts (no Secret is kept here, so it is probably made by"
        " hand) or mark the reference optional: true",
    ),
    "ConfigMap": (
        "fix the name or add the ConfigMap",
        "create it before the pod starts (no ConfigMap is kept here, so it is probably made by"
        " hand, e.g. kubectl create configmap --from-file) or add it",
    ),
    "PersistentVolumeClaim": (
        "fix the claim name or add the PersistentVolumeClaim (or a StatefulSet"
        " volumeClaimTemplate)",
        "create it before the pod starts",
    ),
}
"""Per kind: the fix when the team keeps such objects here, and when they are made by hand."""


def object_findings(
    ws: Workspace, rule: Rule, kind: RefKind, out_of_band: bool | None = None
) -> Iterator[Finding]:
    """missing-secret / missing-configmap / missing-pvc: one finding per workload and name.

    `out_of_band`: True, the objects are made outside these manifests (a warning); False,
    always an error; None, judged per application (`kept_with`)."""
    fix, by_hand = _FIXES[kind]
    verb = "mounted by" if kind == "PersistentVolumeClaim" else "used by"
    for missing in missing_objects(ws, kind):
        ref = missing.ref
        more = f" (and {missing.others} more reference(s))" if missing.others else ""
        head = (
            f"{kind} {ref.name.value!r} {verb} {ref.via} of {ref.workload.kind}"
            f" {ref.workload.name!r}{more} is defined nowhere in these manifests{missing.hint}"
        )
        made_by_hand = (
            out_of_band if out_of_band is not None else not kept_with(ws, ref.workload, kind)
        )
        if made_by_hand:
            yield rule.finding(
                ref.name.loc,
                f"{head}; {by_hand}",
                related=missing.related,
                severity=Severity.WARNING,
            )
        else:
            yield rule.finding(ref.name.loc, f"{head}; {fix}", related=missing.related)


def missing_keys(ws: Workspace, kind: RefKind) -> Iterator[tuple[Ref, list[Provider]]]:
    """Key references whose object is defined, with visible keys, and lacks the key."""
    found = providers(ws, kind)
    for workload, refs in unit_pod_refs(ws):
        repository = _repository(ws, workload.path)
        for ref in refs:
            if ref.kind != kind or ref.key is None or ref.optional or _unjudged(ref.name.value):
                continue
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


_SECRET_CONTROLLERS = ("SealedSecret", "ExternalSecret", "ClusterExternalSecret")


def _hint(
    ws: Workspace, found: Providers, kind: RefKind, name: str, namespace: str | None
) -> tuple[str, tuple[Related, ...]]:
    elsewhere = found.elsewhere(name, namespace)
    if elsewhere:
        first = elsewhere[0]
        return (
            f"; {first.label} exists in namespace {first.namespace!r}, not in"
            f" {namespace or 'default'!r}, and pods only see their own namespace",
            (Related(first.loc, f"{first.label} in namespace {first.namespace!r}"),),
        )
    if kind == "Secret":
        for controller in _SECRET_CONTROLLERS:
            for obj in ws.find_any_namespace(controller, name):
                made = next(_made_secrets(obj), None)
                if made is not None and made.name != name:
                    return (
                        f"; {obj.kind} {name!r} makes Secret {made.name!r}, not {name!r}",
                        (Related(made.loc, made.label),),
                    )
    close = _close_names(name, [p for ps in found.by_name.values() for p in ps], namespace)
    if close is not None:
        return f"; did you mean {close.name!r}?", (Related(close.loc, close.label),)
    return "", ()


def _close_names(name: str, candidates: list[Provider], namespace: str | None) -> Provider | None:
    import difflib

    usable = {p.name: p for p in candidates if namespaces_meet(namespace, p.namespace)}
    matches = difflib.get_close_matches(name, list(usable), n=1, cutoff=0.8)
    return usable[matches[0]] if matches else None


# -- made at run time ------------------------------------------------------------------------

RUN_TIME_INERT_GROUPS = BUILTIN_GROUPS | {
    "monitoring.coreos.com",
    "bitnami.com",
    "external-secrets.io",
    "cert-manager.io",
}
"""API groups whose objects make no Secret, ConfigMap or claim beyond what `Providers` reads:
Kubernetes' own, and the operators whose output `Providers` models."""

AUTOMATIC_CONFIGMAPS = frozenset(
    {"kube-root-ca.crt", "istio-ca-root-cert", "openshift-service-ca.crt"}
)
"""ConfigMaps that controllers publish in every namespace (kube-controller-manager, istiod,
OpenShift's service CA operator)."""

_TOKENS = re.compile(r"[a-z0-9]+")
_NAME_RUN = re.compile(r"[a-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class _RunTimeIndex:
    """What may make an object at run time, indexed once per unit."""

    words: dict[str, list[K8sObject]]  # maximal [a-z0-9.-] runs of a workload's literals
    texts: tuple[tuple[K8sObject, str], ...]  # every literal (names outside that alphabet)
    resources: dict[tuple[str, ...], list[K8sObject]]  # custom resources by name tokens


def _run_time_index(ws: Workspace) -> _RunTimeIndex:
    words: dict[str, list[K8sObject]] = defaultdict(list)
    texts: list[tuple[K8sObject, str]] = []
    resources: dict[tuple[str, ...], list[K8sObject]] = defaultdict(list)
    for obj in ws.objects:
        if obj.pod_spec is not None:
            for text in _literals(obj):
                texts.append((obj, text))
                for word in _NAME_RUN.findall(text):
                    owners = words[word]
                    if not owners or owners[-1] is not obj:
                        owners.append(obj)
            continue
        if obj.group in RUN_TIME_INERT_GROUPS or not obj.name:
            continue
        tokens = _TOKENS.findall(obj.name.lower())
        if tokens and len("".join(tokens)) >= 3:
            resources[tuple(tokens)].append(obj)
    return _RunTimeIndex(dict(words), tuple(texts), dict(resources))


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
    index = ws.memo("refs.run-time", lambda: _run_time_index(ws))
    area = _repository(ws, workload.path)

    def near(obj: K8sObject) -> bool:
        return (
            obj is not workload
            and _within(obj.path, area)
            and namespaces_meet(workload.namespace, obj.namespace)
        )

    if _NAME_RUN.fullmatch(name):  # named in a literal: as a whole run of name characters
        if any(near(obj) for obj in index.words.get(name, ())):
            return True
    else:
        bounded = re.compile(rf"(?<![a-z0-9.-]){re.escape(name)}(?![a-z0-9.-])")
        if any(near(obj) and bounded.search(text) for obj, text in index.texts):
            return True
    wanted = _TOKENS.findall(name.lower())
    for start in range(len(wanted)):
        for end in range(start + 1, len(wanted) + 1):
            if any(near(obj) for obj in index.resources.get(tuple(wanted[start:end]), ())):
                return True
    return False


def _repository(ws: Workspace, path: str) -> str:
    unit = ws.unit
    if unit is not None and unit.kustomize:
        return ""
    return top_dir(path)


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

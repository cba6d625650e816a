"""The Kubernetes API as k8slint knows it offline: versions, served kinds, schemas, removed APIs.

The schemas come from the kubernetes-validate package, which bundles the OpenAPI schemas of
several Kubernetes releases as JSON Schema (draft 2020-12) under
`kubernetes_validate/kubernetes-json-schema/v1.NN.0-local[-strict]/`: one file per kind,
named as kubernetes-validate's own `validate()` resolves it
(`<kind>-<group prefix>-<version>.json`, the group cut at its first dot:
`rbac.authorization.k8s.io/v1` -> `rbac-v1`), whose `$ref`s point into the release's
`_definitions.json` (`$id` https://kubernetes.io/api/_definitions.json).

kubernetes-validate's `validate()` re-reads that 1.8 MB definitions file on every call
(12-21 ms per document, ../shared/PERF-FACTS.md), and importing the package pulls in
jsonschema, referencing and PyYAML (~150 ms). So k8slint reads the package's data files
directly (found with `importlib.util.find_spec`, which does not import the package), loads one
release's definitions once, and compiles one jsonschema-rs validator per (release, kind) on
first use (0.01-0.02 ms per document afterwards). The `-strict` variant is used: it rejects
unknown fields, as `kubectl apply` does since field validation became strict by default.

The table of removed API versions covers what the bundled releases cannot show (everything
removed before 1.25, from the Kubernetes "Deprecated API Migration Guide"); removals inside the
bundled range are read from the schemas themselves (a kind served by an older bundled release
and not by the target one).

Nothing here is imported at CLI start: `bundled_versions()` only lists directory names.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from k8slint.lint.findings import ConfigError

if TYPE_CHECKING:
    import jsonschema_rs

SCHEMA_PACKAGE = "kubernetes_validate"
SCHEMA_DIR = "kubernetes-json-schema"
DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"
_VERSION_DIR = re.compile(r"v(\d+)\.(\d+)\.\d+-local")
_GROUP_PREFIX = re.compile(r"^([^./]*)(?:\.[^/]*)?/")  # kubernetes-validate's file naming
_REQUESTED = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


# -- bundled releases ------------------------------------------------------------------------


@functools.cache
def schema_root() -> Path | None:
    """kubernetes-validate's schema directory, found without importing the package."""
    try:
        spec = importlib.util.find_spec(SCHEMA_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        root = Path(location) / SCHEMA_DIR
        if root.is_dir():
            return root
    return None


@functools.cache
def bundled_versions() -> tuple[str, ...]:
    """The Kubernetes releases whose schemas are bundled, oldest first ("1.25", ..., "1.37")."""
    root = schema_root()
    if root is None:
        return ()
    found = set()
    for name in os.listdir(root):
        match = _VERSION_DIR.fullmatch(name)
        if match:
            found.add((int(match[1]), int(match[2])))
    return tuple(f"{major}.{minor}" for major, minor in sorted(found))


def default_version() -> str:
    """The newest bundled release; ConfigError when kubernetes-validate is not installed."""
    versions = bundled_versions()
    if not versions:
        raise ConfigError(
            f"no Kubernetes schemas found: the {SCHEMA_PACKAGE} package is not installed"
        )
    return versions[-1]


def resolve_version(requested: str | None) -> str:
    """The bundled release to validate against: `requested` ("1.30", "v1.30", "1.30.2") or
    the newest; a release that is not bundled is a ConfigError naming the bundled ones."""
    if requested is None or not str(requested).strip():
        return default_version()
    text = str(requested).strip()
    match = _REQUESTED.fullmatch(text)
    versions = bundled_versions()
    wanted = f"{match[1]}.{match[2]}" if match else None
    if wanted is None or wanted not in versions:
        raise ConfigError(
            f"unknown Kubernetes version {text!r}; the bundled schemas cover "
            f"{', '.join(versions) or 'none'} (--kubernetes-version or kubernetes-version)"
        )
    return wanted


def version_key(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def split_api_version(api_version: str) -> tuple[str, str]:
    """("apps", "v1") for "apps/v1"; ("", "v1") for the core group's "v1"."""
    group, _, version = api_version.rpartition("/")
    return group, version


# -- one release's schemas -------------------------------------------------------------------


class _Release:
    """The schemas of one bundled release; definitions and validators load on first use."""

    def __init__(self, version: str, directory: Path) -> None:
        self.version = version
        self.directory = directory
        self.strict = directory.with_name(directory.name + "-strict")
        self._validators: dict[tuple[str, str], Any] = {}
        self._documents: dict[str, Any] = {}

    @functools.cached_property
    def definitions(self) -> dict[str, Any]:
        directory = self.strict if self.strict.is_dir() else self.directory
        with open(directory / "_definitions.json", encoding="utf-8") as handle:
            document: dict[str, Any] = json.load(handle)
        self._documents[document.get("$id", DEFINITIONS_ID)] = document
        return document

    @functools.cached_property
    def served(self) -> dict[tuple[str, str], frozenset[str]]:
        """(group, version) -> kinds served, read from x-kubernetes-group-version-kind."""
        kinds: dict[tuple[str, str], set[str]] = {}
        for definition in self.definitions.get("$defs", {}).values():
            for gvk in definition.get("x-kubernetes-group-version-kind", ()):
                kind = gvk.get("kind", "")
                if kind in _META_KINDS or kind.endswith("List"):
                    continue
                kinds.setdefault((gvk.get("group", ""), gvk.get("version", "")), set()).add(kind)
        return {key: frozenset(value) for key, value in kinds.items()}

    @functools.cached_property
    def groups(self) -> frozenset[str]:
        return frozenset(group for group, _version in self.served)

    @functools.cached_property
    def registry(self) -> jsonschema_rs.Registry:
        import jsonschema_rs

        return jsonschema_rs.Registry([(DEFINITIONS_ID, self.definitions)])

    def serves(self, api_version: str, kind: str) -> bool:
        return kind in self.served.get(split_api_version(api_version), ())

    def schema_file(self, api_version: str, kind: str) -> Path:
        """The per-kind file, named as kubernetes-validate's validate() names it."""
        prefix = _GROUP_PREFIX.sub(r"\1-", api_version)
        return self.strict / f"{kind.lower()}-{prefix}.json"

    def validator(self, api_version: str, kind: str) -> KindValidator | None:
        key = (api_version, kind)
        if key in self._validators:
            return self._validators[key]  # type: ignore[no-any-return]
        found = None
        if self.serves(api_version, kind):
            path = self.schema_file(api_version, kind)
            try:
                with open(path, encoding="utf-8") as handle:
                    schema = json.load(handle)
            except (OSError, ValueError):
                schema = None
            if schema is not None:
                self._documents[schema.get("$id", str(path))] = schema
                found = KindValidator(
                    compile_schema(schema, self.registry), self._documents, schema
                )
        self._validators[key] = found
        return found


_META_KINDS = frozenset(
    {"WatchEvent", "DeleteOptions", "Status", "APIGroup", "APIVersions", "APIResourceList"}
)


@dataclass(frozen=True)
class KindValidator:
    """A compiled validator plus the schema documents its errors' keyword locations point into."""

    validator: Any  # jsonschema_rs.Validator
    documents: dict[str, Any]
    root: dict[str, Any]

    def schema_at(self, location: str | None, schema_path: Iterable[str | int]) -> Any:
        """The schema node an error's keyword sits in (the parent of the keyword)."""
        if location and "#" in location:
            uri, _, pointer = location.partition("#")
            node = self.documents.get(uri, self.root)
            parts = [_unescape(p) for p in pointer.split("/")[1:]]
        else:
            node = self.root
            parts = [str(p) for p in schema_path]
        for part in parts[:-1]:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


@functools.cache
def vendored_schema(name: str) -> Any:
    """A JSON schema shipped in k8slint.schemas (compose-spec, Grafana provisioning)."""
    from importlib import resources

    return json.loads(resources.files("k8slint.schemas").joinpath(name).read_text("utf-8"))


@functools.cache
def vendored_validator(name: str) -> KindValidator:
    """The compiled validator of a vendored schema, built once per process."""
    schema = vendored_schema(name)
    return KindValidator(compile_schema(schema), {}, schema)


def compile_schema(schema: dict[str, Any], registry: Any = None) -> Any:
    import jsonschema_rs

    if registry is None:
        return jsonschema_rs.Draft202012Validator(schema, validate_formats=False)
    return jsonschema_rs.Draft202012Validator(schema, registry=registry, validate_formats=False)


@functools.cache
def _release(version: str) -> _Release | None:
    root = schema_root()
    if root is None or version not in bundled_versions():
        return None
    return _Release(version, root / f"v{version}.0-local")


def validator_for(version: str, api_version: str, kind: str) -> KindValidator | None:
    """The validator of a built-in kind in a bundled release; None when it does not serve it."""
    release = _release(version)
    return release.validator(api_version, kind) if release else None


def serves(version: str, api_version: str, kind: str) -> bool:
    release = _release(version)
    return release is not None and release.serves(api_version, kind)


def served_kinds(version: str, api_version: str) -> frozenset[str]:
    release = _release(version)
    return (
        release.served.get(split_api_version(api_version), frozenset()) if release else frozenset()
    )


def served_versions(version: str, group: str, kind: str) -> list[str]:
    """apiVersions that serve `kind` of `group` in a release, the most stable first."""
    return [v for v in kind_versions(version, kind) if split_api_version(v)[0] == group]


def kind_versions(version: str, kind: str) -> list[str]:
    """Every apiVersion that serves `kind` in a release, the most stable first."""
    release = _release(version)
    if release is None:
        return []
    found = [(g, v) for (g, v), kinds in release.served.items() if kind in kinds]
    found.sort(key=lambda gv: _stability(gv[1]))
    return [f"{g}/{v}" if g else v for g, v in found]


def _stability(version: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (9, 0, 0)
    level = {"alpha": 2, "beta": 1, None: 0}[match[2]]
    return (level, -int(match[1]), -int(match[3] or 0))


BUILTIN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "extensions",
        "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io",
        "lifecycle.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "settings.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)
"""API groups Kubernetes itself serves in a bundled release, or served once (REMOVED_APIS).

A constant: reading them from the schemas loads every bundled release's definitions (13 files,
about 0.1-0.25 s and 35 MB). tests/test_shared_helpers.py checks it against the bundled
schemas, so a kubernetes-validate upgrade that brings a new group fails there."""


def is_builtin_group(group: str) -> bool:
    return group in BUILTIN_GROUPS


def schema_groups() -> frozenset[str]:
    """The groups the bundled schemas serve, read from every release (slow: for tests)."""
    groups: set[str] = set()
    for version in bundled_versions():
        release = _release(version)
        if release is not None:
            groups |= release.groups
    return frozenset(groups)


# -- removed and deprecated API versions -----------------------------------------------------


@dataclass(frozen=True)
class RemovedApi:
    """An apiVersion (for `kinds`, or all its kinds when empty) that Kubernetes stopped serving."""

    api_version: str
    kinds: tuple[str, ...]
    removed_in: str
    replacement: str | None  # apiVersion to use instead; None: no replacement
    note: str = ""

    @property
    def group(self) -> str:
        return split_api_version(self.api_version)[0]

    def covers(self, api_version: str, kind: str) -> bool:
        return api_version == self.api_version and (not self.kinds or kind in self.kinds)


_WORKLOADS = ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "ControllerRevision")
_AUTHZ_REVIEWS = (
    "LocalSubjectAccessReview",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "SubjectAccessReview",
)

REMOVED_APIS: tuple[RemovedApi, ...] = (
    # v1.16 (Kubernetes "Deprecated API Migration Guide", v1.16 section)
    RemovedApi("extensions/v1beta1", ("Deployment", "DaemonSet", "ReplicaSet"), "1.16", "apps/v1"),
    RemovedApi("extensions/v1beta1", ("NetworkPolicy",), "1.16", "networking.k8s.io/v1"),
    RemovedApi(
        "extensions/v1beta1",
        ("PodSecurityPolicy",),
        "1.16",
        None,
        "PodSecurityPolicy itself was removed in 1.25; use Pod Security Admission",
    ),
    RemovedApi("apps/v1beta1", _WORKLOADS, "1.16", "apps/v1"),
    RemovedApi("apps/v1beta2", _WORKLOADS, "1.16", "apps/v1"),
    # v1.22
    RemovedApi("extensions/v1beta1", ("Ingress",), "1.22", "networking.k8s.io/v1"),
    RemovedApi(
        "networking.k8s.io/v1beta1", ("Ingress", "IngressClass"), "1.22", "networking.k8s.io/v1"
    ),
    RemovedApi(
        "admissionregistration.k8s.io/v1beta1",
        ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    RemovedApi(
        "apiextensions.k8s.io/v1beta1",
        ("CustomResourceDefinition",),
        "1.22",
        "apiextensions.k8s.io/v1",
    ),
    RemovedApi(
        "apiregistration.k8s.io/v1beta1", ("APIService",), "1.22", "apiregistration.k8s.io/v1"
    ),
    RemovedApi(
        "authentication.k8s.io/v1beta1", ("TokenReview",), "1.22", "authentication.k8s.io/v1"
    ),
    RemovedApi("authorization.k8s.io/v1beta1", _AUTHZ_REVIEWS, "1.22", "authorization.k8s.io/v1"),
    RemovedApi(
        "certificates.k8s.io/v1beta1",
        ("CertificateSigningRequest",),
        "1.22",
        "certificates.k8s.io/v1",
    ),
    RemovedApi("coordination.k8s.io/v1beta1", ("Lease",), "1.22", "coordination.k8s.io/v1"),
    RemovedApi("rbac.authorization.k8s.io/v1beta1", (), "1.22", "rbac.authorization.k8s.io/v1"),
    RemovedApi("rbac.authorization.k8s.io/v1alpha1", (), "1.22", "rbac.authorization.k8s.io/v1"),
    RemovedApi("scheduling.k8s.io/v1beta1", ("PriorityClass",), "1.22", "scheduling.k8s.io/v1"),
    RemovedApi("scheduling.k8s.io/v1alpha1", ("PriorityClass",), "1.22", "scheduling.k8s.io/v1"),
    RemovedApi(
        "storage.k8s.io/v1beta1",
        ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
        "1.22",
        "storage.k8s.io/v1",
    ),
    # v1.25
    RemovedApi("batch/v1beta1", ("CronJob",), "1.25", "batch/v1"),
    RemovedApi("batch/v2alpha1", ("CronJob",), "1.21", "batch/v1"),
    RemovedApi("discovery.k8s.io/v1beta1", ("EndpointSlice",), "1.25", "discovery.k8s.io/v1"),
    RemovedApi("events.k8s.io/v1beta1", ("Event",), "1.25", "events.k8s.io/v1"),
    RemovedApi("autoscaling/v2beta1", ("HorizontalPodAutoscaler",), "1.25", "autoscaling/v2"),
    RemovedApi("policy/v1beta1", ("PodDisruptionBudget",), "1.25", "policy/v1"),
    RemovedApi(
        "policy/v1beta1",
        ("PodSecurityPolicy",),
        "1.25",
        None,
        "PodSecurityPolicy was removed; use Pod Security Admission (namespace labels)",
    ),
    RemovedApi("node.k8s.io/v1beta1", ("RuntimeClass",), "1.25", "node.k8s.io/v1"),
    # v1.26
    RemovedApi("autoscaling/v2beta2", ("HorizontalPodAutoscaler",), "1.26", "autoscaling/v2"),
    RemovedApi(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        ("FlowSchema", "PriorityLevelConfiguration"),
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    # v1.27
    RemovedApi("storage.k8s.io/v1beta1", ("CSIStorageCapacity",), "1.27", "storage.k8s.io/v1"),
    # v1.29
    RemovedApi(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        ("FlowSchema", "PriorityLevelConfiguration"),
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    # v1.32
    RemovedApi(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        ("FlowSchema", "PriorityLevelConfiguration"),
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    # older alpha APIs still found in archived examples
    RemovedApi(
        "admissionregistration.k8s.io/v1alpha1",
        ("InitializerConfiguration",),
        "1.14",
        None,
        "initializers were replaced by admission webhooks",
    ),
    RemovedApi("settings.k8s.io/v1alpha1", ("PodPreset",), "1.20", None),
    # files that look like objects but were configuration of removed components
    RemovedApi(
        "v1",
        ("Policy",),
        "1.23",
        "kubescheduler.config.k8s.io/v1",
        "the kube-scheduler Policy file was replaced by a KubeSchedulerConfiguration",
    ),
)
"""Removals the bundled schemas cannot show; checked against the Kubernetes deprecation guide."""

_REMOVED_KINDS = {"PodSecurityPolicy": ("1.25", "use Pod Security Admission (namespace labels)")}
"""Kinds removed whatever their apiVersion (`policy/v1 PodSecurityPolicy` never existed)."""


@dataclass(frozen=True)
class Removal:
    """Why an apiVersion/kind is not served by the target release, or will stop being served."""

    removed_in: str
    replacement: str | None
    note: str = ""
    served_now: bool = False  # True: deprecated, still served by the target release


@functools.lru_cache(maxsize=4096)
def removal(version: str, api_version: str, kind: str) -> Removal | None:
    """How `kind` at `api_version` was (or will be) removed, relative to release `version`."""
    group, _ = split_api_version(api_version)
    served = serves(version, api_version, kind)
    for api in REMOVED_APIS:
        if api.covers(api_version, kind):
            if version_key(version) >= version_key(api.removed_in):
                return Removal(api.removed_in, _replacement(version, api, group, kind), api.note)
            if served:
                return Removal(api.removed_in, api.replacement, api.note, served_now=True)
    if not served:
        if kind in _REMOVED_KINDS and group in BUILTIN_GROUPS:
            removed_in, note = _REMOVED_KINDS[kind]
            if version_key(version) >= version_key(removed_in):
                return Removal(removed_in, None, note)
        dropped = _dropped_in(version, api_version, kind)
        if dropped is not None:
            return Removal(dropped, _newest(version, group, kind))
        return None
    later = _dropped_after(version, api_version, kind)
    if later is not None:
        return Removal(later, _newest(later, group, kind), served_now=True)
    return None


def _replacement(version: str, api: RemovedApi, group: str, kind: str) -> str | None:
    if api.replacement is None:
        return None
    if api.replacement.rpartition("/")[0] == group or not serves(version, api.replacement, kind):
        return _newest(version, split_api_version(api.replacement)[0], kind) or api.replacement
    return api.replacement


def _newest(version: str, group: str, kind: str) -> str | None:
    versions = served_versions(version, group, kind)
    return versions[0] if versions else None


def _dropped_in(version: str, api_version: str, kind: str) -> str | None:
    """The first bundled release not serving a kind an older bundled release served."""
    target = version_key(version)
    was_served = False
    for release in bundled_versions():
        if version_key(release) > target:
            break
        if serves(release, api_version, kind):
            was_served = True
        elif was_served:
            return release
    return None


def _dropped_after(version: str, api_version: str, kind: str) -> str | None:
    """The first bundled release after `version` that stops serving a kind."""
    target = version_key(version)
    for release in bundled_versions():
        if version_key(release) > target and not serves(release, api_version, kind):
            return release
    return None


# -- CustomResourceDefinition schemas ----------------------------------------------------------


@functools.lru_cache(maxsize=256)
def crd_validator(openapi_json: str) -> KindValidator | None:
    """The compiled validator of a CRD version's openAPIV3Schema (given as JSON text, the cache
    key: one compile per distinct schema however many units see the CRD); None when
    jsonschema-rs cannot compile it."""
    schema = crd_json_schema(json.loads(openapi_json))
    try:
        compiled = compile_schema(schema)
    except (ValueError, TypeError):
        return None
    return KindValidator(compiled, {}, schema)


def crd_json_schema(openapi: dict[str, Any]) -> dict[str, Any]:
    """A CRD's structural openAPIV3Schema as JSON Schema 2020-12, with the API server's rules.

    `nullable` admits null, `x-kubernetes-int-or-string` admits an integer or a string, and a
    node with `properties` but neither `additionalProperties` nor
    `x-kubernetes-preserve-unknown-fields` rejects unknown fields (strict field validation,
    kubectl's default). The root always accepts apiVersion, kind and metadata.
    """
    converted = _convert_crd_node(openapi, root=True)
    converted["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return converted


_CRD_DROP = frozenset({"nullable", "format", "$schema", "id", "$id", "definitions", "$ref"})


def _convert_crd_node(node: Any, root: bool = False) -> dict[str, Any]:
    if not isinstance(node, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _CRD_DROP or (isinstance(key, str) and key.startswith("x-kubernetes-")):
            continue
        if key in ("properties", "patternProperties", "dependentSchemas"):
            if isinstance(value, dict):
                out[key] = {k: _convert_crd_node(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            if isinstance(value, dict):
                out[key] = _convert_crd_node(value)
            elif isinstance(value, bool):
                out[key] = value
        elif key in ("allOf", "anyOf", "oneOf"):
            if isinstance(value, list):
                out[key] = [_convert_crd_node(v) for v in value]
        else:
            out[key] = value
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    embedded = node.get("x-kubernetes-embedded-resource") is True
    if node.get("x-kubernetes-int-or-string") is True:
        out.pop("type", None)
        if "anyOf" not in node:  # the node's own anyOf (converted above) narrows it: keep it
            out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if root or embedded:  # metadata is always ObjectMeta, whatever the CRD narrows
        properties = out.setdefault("properties", {})
        properties.setdefault("apiVersion", {"type": "string"})
        properties.setdefault("kind", {"type": "string"})
        properties["metadata"] = {"type": "object"}
    if (
        isinstance(node.get("properties"), dict)
        and "additionalProperties" not in out
        and not preserve
        and out.get("type") in ("object", None)
    ):
        out["additionalProperties"] = False
    return out


__all__ = [
    "BUILTIN_GROUPS",
    "KindValidator",
    "Removal",
    "bundled_versions",
    "crd_validator",
    "default_version",
    "is_builtin_group",
    "kind_versions",
    "removal",
    "resolve_version",
    "schema_groups",
    "served_kinds",
    "split_api_version",
    "validator_for",
    "vendored_validator",
]

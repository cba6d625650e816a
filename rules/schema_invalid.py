"""A manifest, compose file or Grafana provisioning file does not match its schema.

## What it finds
Kubernetes objects that the target Kubernetes version (`--kubernetes-version` or
`kubernetes-version` in the config, default the newest bundled by kubernetes-validate) would
reject: an unknown field (`contianers:`; strict field validation, as `kubectl apply` does), a
wrong type (`replicas: "3"`, a number where a string belongs), a value outside an enum, a
missing required field, and an apiVersion the version no longer serves, named with its
replacement and the release that removed it (`extensions/v1beta1` DaemonSet: removed in 1.16,
use apps/v1). A deprecated apiVersion that the target version still serves but a later bundled
release removes is a warning. Custom resources are checked against the openAPIV3Schema of their
CustomResourceDefinition when the CRD is in the linted files (a CR without its CRD is
missing-crd's business, never this rule's). Each compose file, as written, against the
compose-spec JSON schema (schemas/compose-spec.json); each kustomization against the
SchemaStore kustomization schema (schemas/kustomization.json, minus the kustomize 5 fields it
lags behind); and Grafana datasource provisioning files against
schemas/grafana-datasources.schema.json. Each finding sits on the failing value (on the
key for an unknown field, on the mapping for a missing one), one per distinct path.
## Why it breaks
`kubectl apply` stops at the first invalid object (`unknown field "spec.template.spec.contianers"`,
`cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
`no matches for kind "Deployment" in version "extensions/v1beta1"` after a cluster upgrade),
so a deployment that worked on the old cluster fails halfway; docker compose refuses a file
that breaks its schema, and Grafana ignores a misspelled provisioning key or fails to start on a
wrong type.
## Silent when
The object validates; its kind is not built into Kubernetes and no CRD for it is in the linted
files; a kustomization field newer than the SchemaStore schema (`sortOptions`,
`labels[].includeTemplates`, ...); Helm templates (not YAML until rendered); in compose files,
values written with `${VAR}` interpolation whose type only the interpolated value decides, and
values under `!reset`/`!override` tags; null values, which Kubernetes reads as unset.
## Example
```yaml
# file: k8s/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "2"
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      contianers:
        - name: web
          image: nginx:1.27
```
## Use instead
```yaml
# file: k8s/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
```
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from typing import Any

from k8slint.lint import kubernetes
from k8slint.lint.findings import Finding, Severity
from k8slint.lint.kustomize.build import KUSTOMIZATION_NAMES
from k8slint.lint.model.grafana import is_provisioning_file
from k8slint.lint.model.k8s import K8sObject, child, mapping, sequence
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.lint.yamlpos import YMap
from k8slint.rules import _schema

RULE = Rule(id="schema-invalid", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions

COMPOSE_SCHEMA = "compose-spec.json"
GRAFANA_SCHEMA = "grafana-datasources.schema.json"
MAX_PER_DOCUMENT = 20
"""More than this many problems in one document are a wrong file type, not typos: keep the first."""


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    version = kubernetes.resolve_version(ws.config.kubernetes_version)
    crds = _schema.crd_index(ws)
    # by (group, version, kind): the CRD index is workspace-wide, so is a CRD's validator
    crd_validators: dict[tuple[str, str, str], Any] = ws.memo_shared(
        "schema-invalid.crd-validators", dict
    )
    # outside a kustomize build, a kustomization's inputs are incomplete by design
    in_build = ws.unit is not None and ws.unit.kustomize
    partial = _kustomize_inputs(ws) if ws.objects and not in_build else frozenset()
    for obj in ws.objects:
        yield from _check_object(obj, version, crds, crd_validators, obj.path in partial)
    # files outside the Kubernetes model: once per run, with the first unit (or no unit)
    if ws.first_unit:
        yield from _check_compose_files(ws)
        yield from _check_grafana_files(ws)
        yield from _check_kustomization_files(ws)


# -- Kubernetes objects ----------------------------------------------------------------------------


def _check_object(
    obj: K8sObject,
    version: str,
    crds: dict[tuple[str, str], K8sObject],
    crd_validators: dict[tuple[str, str, str], Any],
    patch: bool,
) -> Iterator[Finding]:
    api_version, kind = obj.api_version, obj.kind
    group = obj.group
    if not kubernetes.is_builtin_group(group):
        crd = crds.get((group, kind))
        if crd is not None and _crd_covers(crd, obj):
            validator = _crd_validator(crd, crd_validators, api_version, kind)
            if validator is not None:
                yield from _validate(obj, validator, f"the {kind} CRD's schema", patch)
        return
    gone = kubernetes.removal(version, api_version, kind)
    if gone is not None and not gone.served_now:
        yield _removed_finding(obj, version, gone)
        return
    validator = kubernetes.validator_for(version, api_version, kind)
    if validator is None:
        yield _unserved_finding(obj, version)
        return
    if gone is not None:  # deprecated: served now, removed by a later bundled release
        yield _removed_finding(obj, version, gone)
    yield from _validate(obj, validator, f"Kubernetes {version}", patch)


def _validate(obj: K8sObject, validator: Any, against: str, patch: bool) -> Iterator[Finding]:
    def skip(error: Any) -> bool:
        return _k8s_skip(error) or (patch and _patch_skip(error))

    found = _schema.issues(validator.validator, obj.body, _schema_lookup(validator), skip)
    for issue in found[:MAX_PER_DOCUMENT]:
        loc = _schema.locate(obj.body, issue, obj.body.loc)
        yield RULE.finding(loc, f"{issue.message} ({obj.kind} {obj.name!r}, {against})")


def _k8s_skip(error: Any) -> bool:
    path = list(error.instance_path)
    if len(path) == 1 and path[0] in ("apiVersion", "kind"):
        return True  # they were matched to pick the schema; their enums only repeat that
    if error.kind.name in ("type", "anyOf", "oneOf", "enum", "pattern", "format"):
        return _schema.placeholder(error.instance)
    return False


def _patch_skip(error: Any) -> bool:
    """A kustomize patch names only what it changes, with `$patch`-style directives."""
    if error.kind.name == "required":
        return True
    if error.kind.name == "additionalProperties":
        return all(str(k).startswith("$") for k in getattr(error.kind, "unexpected", ()))
    return False


def _kustomize_inputs(ws: Workspace) -> frozenset[str]:
    """Files that kustomizations read as resources or apply as patches.

    On their own they may lack required fields by design: a patch names only what it changes,
    and `commonLabels` writes a Deployment's selector. A kustomize build validates them once
    merged; outside it, only their unknown fields and wrong types are reported.
    """
    found: set[str] = set()
    for rel in ws.files:
        if posixpath.basename(rel) not in KUSTOMIZATION_NAMES:
            continue
        source = ws.source(rel)
        if source is None or source.error is not None:
            continue
        directory = posixpath.dirname(rel)
        for document in source.documents:
            root = document.root
            if not isinstance(root, YMap):
                continue
            for key in ("resources", "patchesStrategicMerge", "patches", "patchesJson6902"):
                for entry in sequence(root, key):
                    path = entry.get("path") if isinstance(entry, YMap) else entry
                    if isinstance(path, str) and "\n" not in path and not path.startswith("http"):
                        found.add(posixpath.normpath(posixpath.join(directory, path)))
    return frozenset(found)


def _schema_lookup(validator: Any) -> _schema.SchemaLookup:
    def lookup(error: Any) -> Any:
        return validator.schema_at(error.absolute_keyword_location, error.schema_path)

    return lookup


def _removed_finding(obj: K8sObject, version: str, gone: kubernetes.Removal) -> Finding:
    api_loc = obj.body.value_loc("apiVersion")
    what = f"{obj.api_version} {obj.kind}"
    if gone.served_now:
        fault = f"{what} is deprecated and removed in Kubernetes {gone.removed_in}"
    else:
        fault = f"{what} was removed in Kubernetes {gone.removed_in} (target {version})"
    if gone.replacement:
        fix = f"use apiVersion: {gone.replacement}"
        if gone.note:
            fix += f" ({gone.note})"
    else:
        fix = gone.note or "remove it"
    severity = Severity.WARNING if gone.served_now else None
    return RULE.finding(api_loc, f"{fault}; {fix}", severity=severity)


def _unserved_finding(obj: K8sObject, version: str) -> Finding:
    import difflib

    kinds = sorted(kubernetes.served_kinds(version, obj.api_version))
    elsewhere = kubernetes.kind_versions(version, obj.kind)
    if not kinds:  # the group/version itself is unknown
        fix = f"use apiVersion: {elsewhere[0]}" if elsewhere else "check the apiVersion"
        return RULE.finding(
            obj.body.value_loc("apiVersion"),
            f"apiVersion {obj.api_version} is not served by Kubernetes {version}; {fix}",
        )
    close = difflib.get_close_matches(obj.kind, kinds, n=1, cutoff=0.6)
    if elsewhere:
        fix = f"use apiVersion: {elsewhere[0]}"
    elif close:
        fix = f"did you mean kind: {close[0]}?"
    else:
        fix = f"it serves {', '.join(kinds[:6])}{', ...' if len(kinds) > 6 else ''}"
    return RULE.finding(
        obj.body.value_loc("kind"),
        f"kind {obj.kind!r} is not served by {obj.api_version} in Kubernetes {version}; {fix}",
    )


# -- custom resources ------------------------------------------------------------------------------


def _crd_covers(crd: K8sObject, obj: K8sObject) -> bool:
    """Whether a CRD file describes the API a custom resource was written for.

    A repository can hold several releases of one operator (a quickstart's CRDs next to a
    sample written for a newer release), so a CRD only validates the custom resources of its
    own directory tree and of the directory right above it (kube-prometheus keeps its CRDs in
    manifests/setup/ for the resources in manifests/).
    """
    crd_dir, obj_dir = posixpath.dirname(crd.path), posixpath.dirname(obj.path)
    if obj_dir == crd_dir or obj_dir.startswith(crd_dir + "/") or crd_dir == "":
        return True
    return posixpath.dirname(crd_dir) == obj_dir


def _crd_validator(
    crd: K8sObject,
    cache: dict[tuple[str, str, str], Any],
    api_version: str,
    kind: str,
) -> Any:
    group, version = kubernetes.split_api_version(api_version)
    key = (group, version, kind)
    if key not in cache:
        openapi = _crd_openapi(crd, version)
        cache[key] = None
        if openapi is not None:
            cache[key] = kubernetes.crd_validator(json.dumps(openapi, default=str))
    return cache[key]


def _crd_openapi(crd: K8sObject, version: str) -> Any:
    for _index, entry in enumerate(sequence(crd.body, "spec", "versions")):
        if isinstance(entry, YMap) and entry.get("name") == version:
            found = child(entry, "schema", "openAPIV3Schema")
            return (
                found
                if isinstance(found, YMap)
                else mapping(crd.body, "spec", "validation", "openAPIV3Schema")
            )
    return mapping(crd.body, "spec", "validation", "openAPIV3Schema")


# -- compose and Grafana files ----------------------------------------------------------


def _check_compose_files(ws: Workspace) -> Iterator[Finding]:
    from k8slint.lint.model.compose import is_compose_file

    files = [rel for rel in ws.files if is_compose_file(rel)]
    if not files:
        return
    validator = kubernetes.vendored_validator(COMPOSE_SCHEMA)
    for rel in files:
        source = ws.source(rel)
        if source is None or source.error is not None:
            continue
        for document in source.documents:
            root = document.root
            if not (isinstance(root, YMap) and _is_compose_document(root)):
                continue

            def skip(error: Any, root: YMap = root) -> bool:
                return _compose_skip(root, error)

            found = _schema.issues(validator.validator, root, _schema_lookup(validator), skip)
            for issue in found[:MAX_PER_DOCUMENT]:
                loc = _schema.locate(root, issue, root.loc)
                yield RULE.finding(loc, f"{issue.message} (compose-spec)")


def _check_kustomization_files(ws: Workspace) -> Iterator[Finding]:
    from k8slint.lint.kustomize.schema import validate_kustomization

    for rel in ws.files:
        if posixpath.basename(rel) not in KUSTOMIZATION_NAMES:
            continue
        source = ws.source(rel)
        if source is None or source.error is not None or not source.documents:
            continue
        root = source.documents[0].root
        if isinstance(root, YMap):
            for loc, message in validate_kustomization(root)[:MAX_PER_DOCUMENT]:
                yield RULE.finding(loc, message)  # the message names its schema


def _is_compose_document(root: YMap) -> bool:
    return "services" in root or "include" in root


def _compose_skip(root: YMap, error: Any) -> bool:
    """Interpolated values (`${PORT}`) get their type from the variable: compose validates
    them after interpolation, so only the raw text is known here; `!reset`/`!override` values
    are replaced before validation."""
    path = tuple(error.instance_path)
    if _schema.tagged(root, path):
        return True
    if error.kind.name in ("anyOf", "oneOf"):
        return _interpolated(error.instance)
    return error.kind.name != "additionalProperties" and _interpolated(error.instance)


def _interpolated(value: Any) -> bool:
    if isinstance(value, str):
        return "$" in value
    if isinstance(value, dict):
        return any(_interpolated(v) for v in value.values())
    if isinstance(value, list):
        return any(_interpolated(v) for v in value)
    return False


def _check_grafana_files(ws: Workspace) -> Iterator[Finding]:
    validator = None
    for rel in ws.yaml_files():
        source = ws.source(rel)
        if source is None or source.error is not None:
            continue
        for document in source.documents:
            root = document.root
            if not is_provisioning_file(root):
                continue
            validator = validator or kubernetes.vendored_validator(GRAFANA_SCHEMA)
            found = _schema.issues(validator.validator, root, _schema_lookup(validator))
            for issue in found[:MAX_PER_DOCUMENT]:
                loc = _schema.locate(root, issue, root.loc)
                yield RULE.finding(loc, f"{issue.message} (Grafana datasource provisioning)")

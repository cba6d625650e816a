"""Grafana datasource provisioning, wherever a repository keeps it.

Grafana reads every `*.yaml`/`*.yml` file of its `provisioning/datasources` directory at start
and validates them together (one default datasource per organization, over all the files).
Repositories feed that directory three ways, and each gives the set of files one Grafana loads:

- standalone provisioning files (`apiVersion: 1` + `datasources:`): one directory is one set,
  however it reaches the container (a compose bind mount copies the whole directory);
- ConfigMaps and Secrets whose `*.yaml` data keys hold such a file: the Grafana sidecar (label
  `grafana_datasource`) or a volume mount writes the keys into the directory, so the objects of
  one deployment unit and namespace form one set;
- Helm values files: the grafana chart's `datasources:` block, kube-prometheus-stack's
  `grafana.additionalDataSources` and its own default Prometheus datasource, the same under an
  umbrella chart's subchart key. Each values file is one release's set.

`grafana_datasources(ws)` returns every datasource found, each tagged with its set (`group`)
and with `Located` values so a rule can point at the exact `isDefault:` line, even inside a
ConfigMap's `|` block value. `deleteDatasources` entries are not datasources and are skipped.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.embedded import parse_embedded
from k8slint.lint.model.k8s import K8sObject, child, mapping, sequence
from k8slint.lint.yamlpos import YMap, YSeq

if TYPE_CHECKING:
    from k8slint.lint.model.workspace import Unit, Workspace

DATASOURCE_FILE_SUFFIXES = (".yaml", ".yml")
"""Grafana only reads provisioning files with these suffixes."""

_VALUES_FILE = re.compile(r"^values[\w.-]*\.ya?ml$")
PROVISIONING_KEYS = frozenset(
    {
        *("datasources", "deleteDatasources", "providers", "apps", "notifiers"),
        *("delete_notifiers", "groups", "deleteRules", "contactPoints", "deleteContactPoints"),
        *("policies", "resetPolicies", "templates", "deleteTemplates", "muteTimes"),
        "deleteMuteTimes",
    }
)
"""Top-level lists of Grafana provisioning files: datasources, dashboards, plugins, alerting."""


@dataclass(frozen=True, slots=True)
class Datasource:
    """One provisioned datasource.

    `group` names the set of datasources one Grafana loads together: ("dir", directory),
    ("k8s", unit, namespace, area) or ("helm", values file); `origin` says where this one is
    written, for messages.
    """

    name: str
    org_id: int
    is_default: Located[Any] | None  # the `isDefault` value as written
    loc: Loc  # the datasource entry
    group: tuple[str, ...]
    origin: str
    exact: bool = True  # False: located at a whole encoded value (base64 Secret data)

    @property
    def default(self) -> bool:
        return self.is_default is not None and self.is_default.value is True


def is_provisioning_file(root: Any) -> bool:
    """Whether a document is a Grafana datasource provisioning file (`apiVersion` + lists)."""
    if not _provisioning_header(root):
        return False
    return isinstance(root.get("datasources"), YSeq) or isinstance(
        root.get("deleteDatasources"), YSeq
    )


def is_provisioning_document(root: Any) -> bool:
    """Whether a document is any Grafana provisioning file (datasources, dashboards, plugins,
    alerting): `apiVersion`, no `kind`, and one of `PROVISIONING_KEYS`."""
    return _provisioning_header(root) and any(key in root for key in PROVISIONING_KEYS)


def _provisioning_header(root: Any) -> bool:
    return isinstance(root, YMap) and "kind" not in root and "apiVersion" in root


def datasources_in(root: YMap, group: tuple[str, ...], origin: str) -> list[Datasource]:
    """The `datasources:` entries of a provisioning document."""
    return _entries(sequence(root, "datasources"), group, origin)


def _entries(seq: YSeq, group: tuple[str, ...], origin: str) -> list[Datasource]:
    found = []
    for index, item in enumerate(seq):
        if not isinstance(item, YMap):
            continue
        name = item.get("name")
        found.append(
            Datasource(
                name=name if isinstance(name, str) else str(name or ""),
                org_id=_org_id(item.get("orgId")),
                is_default=(
                    Located(item["isDefault"], item.value_loc("isDefault"))
                    if "isDefault" in item
                    else None
                ),
                loc=seq.item_loc(index),
                group=group,
                origin=origin,
            )
        )
    return found


def _org_id(value: Any) -> int:
    """Grafana provisions into org 1 when orgId is missing or below 1."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value >= 1 else 1


# -- the three sources --------------------------------------------------------------------------


def grafana_datasources(ws: Workspace) -> list[Datasource]:
    """Every datasource of the workspace, ordered by file and line."""
    found = [*provisioning_datasources(ws), *helm_values_datasources(ws)]
    for unit in ws.units:
        found.extend(object_datasources(ws, unit))
    found.sort(key=lambda d: (d.loc, d.group))
    return found


def provisioning_datasources(ws: Workspace) -> Iterator[Datasource]:
    """Datasources of standalone provisioning files, one set per directory."""
    for rel in ws.yaml_files():
        if not rel.endswith(DATASOURCE_FILE_SUFFIXES):
            continue
        source = ws.source(rel)
        if source is None or source.error is not None:
            continue
        for document in source.documents:
            if is_provisioning_file(document.root):
                yield from datasources_in(document.root, ("dir", posixpath.dirname(rel)), rel)


def object_datasources(ws: Workspace, unit: Unit) -> Iterator[Datasource]:
    """Datasources carried in ConfigMap/Secret data, one set per unit and namespace.

    In the plain manifests (not a kustomize build) a set also stays inside one top-level
    directory: a root holding several repositories never mixes their Grafanas.
    """
    for obj in unit.objects:
        if obj.kind not in ("ConfigMap", "Secret"):
            continue
        area = "" if unit.kustomize else _top_dir(obj.path)
        group = ("k8s", unit.name, obj.effective_namespace, area)
        yield from _object_datasources(ws, obj, group)


def _object_datasources(
    ws: Workspace, obj: K8sObject, group: tuple[str, ...]
) -> Iterator[Datasource]:
    for entry in obj.data_entries:
        if entry.value is None or not entry.key.endswith(DATASOURCE_FILE_SUFFIXES):
            continue
        if "datasources" not in entry.value:
            continue
        documents = parse_embedded(entry.value, entry.loc, None if entry.encoded else ws.project)
        origin = f"{obj.kind} {obj.effective_namespace}/{obj.name} key {entry.key}"
        for document in documents or ():
            if not is_provisioning_file(document.root):
                continue
            for ds in datasources_in(document.root, group, origin):
                exact = ds.is_default is None or ds.is_default.loc != entry.loc
                yield ds if exact else replace(ds, exact=False)


def _top_dir(path: str) -> str:
    from k8slint.lint.model.workspace import top_dir

    return top_dir(path)


def is_values_file(rel: str) -> bool:
    """Helm values files: values.yaml, values-prod.yaml, values.dev.yml, ... (a chart reads
    values.yaml; `helm -f` files named like it are the convention; `my-values.yaml` is not
    taken for one)."""
    return bool(_VALUES_FILE.match(posixpath.basename(rel)))


def helm_values_datasources(ws: Workspace) -> Iterator[Datasource]:
    """Datasources set in Helm values files, one set per file."""
    for rel in ws.yaml_files():
        if not is_values_file(rel):
            continue
        source = ws.source(rel)
        if source is None or source.error is not None:
            continue
        for document in source.documents:
            root = document.root
            if not isinstance(root, YMap) or "kind" in root or is_provisioning_file(root):
                continue
            for block, prefix in _grafana_blocks(root):
                yield from _values_block(block, ("helm", rel), rel, prefix)


def _grafana_blocks(root: YMap) -> Iterator[tuple[YMap, str]]:
    """The values the grafana chart reads: the file itself (the grafana chart's own values),
    `grafana:` (a subchart), and `<umbrella-subchart>.grafana:`; disabled blocks are skipped."""
    yield root, ""
    grafana = mapping(root, "grafana")
    if grafana is not None and grafana.get("enabled") is not False:
        yield grafana, "grafana."
    for key, value in root.items():
        if key == "grafana" or not isinstance(value, YMap) or value.get("enabled") is False:
            continue
        nested = mapping(value, "grafana")
        if nested is not None and nested.get("enabled") is not False:
            yield nested, f"{key}.grafana."


def _values_block(
    block: YMap, group: tuple[str, ...], rel: str, prefix: str
) -> Iterator[Datasource]:
    # the grafana chart: datasources: {"datasources.yaml": {apiVersion: 1, datasources: [...]}}
    files = mapping(block, "datasources")
    for file_name, content in (files or {}).items():
        if isinstance(content, YMap) and isinstance(content.get("datasources"), YSeq):
            origin = f"{rel} {prefix}datasources.{file_name}"
            yield from datasources_in(content, group, origin)
    if prefix:  # kube-prometheus-stack: grafana.additionalDataSources: [...]
        additional = child(block, "additionalDataSources")
        if isinstance(additional, YSeq):
            yield from _entries(additional, group, f"{rel} {prefix}additionalDataSources")
        chart_default = _chart_default(block, group, rel, prefix)
        if chart_default is not None:
            yield chart_default


def _chart_default(block: YMap, group: tuple[str, ...], rel: str, prefix: str) -> Datasource | None:
    """kube-prometheus-stack's own Prometheus datasource, when the file marks it default.

    The chart renders it from `grafana.sidecar.datasources` (`defaultDatasourceEnabled`,
    `isDefaultDatasource`, `name`) into the same ConfigMap as `additionalDataSources`. Only an
    explicit `isDefaultDatasource: true` counts; the chart's own default is not assumed.
    """
    settings = mapping(block, "sidecar", "datasources")
    if settings is None or settings.get("isDefaultDatasource") is not True:
        return None
    if settings.get("enabled") is False or settings.get("defaultDatasourceEnabled") is False:
        return None
    name = settings.get("name")
    return Datasource(
        name=name if isinstance(name, str) else "Prometheus",
        org_id=1,
        is_default=Located(True, settings.value_loc("isDefaultDatasource")),
        loc=settings.loc,
        group=group,
        origin=f"{rel} {prefix}sidecar.datasources",
    )

"""Field specs: which fields of which kinds a transformer touches, and how to reach them.

A spec is a slash path (`spec/template/metadata/labels`) with an optional kind/group/version
filter and a `create` flag. Walking a path descends into every item of a list met on the way,
as kustomize does. The tables are kustomize's defaults; `configurations:` files add to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from k8slint.lint.kubernetes import split_api_version
from k8slint.lint.kustomize.resource import Res
from k8slint.lint.locate import Loc
from k8slint.lint.model.k8s import POD_SPEC_PATHS
from k8slint.lint.yamlpos import YMap


@dataclass(frozen=True)
class FieldSpec:
    path: tuple[str, ...]
    kind: str = ""
    group: str | None = None
    version: str = ""
    create: bool = False

    def selects(self, res: Res) -> bool:
        return selects_gvk(res, self.kind, self.group, self.version)


def selects_gvk(res: Res, kind: str, group: str | None, version: str) -> bool:
    if kind and res.kind != kind:
        return False
    if group is not None or version:
        res_group, res_version = split_api_version(res.api_version)
        if group is not None and group != res_group:
            return False
        if version and version != res_version:
            return False
    return True


def split_path(path: str) -> tuple[str, ...]:
    """`a/b\\/c/d` -> ("a", "b/c", "d")."""
    parts: list[str] = []
    current = ""
    index = 0
    while index < len(path):
        ch = path[index]
        if ch == "\\" and index + 1 < len(path) and path[index + 1] == "/":
            current += "/"
            index += 2
            continue
        if ch == "/":
            parts.append(current)
            current = ""
        else:
            current += ch
        index += 1
    parts.append(current)
    return tuple(p for p in parts if p)


def spec(
    path: str, kind: str = "", group: str | None = None, version: str = "", create: bool = False
) -> FieldSpec:
    return FieldSpec(split_path(path), kind, group, version, create)


def parse_specs(node: Any) -> list[FieldSpec]:
    """Field specs from a kustomize config list (`- path: ..., kind: ..., create: true`)."""
    out: list[FieldSpec] = []
    if not isinstance(node, list):
        return out
    for item in node:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            group = item.get("group")
            out.append(
                spec(
                    item["path"],
                    str(item.get("kind") or ""),
                    str(group) if group is not None else None,
                    str(item.get("version") or ""),
                    bool(item.get("create")),
                )
            )
    return out


Setter = Callable[[YMap, str], None]
"""Called with (parent mapping, field name) at the end of a path; may read, set or skip."""


def walk(node: Any, path: tuple[str, ...], create: bool, loc: Loc, setter: Setter) -> None:
    """Call `setter` for every parent of the last field of `path` under `node`."""
    if isinstance(node, list):
        for item in node:
            walk(item, path, create, loc, setter)
        return
    if not isinstance(node, YMap) or not path:
        return
    last = len(path) - 1
    index = 0
    while True:  # down the mappings without a call per level; a list fans out
        head = path[index]
        listed = head.endswith("[]")
        if listed:
            head = head[:-2]
        if index == last:
            setter(node, head)
            return
        child = node.get(head)
        if child is None:
            if not create or listed:  # kustomize never creates a list (`volumeClaimTemplates[]`)
                return
            child = YMap(loc)
            node.set_located(head, child, loc, loc)
        index += 1
        if isinstance(child, list):
            rest = path[index:]
            for item in child:
                walk(item, rest, create, loc, setter)
            return
        if not isinstance(child, YMap):
            return
        node = child


class SpecIndex:
    """The specs of a table that select a resource, in table order, once per (kind, apiVersion).

    Whether a spec selects a resource depends on nothing else (`selects_gvk`), so a build's
    thousands of resources share a few filtered lists instead of testing every spec on each.
    `dedupe` names what makes two selected specs the same walk (the first one is kept).
    """

    def __init__(
        self,
        specs: Iterable[FieldSpec],
        dedupe: Callable[[FieldSpec], Any] = lambda fs: (fs.path, fs.create),
    ) -> None:
        self.specs = tuple(specs)
        self._dedupe = dedupe
        self._selected: dict[tuple[str, str], tuple[FieldSpec, ...]] = {}

    def selecting(self, res: Res) -> tuple[FieldSpec, ...]:
        obj = res.obj
        kind = obj.get("kind")
        api_version = obj.get("apiVersion")
        key = (
            kind if isinstance(kind, str) else "",
            api_version if isinstance(api_version, str) else "",
        )
        found = self._selected.get(key)
        if found is None:
            seen: set[Any] = set()
            out = []
            for fs in self.specs:
                if not fs.selects(res):
                    continue
                ident = self._dedupe(fs)
                if ident in seen:
                    continue
                seen.add(ident)
                out.append(fs)
            found = self._selected[key] = tuple(out)
        return found


_AFFINITY = (
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution"
    "/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution"
    "/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution"
    "/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution"
    "/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
)
_LABEL_SELECTOR_SPECS = (
    """
spec/selector create Service v1
spec/selector create ReplicationController v1
spec/selector/matchLabels create Deployment
"""
    + "".join(f"{path} - Deployment apps\n" for path in _AFFINITY)
    + """
spec/selector/matchLabels create ReplicaSet
spec/selector/matchLabels create DaemonSet
spec/selector/matchLabels create StatefulSet apps
spec/volumeClaimTemplates[]/metadata/labels create StatefulSet apps
"""
    + "".join(f"{path} - StatefulSet apps\n" for path in _AFFINITY)
    + """
spec/selector/matchLabels - Job batch
spec/jobTemplate/spec/selector/matchLabels - CronJob batch
spec/selector/matchLabels - PodDisruptionBudget policy
spec/podSelector/matchLabels - NetworkPolicy networking.k8s.io
spec/ingress/from/podSelector/matchLabels - NetworkPolicy networking.k8s.io
spec/egress/to/podSelector/matchLabels - NetworkPolicy networking.k8s.io
"""
)

_LABEL_TEMPLATE_SPECS = """
spec/template/metadata/labels create ReplicationController v1
spec/template/metadata/labels create Deployment
spec/template/metadata/labels create ReplicaSet
spec/template/metadata/labels create DaemonSet
spec/template/metadata/labels create StatefulSet apps
spec/volumeClaimTemplates[]/metadata/labels create StatefulSet apps
spec/template/metadata/labels create Job batch
spec/jobTemplate/metadata/labels create CronJob batch
spec/jobTemplate/spec/template/metadata/labels create CronJob batch
"""

_ANNOTATION_SPECS = """
metadata/annotations create
spec/template/metadata/annotations create ReplicationController v1
spec/template/metadata/annotations create Deployment
spec/template/metadata/annotations create ReplicaSet
spec/template/metadata/annotations create DaemonSet
spec/template/metadata/annotations create StatefulSet
spec/template/metadata/annotations create Job batch
spec/jobTemplate/metadata/annotations create CronJob batch
spec/jobTemplate/spec/template/metadata/annotations create CronJob batch
"""


def _table(text: str) -> list[FieldSpec]:
    """Rows of `path create|- [kind [group|version]]` (v1 is a version, anything else a group)."""
    out = []
    for row in text.strip().splitlines():
        parts = row.split()
        if not parts:
            continue
        path, create = parts[0], len(parts) > 1 and parts[1] == "create"
        kind = parts[2] if len(parts) > 2 else ""
        group: str | None = None
        version = ""
        if len(parts) > 3:
            if parts[3] == "v1":
                version = "v1"
            else:
                group = parts[3]
        out.append(spec(path, kind, group, version, create))
    return out


METADATA_LABELS = [spec("metadata/labels", create=True)]
LABEL_TEMPLATES = _table(_LABEL_TEMPLATE_SPECS)
LABEL_SELECTORS = _table(_LABEL_SELECTOR_SPECS)
COMMON_LABELS = LABEL_SELECTORS + METADATA_LABELS + LABEL_TEMPLATES
COMMON_ANNOTATIONS = _table(_ANNOTATION_SPECS)
# the kinds whose spec/replicas the `replicas:` field sets (any group)
REPLICA_KINDS = frozenset({"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"})
# pod templates whose `vars` kustomize resolves (PodTemplate objects are not among them)
_POD_TEMPLATES = {
    kind: "/".join(path) for kind, path in POD_SPEC_PATHS.items() if kind != "PodTemplate"
}
VAR_REFERENCES = (
    [
        spec(f"{base}/{containers}/{field}", kind)
        for kind, base in _POD_TEMPLATES.items()
        for containers in ("containers", "initContainers")
        for field in ("command", "args", "env/value")
    ]
    + [spec(f"{base}/volumes/nfs/server", kind) for kind, base in _POD_TEMPLATES.items()]
    + [
        spec("spec/rules/host", "Ingress"),
        spec("spec/tls/hosts", "Ingress"),
        spec("spec/tls/secretName", "Ingress"),
    ]
)

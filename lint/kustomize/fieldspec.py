"""Field specs: which fields of which kinds a transformer touches, and how to reach them.

A spec is a slash path (`spec/template/metadata/labels`) with an optional kind/group/version
filter and a `create` flag. Walking a path descends into every item of a list met on the way,
as kustomize does. The tables are kustomize's defaults; `configurations:` files add to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
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

    def selects_type(self, kind: str, api_version: str) -> bool:
        """`selects` for a resource of this kind and apiVersion."""
        return gvk_matches(kind, api_version, self.kind, self.group, self.version)


def selects_gvk(res: Res, kind: str, group: str | None, version: str) -> bool:
    return gvk_matches(res.kind, res.api_version, kind, group, version)


def gvk_matches(
    res_kind: str, api_version: str, kind: str, group: str | None, version: str
) -> bool:
    """Whether a resource's kind and apiVersion meet a filter ("" and None match anything)."""
    if kind and res_kind != kind:
        return False
    if group is not None or version:
        res_group, res_version = split_api_version(api_version)
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
    if path:
        _walk(node, _steps(path), 0, create, loc, setter)


Step = tuple[str, bool]  # a field name, and whether the path marks it as a list (`name[]`)


@lru_cache(maxsize=1024)
def _steps(path: tuple[str, ...]) -> tuple[Step, ...]:
    """A path's fields, parsed once: a build walks the same few paths over every resource."""
    return tuple((head[:-2], True) if head.endswith("[]") else (head, False) for head in path)


def _walk(
    node: Any, steps: tuple[Step, ...], index: int, create: bool, loc: Loc, setter: Setter
) -> None:
    """`walk` from `steps[index]` on."""
    if isinstance(node, list):
        for item in node:
            _walk(item, steps, index, create, loc, setter)
        return
    if not isinstance(node, YMap):
        return
    last = len(steps) - 1
    while True:  # down the mappings without a call per level; a list fans out
        head, listed = steps[index]
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
            for item in child:
                _walk(item, steps, index, create, loc, setter)
            return
        if not isinstance(child, YMap):
            return
        node = child


class PathTrie:
    """Paths walked together, creating nothing: the fields they share are descended once.

    `reach` gives what `walk` would hand its setter for each path: (path index, parent,
    field), each path's in `walk`'s order, the paths in the order given. Gathering before
    setting is safe for setters that only replace scalars (name references, vars): the
    mappings and lists a walk goes through stay the same.
    """

    def __init__(self, paths: Iterable[tuple[str, ...]]) -> None:
        self._root: _Branches = {}
        for index, path in enumerate(paths):
            branches = self._root
            for depth, (head, _listed) in enumerate(_steps(path)):
                ends, children = branches.setdefault(head, ([], {}))
                if depth == len(path) - 1:
                    ends.append(index)
                branches = children

    def reach(self, node: Any) -> list[tuple[int, YMap, str]]:
        found: list[tuple[int, YMap, str]] = []
        _reach(node, self._root, found)
        found.sort(key=_path_index)  # stable: each path's own order is kept
        return found


_Branches = dict[str, tuple[list[int], "_Branches"]]  # field -> (paths ending there, deeper)


def _reach(node: Any, branches: _Branches, found: list[tuple[int, YMap, str]]) -> None:
    if isinstance(node, list):
        for item in node:
            _reach(item, branches, found)
        return
    if not isinstance(node, YMap):
        return
    for head, (ends, children) in branches.items():
        for index in ends:
            found.append((index, node, head))
        if children:
            child = node.get(head)
            if child is not None:
                _reach(child, children, found)


def _path_index(target: tuple[int, YMap, str]) -> int:
    return target[0]


class SpecIndex:
    """The specs of a table that select a resource, in table order, once per (kind, apiVersion).

    Whether a spec selects a resource depends on nothing else (`selects_gvk`), so a build's
    thousands of resources share a few filtered lists instead of testing every spec on each.
    Of selected specs with the same path, the first one is kept (one walk per path).
    """

    def __init__(self, specs: Iterable[FieldSpec]) -> None:
        self.specs = tuple(specs)
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
            paths: set[tuple[str, ...]] = set()
            out = []
            for fs in self.specs:
                if fs.selects_type(*key) and fs.path not in paths:
                    paths.add(fs.path)
                    out.append(fs)
            found = self._selected[key] = tuple(out)
        return found


@lru_cache(maxsize=64)
def spec_index(specs: tuple[FieldSpec, ...]) -> SpecIndex:
    """The index of a table, shared: every kustomization of a build uses the same few tables."""
    return SpecIndex(specs)


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

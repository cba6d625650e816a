"""A resource during the build: its located object plus what kustomize tracks beside it.

kustomize remembers each resource's earlier ids (names before prefixes, suffixes and hashes) so
that references written against the old name can be rewritten at the end; `Res.history` is that
list. `ResList` keeps the resources in build order with indexes by kind and by (kind, name), so
that look-ups stay linear in the number of objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from k8slint.lint.kubernetes import split_api_version
from k8slint.lint.kustomize.nodes import child_map, clone, set_value
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap

CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CustomResourceDefinition",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "FlowSchema",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "StorageClass",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)


@dataclass(eq=False)
class Res:
    obj: YMap
    history: list[tuple[str, str, str]] = field(default_factory=list)  # earlier (kind, name, ns)
    needs_hash: bool = False
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)

    def copy(self) -> Res:
        """A deep copy: the tree and what kustomize tracks beside it."""
        return Res(
            clone(self.obj),
            list(self.history),
            self.needs_hash,
            list(self.prefixes),
            list(self.suffixes),
        )

    @property
    def kind(self) -> str:
        kind = self.obj.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def api_version(self) -> str:
        value = self.obj.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def group(self) -> str:
        return split_api_version(self.api_version)[0]

    @property
    def metadata(self) -> YMap | None:
        meta = self.obj.get("metadata")
        return meta if isinstance(meta, YMap) else None

    @property
    def name(self) -> str:
        meta = self.metadata
        name = meta.get("name") if meta is not None else None
        return name if isinstance(name, str) else ("" if name is None else str(name))

    @property
    def namespace(self) -> str:
        meta = self.metadata
        ns = meta.get("namespace") if meta is not None else None
        return ns if isinstance(ns, str) else ""

    @property
    def cluster_scoped(self) -> bool:
        return self.kind in CLUSTER_SCOPED

    def original_namespace(self) -> str:
        """The namespace before any transformer changed it."""
        return self.history[0][2] if self.history else self.namespace

    def effective_namespace(self, original: bool = False) -> str:
        """The namespace as kustomize compares it: "default" when unset, "" when cluster-scoped."""
        if self.cluster_scoped:
            return ""
        return (self.original_namespace() if original else self.namespace) or "default"

    def names(self) -> Iterator[str]:
        """The current name, then every earlier one."""
        yield self.name
        for _kind, name, _ns in reversed(self.history):
            yield name

    def remember(self) -> None:
        self.history.append((self.kind, self.name, self.namespace))

    def set_name(self, name: str, loc: Loc) -> None:
        if name == self.name:
            return
        self.remember()
        meta = child_map(self.obj, "metadata", loc)
        assert meta is not None
        set_value(meta, "name", name, loc)

    def set_namespace(self, namespace: str, loc: Loc) -> None:
        meta = child_map(self.obj, "metadata", loc)
        assert meta is not None
        set_value(meta, "namespace", namespace, loc)

    def labels(self) -> dict[str, object]:
        meta = self.metadata
        labels = meta.get("labels") if meta is not None else None
        return labels if isinstance(labels, dict) else {}

    def annotations(self) -> dict[str, object]:
        meta = self.metadata
        annotations = meta.get("annotations") if meta is not None else None
        return annotations if isinstance(annotations, dict) else {}


class ResList:
    """Resources in build order, indexed by kind and by (kind, any name it has had)."""

    def __init__(self, items: Iterable[Res] = ()) -> None:
        self.items: list[Res] = list(items)
        self._by_kind: dict[str, list[Res]] | None = None
        self._by_name: dict[tuple[str, str], list[Res]] | None = None

    def __iter__(self) -> Iterator[Res]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def changed(self) -> None:
        """Call after adding, removing or renaming resources."""
        self._by_kind = None
        self._by_name = None

    def append(self, res: Res) -> None:
        self.items.append(res)
        if self._by_kind is not None:
            self._by_kind.setdefault(res.kind, []).append(res)
        if self._by_name is not None:
            self._index_names(self._by_name, res)

    def extend(self, items: Iterable[Res]) -> None:
        self.items.extend(items)
        self.changed()

    def remove(self, res: Res) -> None:
        self.items = [r for r in self.items if r is not res]
        self.changed()

    def of_kind(self, kind: str) -> list[Res]:
        if self._by_kind is None:
            index: dict[str, list[Res]] = {}
            for res in self.items:
                index.setdefault(res.kind, []).append(res)
            self._by_kind = index
        return self._by_kind.get(kind, [])

    def named(self, kind: str, name: str) -> list[Res]:
        """Resources of `kind` whose current or any earlier name is `name`."""
        if self._by_name is None:
            index: dict[tuple[str, str], list[Res]] = {}
            for res in self.items:
                self._index_names(index, res)
            self._by_name = index
        return self._by_name.get((kind, name), [])

    def candidates(self, selector: object) -> list[Res]:
        """A superset of the resources a patch target or selector may pick, from the indexes."""
        if not isinstance(selector, dict):
            return self.items
        kind = selector.get("kind")
        name = selector.get("name")
        if isinstance(kind, str) and kind and _plain(kind):
            if isinstance(name, str) and name and _plain(name):
                return self.named(kind, name)
            return self.of_kind(kind)
        return self.items

    @staticmethod
    def _index_names(index: dict[tuple[str, str], list[Res]], res: Res) -> None:
        """Under its kind with each of its names, and under each earlier (kind, name)."""
        kind = res.kind
        keys = {(kind, res.name)}
        for earlier_kind, name, _ns in res.history:
            keys.add((kind, name))
            keys.add((earlier_kind, name))
        for key in keys:
            index.setdefault(key, []).append(res)


def _plain(text: str) -> bool:
    """No regular-expression syntax: the text only matches itself."""
    return not any(ch in text for ch in ".*+?[](){}|^$\\")

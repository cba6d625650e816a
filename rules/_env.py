"""What a container's environment holds: `envFrom`, then `env`, resolved against the unit.

Behind required-env-missing, localhost-database-url and configmap-mount-path-mismatch. A
variable's value is a literal (`value:`), a ConfigMap or Secret entry (`valueFrom` or
`envFrom`), or unknown (a field reference, an entry not found). What a rule makes of a source it
cannot see differs (a missing variable is no fault when an unseen source may set it; a value is
judged only when it can be read), so the flags say what was not seen, and each rule decides.

One lookup rule for the ConfigMaps and Secrets a workload names (`env_source`): the object of
that name whose namespace meets the workload's (`namespaces_meet`) and that belongs to its
application, the nearest first (its file, its directory, then its application); an exact
namespace before a namespace-less one; several equally near are no evidence for either.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Literal

from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.k8s import (
    Container,
    DataEntry,
    K8sObject,
    located_str,
    mapping,
    namespaces_meet,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.rules._services import related

SourceKind = Literal["ConfigMap", "Secret"]
_REFS: tuple[tuple[str, str, SourceKind], ...] = (
    ("configMapRef", "configMapKeyRef", "ConfigMap"),
    ("secretRef", "secretKeyRef", "Secret"),
)


@dataclass(frozen=True)
class FromData:
    """A variable whose value comes from a ConfigMap or Secret entry."""

    entry: DataEntry
    source: K8sObject
    via: Loc  # where the container names it: the envFrom source's name, or the keyRef's key


EnvValue = Located[str] | FromData | None


@dataclass
class ContainerEnv:
    """A container's variables as Kubernetes applies them (envFrom in order, then env)."""

    values: dict[str, EnvValue] = field(default_factory=dict)
    opaque: bool = False  # an envFrom source not defined in the unit: it may set anything
    keyless: bool = False  # an envFrom source defined without keys: filled in elsewhere

    def sets(self, name: str, case_insensitive: bool = False) -> bool:
        """Whether the variable may be set (an unseen envFrom source may set any)."""
        if self.opaque or name in self.values:
            return True
        return case_insensitive and name.upper() in {key.upper() for key in self.values}


def container_env(ws: Workspace, owner: K8sObject, container: Container) -> ContainerEnv:
    """The container's environment, worked out once per unit (several rules read it)."""
    return ws.memo_each("env.container", container, lambda: _resolve(ws, owner, container))


def _resolve(ws: Workspace, owner: K8sObject, container: Container) -> ContainerEnv:
    env = ContainerEnv()
    for source in container.env_from():
        prefix = source.get("prefix") if isinstance(source.get("prefix"), str) else ""
        for key, _key_ref, kind in _REFS:
            name = located_str(mapping(source, key), "name")
            if name is None:
                continue
            found = env_source(ws, owner, kind, name.value)
            if found is None:
                env.opaque = True
                continue
            if not found.data_entries:
                env.keyless = True
            for entry in found.data_entries:
                env.values[f"{prefix}{entry.key}"] = FromData(entry, found, name.loc)
    for var in container.env:
        if var.value is not None:
            env.values[var.name] = var.value
        else:
            env.values[var.name] = _value_from(ws, owner, var.value_from)
    return env


def _value_from(ws: Workspace, owner: K8sObject, value_from: object) -> FromData | None:
    for _ref, key_ref, kind in _REFS:
        ref = mapping(value_from, key_ref)
        if ref is None:
            continue
        name, key = located_str(ref, "name"), located_str(ref, "key")
        found = env_source(ws, owner, kind, name.value) if name is not None else None
        if found is None or key is None:
            return None
        entry = next((e for e in found.data_entries if e.key == key.value), None)
        return FromData(entry, found, key.loc) if entry is not None else None
    return None


def workload_label(container: Container) -> str:
    """How a finding names the container's workload: "Deployment api", with the container's
    name when the pod runs several ("Deployment api (container worker)")."""
    owner = container.owner
    label = f"{owner.kind} {owner.name}"
    return label + (f" (container {container.name})" if len(container.pod.containers) > 1 else "")


def env_source(ws: Workspace, owner: K8sObject, kind: SourceKind, name: str) -> K8sObject | None:
    """The ConfigMap or Secret `owner` means by `name` (see the module docstring); None when
    none is defined or several are equally near. Looked up once per unit for the workloads of
    one file and namespace, which the answer depends on."""
    return ws.memo_each(
        "env.source",
        (kind, name, owner.path, owner.namespace),
        lambda: _nearest_source(ws, owner, kind, name),
    )


def _nearest_source(
    ws: Workspace, owner: K8sObject, kind: SourceKind, name: str
) -> K8sObject | None:
    found = [
        obj
        for obj in ws.find_any_namespace(kind, name)
        if namespaces_meet(obj.namespace, owner.namespace) and related(ws, owner, obj)
    ]
    if len(found) < 2:  # the usual case: nothing to weigh
        return found[0] if found else None
    here = posixpath.dirname(owner.path)
    for near in (
        lambda obj: obj.path == owner.path,
        lambda obj: posixpath.dirname(obj.path) == here,
        lambda obj: True,
    ):
        nearest = [obj for obj in found if near(obj)]
        if nearest:
            exact = [obj for obj in nearest if obj.namespace == owner.namespace]
            chosen = exact or nearest
            return chosen[0] if len(chosen) == 1 else None
    return None

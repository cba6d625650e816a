"""YAML text of a build, as `kubectl kustomize` prints it, optionally with `# file:line` origins.

Objects come in kustomize's legacy order (namespaces, CRDs, service accounts, RBAC, config,
services, workloads ..., webhooks last), keys sorted, sequences not indented under their key,
multi-line strings as literal blocks. Scalars are quoted by PyYAML, which may quote differently
from kustomize's Go emitter but always to the same value.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from k8slint.lint.kustomize.build import Build
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq

_ORDER_FIRST = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
_ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
_RANK = {kind: i for i, kind in enumerate(_ORDER_FIRST)}
_RANK.update({kind: 1000 + i for i, kind in enumerate(_ORDER_LAST)})


def legacy_key(obj: Any) -> tuple[int, str, str, str]:
    kind = obj.get("kind") if isinstance(obj, dict) else None
    kind = kind if isinstance(kind, str) else ""
    api = obj.get("apiVersion") if isinstance(obj, dict) else ""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    gvk = f"{api}/{kind}" if kind not in _RANK else ""
    return (
        _RANK.get(kind, 500),
        gvk,
        str(meta.get("namespace") or ""),
        str(meta.get("name") or ""),
    )


class _BlockDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value and not value.startswith((" ", "\t")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BlockDumper.add_representer(str, _represent_str)


_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")
"""Strings PyYAML writes as they are, unless they read back as another type ("true", "null")."""
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


def _scalar(value: Any) -> list[str]:
    """The lines of a scalar as YAML (one line, or a block header and its content lines)."""
    if isinstance(value, dict):
        return ["{}"]
    if isinstance(value, list):
        return ["[]"]
    if isinstance(value, str):
        return list(_string_lines(value))
    if value is None or isinstance(value, bool):
        return ["null" if value is None else str(value).lower()]
    if isinstance(value, int):
        return [str(value)]
    return _dumped(value)


@functools.lru_cache(maxsize=1 << 16)
def _string_lines(value: str) -> tuple[str, ...]:
    """`_dumped(value)`, without PyYAML's emitter (most of render's time) for a plain word."""
    plain = _PLAIN.fullmatch(value) is not None
    if plain and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG:
        return (value,)
    return tuple(_dumped(value))


def _dumped(value: Any) -> list[str]:
    text = yaml.dump(
        value, Dumper=_BlockDumper, width=1 << 30, allow_unicode=True, default_flow_style=False
    )
    lines = text.split("\n")
    while lines and lines[-1] in ("", "..."):
        lines.pop()
    if len(lines) > 1 and (lines[0][:1] not in ("|", ">") or any(c.isdigit() for c in lines[0])):
        quoted = yaml.dump(value, Dumper=yaml.SafeDumper, width=1 << 30, default_style='"')
        return [quoted.split("\n...")[0].rstrip("\n").replace("\n", " ")]
    return lines or [""]


class _Emitter:
    def __init__(self, origins: bool) -> None:
        self.origins = origins
        self.lines: list[str] = []

    def comment(self, loc: Loc | None) -> str:
        if not self.origins or loc is None or not loc.path:
            return ""
        return f"  # {loc.path}:{loc.line}"

    def mapping(self, node: dict[Any, Any], indent: int, first_prefix: str | None = None) -> None:
        pad = " " * indent
        for index, key in enumerate(sorted(node, key=_sort_key)):
            value = node[key]
            lead = first_prefix if (first_prefix is not None and index == 0) else pad
            loc = node.value_locs.get(key) if isinstance(node, YMap) else None
            key_text = _key_text(key) if isinstance(key, str) else _scalar(key)[0]
            if isinstance(value, dict) and value:
                self.lines.append(f"{lead}{key_text}:{self.comment(loc)}")
                self.mapping(value, indent + 2)
            elif isinstance(value, list) and value:
                self.lines.append(f"{lead}{key_text}:{self.comment(loc)}")
                self.sequence(value, indent)
            else:
                self.scalar_lines(f"{lead}{key_text}: ", value, indent, loc)

    def sequence(self, node: list[Any], indent: int, first_prefix: str | None = None) -> None:
        pad = " " * indent
        for index, item in enumerate(node):
            lead = first_prefix if (first_prefix is not None and index == 0) else pad
            loc = node.item_loc(index) if isinstance(node, YSeq) else None
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, first_prefix=f"{lead}- ")
            elif isinstance(item, list) and item:
                self.sequence(item, indent + 2, first_prefix=f"{lead}- ")
            else:
                self.scalar_lines(f"{lead}- ", item, indent, loc)

    def scalar_lines(self, head: str, value: Any, indent: int, loc: Loc | None) -> None:
        lines = _scalar(value)
        self.lines.append(f"{head}{lines[0]}{self.comment(loc)}")
        pad = " " * indent
        for line in lines[1:]:
            self.lines.append(f"{pad}{line}" if line else "")


@functools.lru_cache(maxsize=4096)
def _key_text(key: str) -> str:
    """A mapping key as YAML writes it (quoted when needed); keys repeat, yaml.dump is slow."""
    return _scalar(key)[0]


def _sort_key(key: Any) -> str:
    return key if isinstance(key, str) else str(key)


def render_objects(objects: list[Any], origins: bool = False) -> str:
    docs = []
    for obj in sorted(objects, key=legacy_key):
        emitter = _Emitter(origins)
        if isinstance(obj, dict) and obj:
            emitter.mapping(obj, 0)
        else:
            emitter.lines.append("{}")
        docs.append("\n".join(emitter.lines) + "\n")
    return "---\n".join(docs)


def render(build: Build, origins: bool = False) -> str:
    """The built objects as YAML; with `origins`, each value ends with `# file:line`."""
    return render_objects(build.objects, origins)


__all__ = ["legacy_key", "render", "render_objects"]

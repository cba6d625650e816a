"""Strategic merge patch, as kustomize applies it, keeping the Loc of every value.

A value the patch sets points at the patch; untouched values keep their own Loc. Lists of the
built-in kinds merge by their merge key (containers by name, volumeMounts by mountPath...);
any other list is replaced, as kustomize does for lists its schema gives no merge key. A merged
list holds the patch's items first, in patch order, then the target's remaining items (what
`kubectl kustomize` 5.x prints). `$patch: delete|replace` and `$deleteFromPrimitiveList/...`
are honoured; `$setElementOrder/...` and `$retainKeys` are dropped.
"""

from __future__ import annotations

from typing import Any

from k8slint.lint.kubernetes import BUILTIN_GROUPS, split_api_version
from k8slint.lint.kustomize.nodes import clone
from k8slint.lint.yamlpos import YMap, YSeq

_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "ownerReferences": "uid",
    "ports": "containerPort",
}


class PatchDelete(Exception):
    """The patch deletes the whole object (`$patch: delete` at its top)."""


def is_builtin(api_version: str) -> bool:
    return split_api_version(api_version)[0] in BUILTIN_GROUPS


def merge_key(path: tuple[str, ...], kind: str, builtin: bool) -> str | None:
    """The merge key of the list at `path` (field names from the object root), or None."""
    if not builtin or not path:
        return None
    field = path[-1]
    if field == "ports":
        if kind == "Service" and path == ("spec", "ports"):
            return "port"
        if "containers" in path or "initContainers" in path or "ephemeralContainers" in path:
            return "containerPort"
        return None
    if field == "conditions":
        return "type"
    return _MERGE_KEYS.get(field)


def apply_smp(target: YMap, patch: YMap, kind: str, builtin: bool) -> None:
    """Merge `patch` into `target` in place; raises PatchDelete for a top-level delete."""
    if patch.get("$patch") == "delete":
        raise PatchDelete
    _merge_map(target, patch, (), kind, builtin)


def _merge_map(target: YMap, patch: YMap, path: tuple[str, ...], kind: str, builtin: bool) -> None:
    directive = patch.get("$patch")
    if directive == "replace":
        for key in list(target):
            target.drop_located(key)
    for key, value in patch.items():
        key_str = key if isinstance(key, str) else str(key)
        if key_str in ("$patch", "$retainKeys") or key_str.startswith("$setElementOrder/"):
            continue
        if key_str.startswith("$deleteFromPrimitiveList/"):
            field = key_str.split("/", 1)[1]
            current = target.get(field)
            if isinstance(current, YSeq) and isinstance(value, list):
                drop = set(map(repr, value))
                kept = [
                    (v, current.item_loc(i)) for i, v in enumerate(current) if repr(v) not in drop
                ]
                current.clear_located()
                for item, loc in kept:
                    current.append_located(item, loc)
            continue
        key_loc, value_loc = patch.key_loc(key), patch.value_loc(key)
        if value is None:
            target.drop_located(key)
            continue
        current = target.get(key)
        if isinstance(value, YMap):
            if value.get("$patch") == "delete":
                target.drop_located(key)
                continue
            if isinstance(current, YMap) and value.get("$patch") != "replace":
                _merge_map(current, value, (*path, key_str), kind, builtin)
                continue
            target.set_located(key, _strip(value), target.key_locs.get(key, key_loc), value_loc)
            continue
        if isinstance(value, YSeq):
            if isinstance(current, YSeq):
                merged = _merge_list(current, value, (*path, key_str), kind, builtin)
                target.set_located(key, merged, target.key_locs.get(key, key_loc), merged.loc)
            else:
                target.set_located(
                    key, _strip_list(value), target.key_locs.get(key, key_loc), value_loc
                )
            continue
        if key in target and type(current) is type(value) and current == value:
            continue  # the patch restates the value (an id field, a merge key): keep its origin
        target.set_located(key, value, target.key_locs.get(key, key_loc), value_loc)


def _strip(value: YMap) -> YMap:
    """A copy of a patch map without directives (what it adds when nothing is there to merge)."""
    out = YMap(value.loc)
    for key, child in value.items():
        if isinstance(key, str) and (
            key in ("$patch", "$retainKeys")
            or key.startswith("$setElementOrder/")
            or key.startswith("$deleteFromPrimitiveList/")
        ):
            continue
        if isinstance(child, YMap):
            if child.get("$patch") == "delete":
                continue
            child = _strip(child)
        elif isinstance(child, YSeq):
            child = _strip_list(child)
        elif child is None:
            continue
        out.set_located(key, clone(child), value.key_loc(key), value.value_loc(key))
    return out


def _strip_list(value: YSeq) -> YSeq:
    out = YSeq(value.loc)
    for index, item in enumerate(value):
        if isinstance(item, YMap):
            directive = item.get("$patch")
            if directive == "delete" or (directive == "replace" and len(item) == 1):
                continue
            item = _strip(item)  # a copy already
        else:
            item = clone(item)
        out.append_located(item, value.item_loc(index))
    return out


def _merge_list(target: YSeq, patch: YSeq, path: tuple[str, ...], kind: str, builtin: bool) -> YSeq:
    key = merge_key(path, kind, builtin)
    if any(isinstance(item, YMap) and item.get("$patch") == "replace" for item in patch):
        return _strip_list(patch)
    if key is None or not all(isinstance(item, dict) for item in target):
        return _strip_list(patch)
    by_key: dict[Any, int] = {}
    for index, item in enumerate(target):
        if isinstance(item, dict) and key in item:
            by_key.setdefault(item[key], index)
    out = YSeq(target.loc)
    used: set[int] = set()
    for index, item in enumerate(patch):
        if not isinstance(item, YMap) or key not in item:
            if isinstance(item, YMap) and item.get("$patch") == "delete":
                continue
            out.append_located(
                _strip(item) if isinstance(item, YMap) else clone(item), patch.item_loc(index)
            )
            continue
        match = by_key.get(item[key])
        if item.get("$patch") == "delete":
            if match is not None:
                used.add(match)
            continue
        if match is None:
            out.append_located(_strip(item), patch.item_loc(index))
            continue
        used.add(match)
        merged = target[match]
        _merge_map(merged, item, path, kind, builtin)
        out.append_located(merged, target.item_loc(match))
    for index, item in enumerate(target):
        if index not in used:
            out.append_located(item, target.item_loc(index))
    return out

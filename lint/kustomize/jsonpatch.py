"""RFC 6902 JSON patch on located trees: a value an operation writes points at the patch."""

from __future__ import annotations

from typing import Any

from k8slint.lint.kustomize.nodes import clone, located
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq


class JsonPatchError(Exception):
    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


def _pointer(path: Any, loc: Loc) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise JsonPatchError(f"invalid JSON pointer {path!r}", loc)
    if path == "":
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _index(container: YSeq, token: str, loc: Loc, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise JsonPatchError(f"invalid list index {token!r}", loc)
    index = int(token)
    limit = len(container) if allow_end else len(container) - 1
    if index > limit:
        raise JsonPatchError(f"list index {index} out of range", loc)
    return index


def _resolve(doc: Any, tokens: list[str], loc: Loc) -> Any:
    node = doc
    for token in tokens:
        if isinstance(node, YMap):
            key = _map_key(node, token)
            if key is None:
                raise JsonPatchError(f"path /{'/'.join(tokens)} not found (no {token!r})", loc)
            node = node[key]
        elif isinstance(node, YSeq):
            node = node[_index(node, token, loc, allow_end=False)]
        else:
            raise JsonPatchError(f"path /{'/'.join(tokens)} not found", loc)
    return node


def _map_key(node: YMap, token: str) -> Any:
    if token in node:
        return token
    for key in node:  # YAML keys that are not strings (ports: {80: ...}) still match their text
        if not isinstance(key, str) and str(key) == token:
            return key
    return None


def _value(op: YMap, loc: Loc) -> tuple[Any, Loc]:
    if "value" not in op:
        raise JsonPatchError("operation has no value", loc)
    value_loc = op.value_loc("value")
    return located(op["value"], value_loc), value_loc


def apply_json_patch(doc: YMap, ops: Any, default_loc: Loc) -> YMap:
    """Apply a list of operations to `doc` (modified in place); returns the (possibly new) root."""
    if not isinstance(ops, list):
        raise JsonPatchError("a JSON 6902 patch must be a list of operations", default_loc)
    root: Any = doc
    for index, op in enumerate(ops):
        loc = ops.item_loc(index) if isinstance(ops, YSeq) else default_loc
        if not isinstance(op, YMap):
            raise JsonPatchError("a JSON 6902 operation must be a mapping", loc)
        name = op.get("op")
        tokens = _pointer(op.get("path"), loc)
        if name == "test":
            value, _ = _value(op, loc)
            if _resolve(root, tokens, loc) != value:
                raise JsonPatchError(f"test failed at {op.get('path')}", loc)
            continue
        if name in ("move", "copy"):
            source = _pointer(op.get("from"), loc)
            moved = _resolve(root, source, loc)
            if name == "move":
                src_loc = _loc_of(root, source)
                root = _remove(root, source, loc)
                root = _add(root, tokens, moved, src_loc, loc)
            else:
                root = _add(root, tokens, clone(moved), _loc_of(root, source), loc)
            continue
        if name == "remove":
            root = _remove(root, tokens, loc)
            continue
        if name in ("add", "replace"):
            value, value_loc = _value(op, loc)
            if name == "replace":
                _resolve(root, tokens, loc)  # must exist
                root = _replace(root, tokens, value, value_loc, loc)
            else:
                root = _add(root, tokens, value, value_loc, loc)
            continue
        raise JsonPatchError(f"unknown JSON patch operation {name!r}", loc)
    if not isinstance(root, YMap):
        raise JsonPatchError("the patch does not leave a mapping", default_loc)
    return root


def _loc_of(root: Any, tokens: list[str]) -> Loc:
    if not tokens:
        return root.loc
    parent = _resolve(root, tokens[:-1], root.loc)
    if isinstance(parent, YMap):
        return parent.value_loc(_map_key(parent, tokens[-1]))
    return parent.item_loc(int(tokens[-1]))


def _add(root: Any, tokens: list[str], value: Any, value_loc: Loc, loc: Loc) -> Any:
    if not tokens:
        return value
    parent = _resolve(root, tokens[:-1], loc)
    last = tokens[-1]
    if isinstance(parent, YMap):
        key = _map_key(parent, last)
        key = last if key is None else key
        parent.set_located(key, value, parent.key_locs.get(key, value_loc), value_loc)
    elif isinstance(parent, YSeq):
        parent.insert_located(_index(parent, last, loc, allow_end=True), value, value_loc)
    else:
        raise JsonPatchError(f"cannot add below a scalar at {'/'.join(tokens)}", loc)
    return root


def _replace(root: Any, tokens: list[str], value: Any, value_loc: Loc, loc: Loc) -> Any:
    if not tokens:
        return value
    parent = _resolve(root, tokens[:-1], loc)
    if isinstance(parent, YMap):
        key = _map_key(parent, tokens[-1])
        parent.set_located(key, value, parent.key_loc(key), value_loc)
    else:
        parent.set_located(_index(parent, tokens[-1], loc, allow_end=False), value, value_loc)
    return root


def _remove(root: Any, tokens: list[str], loc: Loc) -> Any:
    if not tokens:
        raise JsonPatchError("cannot remove the whole document", loc)
    parent = _resolve(root, tokens[:-1], loc)
    if isinstance(parent, YMap):
        key = _map_key(parent, tokens[-1])
        if key is None:
            raise JsonPatchError(f"path /{'/'.join(tokens)} not found", loc)
        parent.drop_located(key)
    elif isinstance(parent, YSeq):
        parent.delete_located(_index(parent, tokens[-1], loc, allow_end=False))
    else:
        raise JsonPatchError(f"path /{'/'.join(tokens)} not found", loc)
    return root

"""Merging compose files the way `docker compose -f a -f b` does (compose-spec 13, merge).

Mappings merge recursively; sequences append, except those the spec replaces or keeps unique
by a key; `!reset` removes a value and `!override` replaces it. Every value keeps the position
of the file that set it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq

_SERVICE_MAPPING_OR_LIST = frozenset(
    {"environment", "labels", "annotations", "sysctls", "depends_on", "networks"}
)

_NESTED_MAPPING_OR_LIST = frozenset({("build", "args"), ("build", "labels"), ("deploy", "labels")})

_REPLACED_COMMANDS = frozenset({"command", "entrypoint"})

_UNIQUE_BY_TARGET = frozenset({"volumes", "secrets", "configs"})

# --- merging -----------------------------------------------------------------------------------


def merge_maps(base: YMap | None, over: YMap, path: tuple[Any, ...]) -> YMap:
    """`over` merged onto `base` (a fresh copy of `over` with its tags applied when None)."""
    result = YMap(base.loc if base is not None else over.loc)
    if base is not None:
        for key, value in base.items():
            result.set_located(key, value, base.key_loc(key), base.value_loc(key))
    tags = over.tags or {}
    for key, value in over.items():
        tag = tags.get(key)
        if tag == "!reset":
            result.drop_located(key)
            continue
        child_path = (*path, key)
        key_loc, value_loc = over.key_loc(key), over.value_loc(key)
        if tag == "!override" or key not in result:
            result.set_located(key, _fresh(value, child_path), key_loc, value_loc)
            continue
        base_value = _Placed(result[key], result.value_loc(key))
        merged = _merge_value(base_value, _Placed(value, value_loc), child_path)
        if merged is not None:  # a merge of containers stays where the base one was written
            key_loc, value_loc = result.key_loc(key), result.value_loc(key)
        value = _fresh(value, child_path) if merged is None else merged
        result.set_located(key, value, key_loc, value_loc)
    return result


@dataclass(frozen=True)
class _Placed:
    """A value about to be merged, with where it was written."""

    value: Any
    loc: Loc


def without(mapping: YMap, key: Any) -> YMap:
    copy = merge_maps(None, mapping, ())
    copy.drop_located(key)
    return copy


def _fresh(value: Any, path: tuple[Any, ...]) -> Any:
    """A value taken as it is, with `!reset`/`!override` inside it applied."""
    if isinstance(value, YMap):
        return merge_maps(None, value, path)
    if isinstance(value, YSeq):
        seq = YSeq(value.loc)
        for index, item in enumerate(value):
            seq.append_located(_fresh(item, path), value.item_loc(index))
        return seq
    return value


def _merge_value(base: _Placed, over: _Placed, path: tuple[Any, ...]) -> Any:
    """The merge of two values under the compose-spec rules, or None when `over` replaces."""
    if _is_replaced_attribute(path):
        return None
    if _is_mapping_or_list(path):
        return merge_maps(_as_mapping(base), _as_mapping(over), path)
    if _is_service_attribute(path, "build"):
        base, over = _build_as_mapping(base), _build_as_mapping(over)
    if isinstance(base.value, YMap) and isinstance(over.value, YMap):
        return merge_maps(base.value, over.value, path)
    sequences = isinstance(base.value, YSeq) or isinstance(over.value, YSeq)
    if sequences and isinstance(base.value, YSeq | str) and isinstance(over.value, YSeq | str):
        return _merge_sequences(_as_sequence(base), _as_sequence(over), path)
    return None


def _is_service_attribute(path: tuple[Any, ...], *names: str) -> bool:
    return len(path) == 3 and path[0] == "services" and path[2] in names


def _is_replaced_attribute(path: tuple[Any, ...]) -> bool:
    if len(path) == 3 and path[0] == "services":
        return path[2] in _REPLACED_COMMANDS
    return len(path) == 4 and path[0] == "services" and path[2:] == ("healthcheck", "test")


def _is_mapping_or_list(path: tuple[Any, ...]) -> bool:
    if len(path) == 3 and path[0] == "services":
        return path[2] in _SERVICE_MAPPING_OR_LIST
    return len(path) == 4 and path[0] == "services" and tuple(path[2:]) in _NESTED_MAPPING_OR_LIST


def _as_mapping(placed: _Placed) -> YMap:
    """A mapping, or the list form of one (`KEY=VALUE`, or a bare name), as a mapping."""
    if isinstance(placed.value, YMap):
        return placed.value
    mapping = YMap(placed.loc)
    if isinstance(placed.value, YSeq):
        for index, item in enumerate(placed.value):
            if isinstance(item, str):
                key, sep, entry = item.partition("=")
                loc = placed.value.item_loc(index)
                mapping.set_located(key, entry if sep else None, loc, loc)
    return mapping


def _as_sequence(placed: _Placed) -> YSeq:
    """A sequence, or a single string (`env_file: .env`) as a sequence of one."""
    if isinstance(placed.value, YSeq):
        return placed.value
    seq = YSeq(placed.loc)
    seq.append_located(placed.value, placed.loc)
    return seq


def _build_as_mapping(placed: _Placed) -> _Placed:
    """`build: ./dir` as the `build: {context: ./dir}` it stands for, so that it can merge."""
    if not isinstance(placed.value, str):
        return placed
    mapping = YMap(placed.loc)
    mapping.set_located("context", placed.value, placed.loc, placed.loc)
    return _Placed(mapping, placed.loc)


def _merge_sequences(base: YSeq, over: YSeq, path: tuple[Any, ...]) -> YSeq:
    """Append `over` to `base`; an item whose unique key is already present replaces it."""
    key_of = _unique_key_function(path)
    result = YSeq(base.loc)
    keys: list[Any] = []
    for index, item in enumerate(base):
        result.append_located(item, base.item_loc(index))
        keys.append(key_of(item) if key_of else None)
    for index, item in enumerate(over):
        item = _fresh(item, path)
        key = key_of(item) if key_of else None
        if key is not None and key in keys:
            position = keys.index(key)
            result.set_located(position, item, over.item_loc(index))
            continue
        result.append_located(item, over.item_loc(index))
        keys.append(key)
    return result


def _unique_key_function(path: tuple[Any, ...]) -> Callable[[Any], Any] | None:
    if _is_service_attribute(path, "ports"):
        return _port_key
    if _is_service_attribute(path, *_UNIQUE_BY_TARGET):
        return _target_key
    if _is_service_attribute(path, "expose"):
        return str
    return None


def _port_key(item: Any) -> Any:
    if isinstance(item, YMap):
        return tuple(str(item.get(k)) for k in ("host_ip", "published", "target", "protocol"))
    return str(item)


def _target_key(item: Any) -> Any:
    """The mount target of a volume/secret/config entry (short or long syntax)."""
    if isinstance(item, YMap):
        return item.get("target") or item.get("source")
    if isinstance(item, str):
        parts = item.split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    return None

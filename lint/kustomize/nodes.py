"""Copying and building located trees: every value keeps the Loc of the text it came from.

The parse cache shares trees between kustomizations (a base used by two overlays), so the build
works on deep copies made here; values a transformer creates get the Loc of the field that
asked for them.
"""

from __future__ import annotations

from typing import Any

from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq

_NESTED = (dict, list)  # YMap and YSeq included


def clone(value: Any) -> Any:
    """A deep copy of a located tree (YMap/YSeq keep their Locs; plain dicts/lists are copied).

    Scalars are shared, and tested inline: the build copies every object it includes, so a
    call per leaf would be most of the cost. The copy shares the Locs of its source until one
    of the two changes them (most copies never do): copying them took much of the time and
    memory of a build.
    """
    if isinstance(value, YMap):
        out = YMap(value.loc)
        for key, child in value.items():
            out[key] = clone(child) if isinstance(child, _NESTED) else child
        out.share_locs(value)
        if value.tags:
            out.tags = dict(value.tags)
        return out
    if isinstance(value, YSeq):
        seq = YSeq(value.loc)
        seq.extend([clone(child) if isinstance(child, _NESTED) else child for child in value])
        seq.share_locs(value)
        return seq
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def located(value: Any, loc: Loc) -> Any:
    """`value` as a located tree: plain dicts/lists become YMap/YSeq whose nodes all carry `loc`."""
    if isinstance(value, YMap | YSeq):
        return clone(value)
    if isinstance(value, dict):
        out = YMap(loc)
        for key, child in value.items():
            out.set_located(key, located(child, loc), loc, loc)
        return out
    if isinstance(value, list):
        seq = YSeq(loc)
        for child in value:
            seq.append_located(located(child, loc), loc)
        return seq
    return value


def child_map(parent: YMap, key: str, loc: Loc, create: bool = True) -> YMap | None:
    """parent[key] if it is a mapping; a new empty one located at `loc` when absent and `create`."""
    current = parent.get(key)
    if isinstance(current, YMap):
        return current
    if isinstance(current, dict):
        converted = located(current, loc)
        parent.set_located(key, converted, parent.key_loc(key), parent.value_loc(key))
        return converted
    if not create or (key in parent and current is not None):
        return None
    made = YMap(loc)
    parent.set_located(key, made, loc, loc)
    return made


def set_value(parent: YMap, key: Any, value: Any, loc: Loc) -> None:
    """Set parent[key], keeping the key's Loc when the key already exists."""
    key_loc = parent.key_locs.get(key, loc)
    parent.set_located(key, value, key_loc, loc)


def to_plain(value: Any) -> Any:
    """The tree as plain dicts and lists (for hashing, comparison and JSON)."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value

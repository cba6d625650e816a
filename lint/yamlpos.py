"""YAML and JSON documents as plain dicts and lists that remember where each value came from.

PyYAML's C composer builds a node tree with marks at a fraction of ruamel.yaml's pure-Python
cost (../shared/PERF-FACTS.md: 0.21 ms/doc against 5.9 ms/doc), so bulk loading goes through
it and ruamel.yaml is kept for round-trip edits under --fix. The node tree is walked once into
`YMap`/`YSeq`, ordinary `dict`/`list` subclasses that also carry the `Loc` of every key, value
and item. Rules and the model read them like plain data and ask for positions when they report.

The walk also does what a safe loader would: resolves merge keys (`<<: *common`), keeps the
last of duplicate keys (as kubectl and compose do) while recording them, and refuses documents
whose aliases expand past a node budget (billion-laughs bombs) or that nest too deep.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from k8slint.lint.locate import Loc

try:  # the C composer keeps positions at C speed; the pure-Python one is the fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_EXPANDED_NODES = 1_000_000
"""Aliases may expand a document to at most this many nodes; more is a YAML bomb."""

MAX_DEPTH = 400
"""Deeper nesting is refused; no manifest nests beyond a few dozen levels."""

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_CORE_TAGS = frozenset(
    {
        _STR,
        _INT,
        _FLOAT,
        _BOOL,
        _NULL,
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:binary",
        "tag:yaml.org,2002:value",
    }
)
_constructor = yaml.constructor.SafeConstructor()
_new_loc = tuple.__new__


class YMap(dict):  # type: ignore[type-arg]
    """A mapping with the span of the whole mapping, of each key, and of each value.

    `tags` holds explicit non-core tags of values (compose's `!override`, `!reset`), or None.
    """

    __slots__ = ("key_locs", "loc", "tags", "value_locs")

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[Any, Loc] = {}
        self.value_locs: dict[Any, Loc] = {}
        self.tags: dict[Any, str] | None = None

    def key_loc(self, key: Any) -> Loc:
        return self.key_locs.get(key, self.loc)

    def value_loc(self, key: Any) -> Loc:
        return self.value_locs.get(key, self.loc)

    def set_located(self, key: Any, value: Any, key_loc: Loc, value_loc: Loc) -> None:
        self[key] = value
        self.key_locs[key] = key_loc
        self.value_locs[key] = value_loc


class YSeq(list):  # type: ignore[type-arg]
    """A sequence with the span of the whole sequence and of each item."""

    __slots__ = ("item_locs", "loc", "tag")

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.item_locs: list[Loc] = []
        self.tag: str | None = None

    def item_loc(self, index: int) -> Loc:
        return self.item_locs[index] if 0 <= index < len(self.item_locs) else self.loc

    def append_located(self, value: Any, loc: Loc) -> None:
        self.append(value)
        self.item_locs.append(loc)


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    key: str
    first: Loc
    second: Loc


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    index: int
    root: Any
    loc: Loc


class YamlError(Exception):
    """A document that cannot be read; `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


def parse_documents(text: str, path: str) -> tuple[list[ParsedDocument], list[DuplicateKey]]:
    """Parse every document of a YAML (or JSON) text; raises YamlError on broken input.

    Empty documents (`---` alone, comments only) are left out; indexes count all documents.
    """
    walker = _Walker(path)
    documents: list[ParsedDocument] = []
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if node is None or (
                isinstance(node, ScalarNode) and node.tag == _NULL and not node.value
            ):
                continue  # `---` alone or comments only
            walker.reset_budget()
            root = walker.convert(node, 0)
            documents.append(ParsedDocument(index, root, walker.loc(node)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        col = mark.column + 1 if mark else 0
        raise YamlError(_describe(exc), line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError("YAML nests too deep to read") from None
    return documents, walker.duplicates


def _describe(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + (", ".join(parts) if parts else "cannot parse")


class _Walker:
    """Turns a composed node tree into YMap/YSeq/scalars, sharing aliased subtrees."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.duplicates: list[DuplicateKey] = []
        self._memo: dict[int, tuple[Any, int]] = {}
        self._budget = MAX_EXPANDED_NODES

    def reset_budget(self) -> None:
        self._budget = MAX_EXPANDED_NODES
        self._memo.clear()

    def loc(self, node: Node) -> Loc:
        start, end = node.start_mark, node.end_mark
        return _new_loc(
            Loc, (self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        )

    def convert(self, node: Node, depth: int) -> Any:
        value, _size = self._convert_sized(node, depth)
        return value

    def _charge(self, size: int) -> None:
        self._budget -= size
        if self._budget < 0:
            raise YamlError(
                f"aliases expand this document past {MAX_EXPANDED_NODES:,} nodes (a YAML bomb?)"
            )

    def _convert_sized(self, node: Node, depth: int) -> tuple[Any, int]:
        if isinstance(node, ScalarNode):
            self._charge(1)
            return _scalar(node), 1
        seen = self._memo.get(id(node))
        if seen is not None:  # an alias: the same object again, but its expansion counts
            self._charge(seen[1])
            return seen
        if depth > MAX_DEPTH:
            mark = node.start_mark
            raise YamlError(
                f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1
            )
        if isinstance(node, SequenceNode):
            result = self._sequence(node, depth)
        else:
            result = self._mapping(node, depth)
        self._memo[id(node)] = result
        return result

    def _sequence(self, node: SequenceNode, depth: int) -> tuple[YSeq, int]:
        seq = YSeq(self.loc(node))
        if node.tag not in _CORE_TAGS and node.tag.startswith("!"):
            seq.tag = node.tag
        size = 1
        for item in node.value:
            value, item_size = self._convert_sized(item, depth + 1)
            seq.append_located(value, self.loc(item))
            size += item_size
        self._charge(1)
        return seq, size

    def _mapping(self, node: MappingNode, depth: int) -> tuple[YMap, int]:
        mapping = YMap(self.loc(node))
        size = 1
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key = _key(key_node)
            value, value_size = self._convert_sized(value_node, depth + 1)
            size += value_size + 1
            key_loc = self.loc(key_node)
            if key in mapping.key_locs:
                self.duplicates.append(DuplicateKey(str(key), mapping.key_locs[key], key_loc))
            mapping.set_located(key, value, key_loc, self.loc(value_node))
            if value_node.tag not in _CORE_TAGS and value_node.tag.startswith("!"):
                if mapping.tags is None:
                    mapping.tags = {}
                mapping.tags[key] = value_node.tag
        for source in _merge_sources(merges):
            merged, merged_size = self._convert_sized(source, depth + 1)
            if not isinstance(merged, YMap):
                continue
            size += merged_size
            for key, value in merged.items():  # explicit keys and earlier sources win
                if key not in mapping:
                    mapping.set_located(key, value, merged.key_loc(key), merged.value_loc(key))
        self._charge(1)
        return mapping, size


def _merge_sources(merges: list[Node]) -> Iterator[Node]:
    for value in merges:
        if isinstance(value, SequenceNode):
            yield from value.value
        else:
            yield value


def _key(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        value = _scalar(node)
        return value if isinstance(value, str | int | float | bool) or value is None else str(value)
    # complex keys (`? [a, b]`) never occur in the files we read; keep them hashable
    return f"<{node.id} key at line {node.start_mark.line + 1}>"


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    try:
        if tag == _INT:
            return _constructor.construct_yaml_int(node)
        if tag == _FLOAT:
            return _constructor.construct_yaml_float(node)
        if tag == _BOOL:
            return _constructor.construct_yaml_bool(node)
        if tag == _NULL:
            return None
    except (ValueError, yaml.YAMLError):
        return node.value
    # timestamps, binary, YAML 1.1 `=` and custom tags keep their text, as Kubernetes reads them
    return node.value


def iter_tree(value: Any) -> Iterator[tuple[Any, Any, Loc | None]]:
    """Yield (parent, key-or-index, value loc) for every value under `value`, depth first."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, YMap):
            for key, child in current.items():
                yield current, key, current.value_locs.get(key)
                if isinstance(child, YMap | YSeq):
                    stack.append(child)
        elif isinstance(current, YSeq):
            for index, child in enumerate(current):
                yield current, index, current.item_loc(index)
                if isinstance(child, YMap | YSeq):
                    stack.append(child)

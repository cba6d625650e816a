"""YAML and JSON documents as plain dicts and lists that remember where each value came from.

PyYAML's C composer builds a node tree with marks at a fraction of ruamel.yaml's pure-Python
cost (../shared/PERF-FACTS.md: 0.21 ms/doc against 5.9 ms/doc), so bulk loading goes through
it and ruamel.yaml is kept for round-trip edits under --fix. The node tree is walked once into
`YMap`/`YSeq`, ordinary `dict`/`list` subclasses that also carry the `Loc` of every key, value
and item. Rules and the model read them like plain data and ask for positions when they report.

The walk also does what a safe loader would: resolves merge keys (`<<: *common`), keeps the
last of duplicate keys (as kubectl and compose do) while recording them, and refuses documents
whose aliases expand past a node budget (billion-laughs bombs) or that nest too deep. The
depth is measured before libyaml composes: its composer recurses in C (~50,000 levels overflow
the stack and kill the interpreter) and slows down with the square of the depth.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from k8slint.lint.locate import Loc

try:  # the C composer keeps positions at C speed; the pure-Python one is the fallback
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_EXPANDED_NODES = 100_000
"""Aliases (and merge keys) may add at most this many nodes to a file; more is a YAML bomb.

Only expansions are charged, so a large file without aliases is never a bomb. Real files stay
far below (the corpus: at most a few hundred). The walk shares aliased subtrees, but rules and
schema validation expand them: at 100,000 extra nodes that costs about a second and 25 MB; the
budget is per file, not per document, or a file of many documents just under a per-document
budget would take minutes.
"""

MAX_DEPTH = 400
"""Deeper nesting is refused; no manifest nests beyond a few dozen levels."""

_SAFE_TO_COMPOSE = 5_000
"""A text whose cheap depth bound stays below this is composed without measuring its depth."""

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
_TAGS_REMEMBERED = 50_000


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, remembering the implicit tag of each plain scalar it has resolved.

    Even the C composer resolves every scalar's tag in Python, through a list of regular
    expressions; the words of manifests repeat (`name`, `app`, `TCP`, `8080`), so most are
    resolved once. The tag depends on the text alone (the safe loader has no path resolvers).
    """

    _tags: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            if len(self._tags) >= _TAGS_REMEMBERED:
                self._tags.clear()
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag


_new_loc = tuple.__new__
_intern = sys.intern


class YMap(dict):  # type: ignore[type-arg]
    """A mapping with the span of the whole mapping, of each key, and of each value.

    `tags` holds explicit non-core tags of values (compose's `!override`, `!reset`), or None.

    `key_locs` and `value_locs` are for reading: a copy (`share_locs`) shares them with its
    source, so they change only through the methods here, which copy them first when shared.
    """

    __slots__ = ("_shared", "key_locs", "loc", "tags", "value_locs")

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[Any, Loc] = {}
        self.value_locs: dict[Any, Loc] = {}
        self.tags: dict[Any, str] | None = None
        self._shared = False

    def key_loc(self, key: Any) -> Loc:
        return self.key_locs.get(key, self.loc)

    def value_loc(self, key: Any) -> Loc:
        return self.value_locs.get(key, self.loc)

    def share_locs(self, source: YMap) -> None:
        """Take `source`'s key and value Locs without copying them (until either one changes)."""
        self.key_locs, self.value_locs = source.key_locs, source.value_locs
        self._shared = source._shared = True

    def _own_locs(self) -> None:
        self.key_locs, self.value_locs = dict(self.key_locs), dict(self.value_locs)
        self._shared = False

    def set_located(self, key: Any, value: Any, key_loc: Loc, value_loc: Loc) -> None:
        if self._shared:  # tested inline: parsing and the build call this for most values
            self._own_locs()
        self[key] = value
        self.key_locs[key] = key_loc
        self.value_locs[key] = value_loc

    def drop_located(self, key: Any) -> None:
        """Remove `key` (if present) with its Locs."""
        if self._shared:
            self._own_locs()
        self.pop(key, None)
        self.key_locs.pop(key, None)
        self.value_locs.pop(key, None)

    def locate_all_at(self, loc: Loc) -> None:
        """Place the mapping and each of its keys and values at `loc` (nested values unchanged)."""
        self.loc = loc
        self.key_locs = dict.fromkeys(self, loc)
        self.value_locs = dict.fromkeys(self, loc)
        self._shared = False


class YSeq(list):  # type: ignore[type-arg]
    """A sequence with the span of the whole sequence and of each item.

    `item_locs` is for reading: a copy (`share_locs`) shares it with its source, so it changes
    only through the methods here, which copy it first when shared. An item past the end of
    `item_locs` is located at the sequence.
    """

    __slots__ = ("_shared", "item_locs", "loc", "tag")

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.item_locs: list[Loc] = []
        self.tag: str | None = None
        self._shared = False

    def item_loc(self, index: int) -> Loc:
        return self.item_locs[index] if 0 <= index < len(self.item_locs) else self.loc

    def share_locs(self, source: YSeq) -> None:
        """Take `source`'s item Locs without copying them (until either one changes)."""
        self.item_locs = source.item_locs
        self._shared = source._shared = True

    def _own_locs(self, length: int) -> None:
        """Copy the item Locs if shared, padded with the sequence's own Loc to `length`."""
        if self._shared:
            self.item_locs = list(self.item_locs)
            self._shared = False
        missing = length - len(self.item_locs)
        if missing > 0:
            self.item_locs.extend([self.loc] * missing)

    def append_located(self, value: Any, loc: Loc) -> None:
        if self._shared:  # tested inline: parsing calls this for every item
            self._own_locs(0)
        self.append(value)
        self.item_locs.append(loc)

    def set_located(self, index: int, value: Any, loc: Loc) -> None:
        """Replace the item at `index` (0 <= index < len) and its Loc."""
        self[index] = value
        self._own_locs(len(self))
        self.item_locs[index] = loc

    def insert_located(self, index: int, value: Any, loc: Loc) -> None:
        """Insert `value` before `index` (0 <= index <= len), located at `loc`."""
        self._own_locs(len(self))
        self.insert(index, value)
        self.item_locs.insert(index, loc)

    def delete_located(self, index: int) -> None:
        """Remove the item at `index` (0 <= index < len) and its Loc."""
        del self[index]
        if index < len(self.item_locs):
            self._own_locs(0)
            del self.item_locs[index]

    def clear_located(self) -> None:
        """Remove every item and its Loc."""
        self.clear()
        self.item_locs = []
        self._shared = False

    def locate_all_at(self, loc: Loc) -> None:
        """Place the sequence and each of its items at `loc` (nested values unchanged)."""
        self.loc = loc
        self.item_locs = [loc] * len(self)
        self._shared = False


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
    walker = _Walker(path, MAX_EXPANDED_NODES)
    documents: list[ParsedDocument] = []
    try:
        _check_depth(text)
        for index, node in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if node is None or (
                isinstance(node, ScalarNode) and node.tag == _NULL and not node.value
            ):
                continue  # `---` alone or comments only
            walker.next_document()
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
    except UnicodeEncodeError:  # lone surrogates, e.g. from an editor buffer
        raise YamlError("invalid YAML: the text is not valid Unicode") from None
    return documents, walker.duplicates


_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_depth(text: str) -> None:
    """Raise YamlError before composing a text that nests deeper than MAX_DEPTH.

    Nesting is block containers (at most two per column of indentation, plus one per
    indicator on the line) with flow collections inside them (at most one per bracket), so
    brackets plus twice the longest line bound the depth from above. Only a text whose bound is
    high is measured exactly, from libyaml's event stream (which does not recurse), stopping as
    soon as it is too deep.
    """
    if 3 * len(text) + 2 <= _SAFE_TO_COMPOSE:
        return
    longest = max(map(len, text.split("\n")))  # libyaml's line breaks are a superset of \n
    if text.count("[") + text.count("{") + 2 * longest + 2 <= _SAFE_TO_COMPOSE:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _STARTS):
                depth += 1
                if depth > MAX_DEPTH + 1:  # the root container is depth 0 for the walker
                    mark = event.start_mark
                    raise YamlError(
                        f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1
                    )
            elif isinstance(event, _ENDS):
                depth -= 1
    except yaml.YAMLError:
        return  # composing stops at the same syntax error and reports it


def _describe(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + (", ".join(parts) if parts else "cannot parse")


class _Walker:
    """Turns a composed node tree into YMap/YSeq/scalars, sharing aliased subtrees."""

    def __init__(self, path: str, budget: int = MAX_EXPANDED_NODES) -> None:
        self.path = path
        self.duplicates: list[DuplicateKey] = []
        self._memo: dict[int, tuple[Any, int]] = {}
        self._budget = budget

    def next_document(self) -> None:
        """Forget the previous document's nodes; the node budget is the file's."""
        self._memo.clear()

    def loc(self, node: Node) -> Loc:
        start, end = node.start_mark, node.end_mark
        return _new_loc(
            Loc, (self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        )

    def convert(self, node: Node, depth: int) -> Any:
        value, _size = self._convert_sized(node, depth)
        return value

    def _charge(self, size: int, node: Node) -> None:
        """Charge an alias's expansion; `node` is the aliased node (its anchor's position)."""
        self._budget -= size
        if self._budget < 0:
            mark = node.start_mark
            raise YamlError(
                f"aliases expand this file past {MAX_EXPANDED_NODES:,} extra nodes (a YAML bomb?)",
                mark.line + 1,
                mark.column + 1,
            )

    def _convert_sized(self, node: Node, depth: int) -> tuple[Any, int]:
        if isinstance(node, ScalarNode):
            return _scalar(node), 1
        seen = self._memo.get(id(node))
        if seen is not None:  # an alias: the same object again, but its expansion counts
            self._charge(seen[1], node)
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
        return seq, size

    def _mapping(self, node: MappingNode, depth: int) -> tuple[YMap, int]:
        # the hot loop of parsing: plain string keys and scalar values are read inline
        mapping = YMap(self.loc(node))  # new, so its Locs are written directly
        key_locs, value_locs = mapping.key_locs, mapping.value_locs
        path = self.path
        size = 1
        merges: list[Node] = []
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE:
                merges.append(value_node)
                continue
            if key_tag == _STR and isinstance(key_node, ScalarNode):
                key = _intern(key_node.value)  # one string per key name: memory, and faster lookups
            else:
                key = _key(key_node)
            value_tag = value_node.tag
            if isinstance(value_node, ScalarNode):
                value = value_node.value if value_tag == _STR else _scalar(value_node)
                size += 2
            else:
                value, value_size = self._convert_sized(value_node, depth + 1)
                size += value_size + 1
            start, end = key_node.start_mark, key_node.end_mark
            key_loc = _new_loc(
                Loc, (path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
            )
            if key in key_locs:
                self.duplicates.append(DuplicateKey(str(key), key_locs[key], key_loc))
            mapping[key] = value
            key_locs[key] = key_loc
            start, end = value_node.start_mark, value_node.end_mark
            value_locs[key] = _new_loc(
                Loc, (path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
            )
            if value_tag not in _CORE_TAGS and value_tag.startswith("!"):
                if mapping.tags is None:
                    mapping.tags = {}
                mapping.tags[key] = value_tag
        for source in _merge_sources(merges):
            merged, merged_size = self._convert_sized(source, depth + 1)
            if not isinstance(merged, YMap):
                continue
            size += merged_size
            for key, value in merged.items():  # explicit keys and earlier sources win
                if key not in mapping:
                    mapping.set_located(key, value, merged.key_loc(key), merged.value_loc(key))
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
    except Exception:  # `!!bool maybe` (KeyError), `!!int ''` (IndexError), ...: keep the text
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

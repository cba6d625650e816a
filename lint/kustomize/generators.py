"""configMapGenerator and secretGenerator, and the name-suffix hash kustomize appends.

Each generated data entry is located at the line that produced it: the literal in the
kustomization, the line of the env file, or the `files:` entry (whose value is the whole file).
The hash is kustomize's: sha256 of the Go-JSON encoding of {kind, name, data[, binaryData]}
(ConfigMap) or {kind, name, type, data[, stringData]} (Secret), its first 10 hex digits with
0, 1, 3, a, e mapped to g, h, k, m, t so the suffix never looks like a number or a word.
The name is always "" in kustomize 5: its hasher looks the name up as one field called
"metadata/name", which no object has (checked against `kubectl kustomize` 5.5 output), so two
generators with the same data get the same suffix.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from k8slint.lint.kustomize.nodes import to_plain
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq

_HEX_MAP = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})
_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: sorted keys, no spaces, HTML-safe escapes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if any(ch in text for ch in _GO_ESCAPES):
        text = "".join(_GO_ESCAPES.get(ch, ch) for ch in text)
    return text


def _hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10].translate(_HEX_MAP)


def _field(obj: YMap, key: str) -> Any:
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, dict):
        return {str(k): _scalar_text(v) for k, v in to_plain(value).items()}
    return _scalar_text(value)


def _scalar_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value


def content_hash(obj: YMap) -> str:
    """The 10-character suffix kustomize appends to a generated ConfigMap or Secret."""
    kind = obj.get("kind")
    name = ""  # what kustomize hashes, see the module docstring
    if kind == "ConfigMap":
        encoded: dict[str, Any] = {"kind": "ConfigMap", "name": name, "data": _field(obj, "data")}
        if isinstance(obj.get("binaryData"), dict):
            encoded["binaryData"] = _field(obj, "binaryData")
    else:  # a Secret: the build hashes only generated ConfigMaps and Secrets
        encoded = {
            "kind": "Secret",
            "type": _field(obj, "type"),
            "name": name,
            "data": _field(obj, "data"),
        }
        if isinstance(obj.get("stringData"), dict):
            encoded["stringData"] = _field(obj, "stringData")
    return _hash_text(go_json(encoded))


@dataclass(frozen=True)
class Entry:
    key: str
    value: str
    key_loc: Loc
    value_loc: Loc
    binary: bool = False  # value is base64 text of bytes that are not UTF-8


class GeneratorInputError(Exception):
    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


def parse_literal(text: str) -> tuple[str, str] | None:
    """`key=value` with one pair of surrounding quotes removed from the value."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        return None
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return key, value


def parse_env(text: str, path: str) -> list[Entry]:
    """An env file as kustomize reads it: `KEY=value` lines, `#` comments, values kept verbatim.

    A bare `KEY` takes its value from the environment in kustomize; offline it is empty.
    """
    entries: list[Entry] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        stripped = line.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        key, _sep, value = stripped.partition("=")
        col = len(line) - len(stripped) + 1
        loc = Loc(path, number, col, number, len(line) + 1)
        entries.append(Entry(key, value, loc, loc))
    return entries


@dataclass
class Generated:
    obj: YMap  # located at the generator entry
    behavior: str
    needs_hash: bool


def _str_items(spec: YMap, key: str) -> list[tuple[str, Loc]]:
    """The entries of a list field, or its single entry written as a string."""
    node = spec.get(key)
    if isinstance(node, YSeq):
        return [(str(v), node.item_loc(i)) for i, v in enumerate(node) if v is not None]
    if isinstance(node, str):
        return [(node, spec.value_loc(key))]
    return []


@dataclass
class _Options:
    labels: YMap
    annotations: YMap
    disable_hash: bool
    immutable: bool


def _merge_options(global_opts: Any, local_opts: Any, loc: Loc) -> _Options:
    """generatorOptions, then the entry's own options: labels and annotations as located maps
    (values as text), flags when either sets them."""
    sources = [o for o in (global_opts, local_opts) if isinstance(o, dict)]
    merged = _Options(YMap(loc), YMap(loc), False, False)
    for source in sources:
        for key, target in (("labels", merged.labels), ("annotations", merged.annotations)):
            pairs = source.get(key)
            if not isinstance(pairs, dict):
                continue
            located = isinstance(pairs, YMap)
            for name, value in pairs.items():
                target.set_located(
                    name,
                    "" if value is None else str(value),
                    pairs.key_loc(name) if located else loc,
                    pairs.value_loc(name) if located else loc,
                )
        merged.disable_hash |= bool(source.get("disableNameSuffixHash"))
        merged.immutable |= bool(source.get("immutable"))
    return merged


ReadFile = Callable[[str, Loc], "tuple[str | bytes, str] | None"]
"""(path relative to the kustomization dir, Loc of the entry) -> (content, project path)."""


def generate(
    kind: str,
    spec: YMap,
    global_options: Any,
    read: ReadFile,
) -> Generated:
    """One ConfigMap or Secret from a generator entry; raises GeneratorInputError on bad input."""
    loc = spec.loc
    name = spec.get("name")
    entries: list[Entry] = []
    for literal, item_loc in _str_items(spec, "literals"):
        pair = parse_literal(literal)
        if pair is None:
            raise GeneratorInputError(f"literal {literal!r} is not key=value", item_loc)
        entries.append(Entry(pair[0], pair[1], item_loc, item_loc))
    env_files = _str_items(spec, "envs")
    if isinstance(spec.get("env"), str):
        env_files.append((spec["env"], spec.value_loc("env")))
    for env_path, item_loc in env_files:
        got = read(env_path, item_loc)
        if got is None:
            continue
        content, project_path = got
        if isinstance(content, bytes):
            raise GeneratorInputError(f"env file {env_path} is not text", item_loc)
        entries.extend(parse_env(content, project_path))
    for file_spec, item_loc in _str_items(spec, "files"):
        key, sep, path = file_spec.partition("=")
        if not sep:
            key, path = posixpath.basename(file_spec), file_spec
        got = read(path, item_loc)
        if got is None:
            continue
        content, project_path = got
        lines = content.count("\n") if isinstance(content, str) else 0
        value_loc = Loc(project_path, 1, 1, max(lines, 1), 1)
        if isinstance(content, bytes):
            entries.append(
                Entry(key, base64.b64encode(content).decode(), item_loc, value_loc, binary=True)
            )
        else:
            entries.append(Entry(key, content, item_loc, value_loc))

    options = _merge_options(global_options, spec.get("options"), loc)
    obj = YMap(loc)
    obj.set_located("apiVersion", "v1", loc, loc)
    obj.set_located("kind", kind, loc, loc)
    meta = YMap(loc)
    name_loc = spec.value_loc("name") if "name" in spec else loc
    meta.set_located("name", "" if name is None else str(name), name_loc, name_loc)
    if spec.get("namespace"):
        meta.set_located(
            "namespace",
            str(spec["namespace"]),
            spec.key_loc("namespace"),
            spec.value_loc("namespace"),
        )
    for field_name, pairs in (("labels", options.labels), ("annotations", options.annotations)):
        if pairs:
            meta.set_located(field_name, pairs, loc, loc)
    obj.set_located("metadata", meta, loc, loc)
    data = YMap(loc)
    binary = YMap(loc)
    for entry in entries:
        if kind == "Secret":
            raw = base64.b64decode(entry.value) if entry.binary else entry.value.encode("utf-8")
            data.set_located(
                entry.key, base64.b64encode(raw).decode("ascii"), entry.key_loc, entry.value_loc
            )
        elif entry.binary:
            binary.set_located(entry.key, entry.value, entry.key_loc, entry.value_loc)
        else:
            data.set_located(entry.key, entry.value, entry.key_loc, entry.value_loc)
    if data or not binary:
        obj.set_located("data", data, loc, loc)
    if binary:
        obj.set_located("binaryData", binary, loc, loc)
    if kind == "Secret":
        secret_type = spec.get("type") or "Opaque"
        type_loc = spec.value_loc("type") if "type" in spec else loc
        obj.set_located("type", str(secret_type), type_loc, type_loc)
    if options.immutable:
        obj.set_located("immutable", True, loc, loc)
    behavior = spec.get("behavior") or "create"
    return Generated(obj, str(behavior), not options.disable_hash)

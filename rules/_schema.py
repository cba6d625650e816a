"""Shared by schema-invalid: turn JSON Schema errors into findings at the failing value.

Also the workspace's CRD index, which schema-invalid and missing-crd share.

jsonschema-rs reports every error with the instance path of the failing value. The path is
walked through the parsed `YMap`/`YSeq` tree so a finding sits on the value itself (a wrong type,
a bad enum value), on the key (an unknown field) or on the mapping that lacks a required field.
One finding per distinct path; for `oneOf`/`anyOf` the branch that got furthest speaks (a list
where a string or integer is expected reads as such, not as "not valid under any schema").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from k8slint.lint.locate import Loc
from k8slint.lint.model.k8s import K8sObject, child
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.yamlpos import YMap, YSeq

Path = tuple[str | int, ...]
SchemaLookup = Callable[[Any], Any]  # error -> the schema node of its keyword, or None

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


@dataclass(frozen=True)
class Issue:
    """One schema violation: where, and the message (fault; fix)."""

    path: Path
    message: str
    at_key: bool = False  # locate at the key (unknown field) rather than the value


def issues(
    validator: Any,
    instance: Any,
    schema_at: SchemaLookup | None = None,
    skip: Callable[[Any], bool] | None = None,
) -> list[Issue]:
    """Every distinct violation of `instance`, in path order; `skip(error)` drops errors."""
    try:
        errors = list(validator.iter_errors(instance))
    except (TypeError, ValueError, OverflowError):  # non-string keys, huge ints: plain copy
        errors = list(validator.iter_errors(_plain(instance)))
    found: dict[tuple[Path, bool], Issue] = {}
    for error in errors:
        for issue in _from_error(error, schema_at, skip):
            found.setdefault((issue.path, issue.at_key), issue)
    return sorted(found.values(), key=lambda i: [str(p) for p in i.path])


def _from_error(
    error: Any, schema_at: SchemaLookup | None, skip: Callable[[Any], bool] | None
) -> Iterator[Issue]:
    if skip is not None and skip(error):
        return
    kind = error.kind
    name = kind.name
    path: Path = tuple(error.instance_path)
    value = error.instance
    if name in ("anyOf", "oneOf"):
        if value is None or (name == "oneOf" and _all_valid(kind)):
            return  # null reads as unset; "valid under several" is the schema's ambiguity
        yield from _best_branch(error, schema_at, skip)
    elif name == "additionalProperties":
        known = _known_fields(error, schema_at)
        for key in getattr(kind, "unexpected", ()):
            yield Issue((*path, key), _unknown_field(key, path, known), at_key=True)
    elif name == "type":
        yield Issue(path, _wrong_type(path, value, list(getattr(kind, "types", ()))))
    elif name == "enum":
        options = list(getattr(kind, "options", ()))
        yield Issue(path, _bad_enum(path, value, options))
    elif name == "const":
        expected = getattr(kind, "expected_value", None)
        yield Issue(path, f"{_where(path)} is {_shown(value)}, not {_shown(expected)}; use that")
    elif name == "required":
        prop = getattr(kind, "property", "")
        yield Issue(path, f"{_where(path)} lacks the required field {prop!r}; add it")
    elif name == "falseSchema":
        parent, key = path[:-1], path[-1] if path else ""
        yield Issue(path, f"field {key!r} is not allowed in {_where(parent)}; remove it", True)
    else:
        yield Issue(path, f"{_where(path)}: {_first_line(error.message)}; fix the value")


def _all_valid(kind: Any) -> bool:
    return all(not branch for branch in getattr(kind, "context", ()))


def _best_branch(
    error: Any, schema_at: SchemaLookup | None, skip: Callable[[Any], bool] | None
) -> Iterator[Issue]:
    branches: Sequence[Sequence[Any]] = [b for b in getattr(error.kind, "context", ()) if b]
    path = tuple(error.instance_path)
    if not branches:
        return
    node = schema_at(error) if schema_at is not None else None
    if isinstance(node, dict) and "x-expected" in node:  # the schema says it in words
        fix = "quote it" if "string" in str(node["x-expected"]) else "fix the value"
        yield Issue(
            path,
            f"{_where(path)} is {_describe(error.instance)} but must be {node['x-expected']}; "
            f"{fix}",
        )
        return
    # every branch only disagrees on the value's type: one "expected X or Y" message
    if all(
        len(b) == 1 and b[0].kind.name == "type" and tuple(b[0].instance_path) == path
        for b in branches
    ):
        types = [t for b in branches for t in getattr(b[0].kind, "types", ())]
        yield Issue(path, _wrong_type(path, error.instance, types))
        return
    # else the branch whose errors got deepest into the value, with the fewest errors
    best = max(
        branches,
        key=lambda b: (max(len(e.instance_path) for e in b), -len(b), _not_type_only(b)),
    )
    for sub in best:
        yield from _from_error(sub, schema_at, skip)


def _not_type_only(branch: Sequence[Any]) -> bool:
    return any(e.kind.name != "type" for e in branch)


def _known_fields(error: Any, schema_at: SchemaLookup | None) -> list[str]:
    if schema_at is None:
        return []
    node = schema_at(error)
    properties = node.get("properties") if isinstance(node, dict) else None
    return sorted(properties) if isinstance(properties, dict) else []


def _unknown_field(key: str, parent: Path, known: list[str]) -> str:
    where = _where(parent) if parent else "the top level"
    close = (
        difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
        or [k for k in known if len(str(key)) >= 4 and str(key).lower() in k.lower()][:1]
    )
    if close:
        return f"unknown field {key!r} in {where}; did you mean {close[0]!r}?"
    return f"unknown field {key!r} in {where}; remove it or fix its name"


def _wrong_type(path: Path, value: Any, types: list[str]) -> str:
    wanted = [t for t in dict.fromkeys(types) if t != "null"] or types
    if "integer" in wanted and "number" in wanted:
        wanted.remove("integer")
    expected = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
    if "string" in wanted and isinstance(value, bool | int | float):
        fix = "quote it"
    elif isinstance(value, str) and any(t in wanted for t in ("integer", "number", "boolean")):
        fix = "remove the quotes" if _looks_scalar(value) else f"write {expected}"
    else:
        fix = f"write {expected}"
    return f"{_where(path)} is {_describe(value)} but must be {expected}; {fix}"


def _looks_scalar(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return True
    try:
        float(lowered)
    except ValueError:
        return False
    return True


def _bad_enum(path: Path, value: Any, options: list[Any]) -> str:
    shown = ", ".join(str(o) for o in options if o is not None)
    close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.6)
    fix = f"did you mean {close[0]!r}?" if close else "use one of them"
    return f"{_where(path)} is {_shown(value)}, not one of {shown}; {fix}"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({_shown(value)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null"


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "invalid"
    return line[:120]


def dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _where(path: Path) -> str:
    return dotted(path) or "the document"


# -- locating ------------------------------------------------------------------------------------


def locate(root: Any, issue: Issue, fallback: Loc) -> Loc:
    """The span of the failing key or value, walking the issue's path through YMap/YSeq."""
    node = root
    loc = getattr(root, "loc", fallback)
    path = issue.path
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, YMap) and part in node:
            loc = node.key_loc(part) if last and issue.at_key else node.value_loc(part)
            node = node[part]
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            loc = node.item_loc(part)
            node = node[part]
        else:
            break
    return loc


def tagged(root: Any, path: Path) -> bool:
    """Whether a value on the way down carries a custom tag (compose `!reset`/`!override`)."""
    node = root
    for part in path:
        if isinstance(node, YMap):
            if node.tags and part in node.tags:
                return True
            node = node.get(part)
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            if node.tag:
                return True
            node = node[part]
        else:
            return False
    return isinstance(node, YSeq) and node.tag is not None


_PLACEHOLDER_WORD = re.compile(r"[A-Z][A-Z0-9_]+")


def placeholder(value: Any) -> bool:
    """A value a template engine or the reader is meant to replace before applying.

    `${VAR}` (envsubst, compose), `{{ var }}` (Helm, mustache; unquoted, `{{cell}}` even
    parses as a mapping with a mapping key), `<your value here>`, and an ALL_CAPS word
    standing for a number (`containerPort: PORT`, the docs' "replace PORT" convention).
    """
    if isinstance(value, str):
        if value.startswith("<") and value.endswith(">"):  # `<ADD LUN ID Here>`
            return True
        return "${" in value or "{{" in value or _PLACEHOLDER_WORD.fullmatch(value) is not None
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        return isinstance(key, str) and key.startswith("<mapping key") and value[key] is None
    return False


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return float(value)
    return value


# -- CustomResourceDefinitions of the workspace ------------------------------------------------


def crd_index(ws: Workspace) -> dict[tuple[str, str], K8sObject]:
    """CRDs of the whole workspace by (group, kind), the first of each: a cluster-wide install,
    often kept apart from the resources it serves. Built once per run (schema-invalid and
    missing-crd both read it)."""
    return ws.memo_shared("crd-index", lambda: _crd_index(ws.all_objects()))


def _crd_index(objects: tuple[K8sObject, ...]) -> dict[tuple[str, str], K8sObject]:
    index: dict[tuple[str, str], K8sObject] = {}
    for obj in objects:
        if obj.kind != "CustomResourceDefinition" or obj.group != "apiextensions.k8s.io":
            continue
        group, kind = child(obj.body, "spec", "group"), child(obj.body, "spec", "names", "kind")
        if isinstance(group, str) and isinstance(kind, str):
            index.setdefault((group, kind), obj)
    return index

"""The built-in transformers of a kustomization, in kustomize's semantics.

namespace, namePrefix/nameSuffix, commonLabels/labels, commonAnnotations, images, replicas,
replacements and vars. A value a transformer writes is located at the transformer's field in
the kustomization (the `namespace:` line, the label pair, the `newTag:` line); a renamed object
keeps the Loc of its `metadata.name`, the line a human edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from k8slint.lint.kustomize import fieldspec
from k8slint.lint.kustomize.fieldspec import FieldSpec, selects_gvk
from k8slint.lint.kustomize.nodes import child_map, clone, set_value
from k8slint.lint.kustomize.resource import Res, ResList
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq

_NO_PREFIX_KINDS = frozenset({"CustomResourceDefinition", "APIService", "Namespace"})


class TransformError(Exception):
    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# -- namespace ---------------------------------------------------------------------------------


def set_namespace(resources: list[Res], namespace: str, loc: Loc) -> None:
    accounts = {(r.name, r.namespace or "default") for r in resources if r.kind == "ServiceAccount"}
    for res in resources:
        if res.kind == "Namespace":
            if res.name != namespace:
                res.set_name(namespace, loc)
            continue
        if res.cluster_scoped:
            continue
        if res.namespace != namespace:
            res.remember()
            res.set_namespace(namespace, loc)
    for res in resources:
        if res.kind not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        subjects = res.obj.get("subjects")
        if not isinstance(subjects, YSeq):
            continue
        for subject in subjects:
            if (
                isinstance(subject, YMap)
                and subject.get("kind") == "ServiceAccount"
                and (_text(subject.get("name")), _text(subject.get("namespace")) or "default")
                in accounts
            ):
                set_value(subject, "namespace", namespace, loc)


# -- names -------------------------------------------------------------------------------------


def add_prefix_suffix(resources: list[Res], prefix: str, suffix: str) -> None:
    for res in resources:
        if res.kind in _NO_PREFIX_KINDS:
            continue
        meta = res.metadata
        if meta is None:
            continue
        name_loc = meta.value_loc("name")
        res.set_name(f"{prefix}{res.name}{suffix}", name_loc)
        if prefix:
            res.prefixes.append(prefix)
        if suffix:
            res.suffixes.append(suffix)


# -- labels and annotations --------------------------------------------------------------------


def set_pairs(resources: list[Res], pairs: YMap, specs: Iterable[FieldSpec]) -> None:
    """Set every pair of `pairs` into the mapping each spec reaches (creating it if allowed)."""
    items = [(str(k), _text(v), pairs.key_loc(k), pairs.value_loc(k)) for k, v in pairs.items()]
    index = fieldspec.spec_index(tuple(specs))
    for res in resources:
        for fs in index.selecting(res):

            def setter(parent: YMap, key: str, fs: FieldSpec = fs) -> None:
                target = child_map(parent, key, pairs.loc, create=fs.create)
                if target is None:
                    return
                for name, value, key_loc, value_loc in items:
                    target.set_located(name, value, target.key_locs.get(name, key_loc), value_loc)

            fieldspec.walk(res.obj, fs.path, fs.create, pairs.loc, setter)


def label_specs(entry: YMap) -> list[FieldSpec]:
    """The field specs of one `labels:` entry."""
    if entry.get("includeSelectors"):
        specs = list(fieldspec.COMMON_LABELS)
    elif entry.get("includeTemplates"):
        specs = fieldspec.METADATA_LABELS + fieldspec.LABEL_TEMPLATES
    else:
        specs = list(fieldspec.METADATA_LABELS)
    return specs + fieldspec.parse_specs(entry.get("fields"))


# -- images ------------------------------------------------------------------------------------


def split_image(image: str) -> tuple[str, str, str]:
    """("registry:5000/app", ":1.2" or "", "@sha256:..." or ""): the digest is split off
    first, then the tag (kustomize's image.Split); the text is kept as written."""
    rest, at, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return rest[:colon], rest[colon:], at + digest
    return rest, "", at + digest


@dataclass(frozen=True)
class ImageRule:
    name: str
    new_name: str | None
    new_tag: str | None
    digest: str | None
    loc: Loc

    @classmethod
    def parse(cls, entry: YMap) -> ImageRule | None:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            return None
        loc = entry.loc
        for key in ("digest", "newTag", "newName"):
            if entry.get(key) not in (None, ""):
                loc = entry.value_loc(key)
                break

        def opt(key: str) -> str | None:
            value = entry.get(key)
            return None if value in (None, "") else _text(value)

        return cls(name, opt("newName"), opt("newTag"), opt("digest"), loc)

    def apply(self, image: str) -> str | None:
        name, tag, digest = split_image(image)
        if name != self.name:
            return None
        name = self.new_name or name
        if self.new_tag or self.digest:  # a new tag or digest replaces both old ones
            tag = f":{self.new_tag}" if self.new_tag else ""
            digest = f"@{self.digest}" if self.digest else ""
        return name + tag + digest


def set_images(resources: list[Res], rules: list[ImageRule]) -> None:
    if not rules:
        return
    first: dict[str, ImageRule] = {}  # image name -> the first rule for it (the one that applies)
    for rule in rules:
        first.setdefault(rule.name, rule)
    for res in resources:
        _images_in(res.obj, first)


_TREES = (YMap, YSeq)


def _images_in(node: YMap | YSeq, rules: dict[str, ImageRule], depth: int = 0) -> None:
    """Every `containers`/`initContainers` list at most 64 mappings deep."""
    if isinstance(node, YMap):
        for key, value in node.items():
            if isinstance(value, _TREES):
                if key in ("containers", "initContainers") and isinstance(value, YSeq):
                    _set_container_images(value, rules)
                if depth < 64:
                    _images_in(value, rules, depth + 1)
        return
    for item in node:
        if isinstance(item, _TREES) and depth < 64:
            _images_in(item, rules, depth + 1)


def _set_container_images(containers: YSeq, rules: dict[str, ImageRule]) -> None:
    for container in containers:
        if isinstance(container, YMap):
            image = container.get("image")
            if isinstance(image, str):
                rule = rules.get(split_image(image)[0])
                if rule is not None:
                    set_value(container, "image", rule.apply(image), rule.loc)


def set_replicas(resources: ResList, entries: Any) -> None:
    if not isinstance(entries, YSeq):
        return
    for entry in entries:
        if not isinstance(entry, YMap) or not isinstance(entry.get("name"), str):
            continue
        name, count = entry["name"], entry.get("count")
        loc = entry.value_loc("count") if "count" in entry else entry.loc
        for kind in fieldspec.REPLICA_KINDS:
            for res in resources.named(kind, name):
                spec = child_map(res.obj, "spec", loc)
                if spec is not None:
                    set_value(spec, "replicas", count, loc)


# -- selectors (patches targets, replacements) --------------------------------------------------


def _anchored(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(f"^(?:{pattern})$")
    except re.error:
        return None


def match_label_selector(selector: str, labels: dict[str, Any]) -> bool:
    """A Kubernetes label selector string (`a=b,c!=d,e in (f,g),!h,i`)."""
    for part in _split_selector(selector):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)", part)
        if m:
            values = {v.strip() for v in m.group(3).split(",")}
            present = m.group(1) in labels and _text(labels[m.group(1)]) in values
            if (m.group(2) == "in") != present:
                return False
            continue
        if part.startswith("!"):
            if part[1:].strip() in labels:
                return False
            continue
        for op in ("!=", "==", "="):
            if op in part:
                key, _, value = part.partition(op)
                key, value = key.strip(), value.strip()
                equal = key in labels and _text(labels[key]) == value
                if equal != (op != "!="):
                    return False
                break
        else:
            if part not in labels:
                return False
    return True


def _split_selector(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def selects(res: Res, selector: Any, regex: bool) -> bool:
    """kustomize's Selector: group/version/kind/name/namespace (regexes for patches),
    labelSelector and annotationSelector."""
    if not isinstance(selector, dict):
        return False
    kind = selector.get("kind")
    if kind not in (None, "") and not _matches(str(kind), res.kind, regex):
        return False
    namespace = selector.get("namespace")
    if namespace not in (None, "") and not any(  # the original or the current one, defaulted
        _matches(str(namespace), candidate, regex)
        for candidate in (res.effective_namespace(), res.effective_namespace(original=True))
    ):
        return False
    group = selector.get("group")
    version = selector.get("version")
    if (group not in (None, "") or version not in (None, "")) and not selects_gvk(
        res, "", None if group in (None, "") else str(group), _text(version) if version else ""
    ):
        return False
    name = selector.get("name")
    if name not in (None, "") and not any(
        _matches(str(name), candidate, regex) for candidate in res.names()
    ):
        return False
    label_selector = selector.get("labelSelector")
    if label_selector and not match_label_selector(str(label_selector), res.labels()):
        return False
    annotation_selector = selector.get("annotationSelector")
    return not (
        annotation_selector
        and not match_label_selector(str(annotation_selector), res.annotations())
    )


def _matches(pattern: str, value: str, regex: bool) -> bool:
    if not regex:
        return pattern == value
    compiled = _anchored(pattern)
    return compiled.match(value) is not None if compiled else pattern == value


# -- replacements ------------------------------------------------------------------------------


def parse_field_path(path: str) -> list[str]:
    """`spec.containers.[name=app].image` -> ["spec", "containers", "[name=app]", "image"]."""
    parts: list[str] = []
    current = ""
    depth = 0
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip() != ""]


def _step(node: Any, part: str, create: bool, loc: Loc) -> list[tuple[Any, Any]]:
    """(container, key) pairs that `part` reaches under `node`."""
    if isinstance(node, YSeq):
        if part == "*":
            return [(node, i) for i in range(len(node))]
        if part.startswith("[") and part.endswith("]") and "=" in part:
            key, _, value = part[1:-1].partition("=")
            found = [
                (node, i)
                for i, item in enumerate(node)
                if isinstance(item, dict) and _text(item.get(key)) == value
            ]
            if not found and create:
                item = YMap(loc)
                item.set_located(key, value, loc, loc)
                node.append_located(item, loc)
                found = [(node, len(node) - 1)]
            return found
        if part.lstrip("-").isdigit():
            index = int(part)
            if -len(node) <= index < len(node):
                return [(node, index % len(node))]
            return []
        return []
    if isinstance(node, YMap):
        key = part[1:-1] if part.startswith("[") and part.endswith("]") else part
        return [(node, key)]
    return []


def _lookup(root: Any, parts: list[str], create: bool, loc: Loc) -> list[tuple[Any, Any]]:
    """The (container, key) of every value `parts` reaches; intermediate maps made if `create`."""
    current: list[Any] = [root]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        nxt: list[tuple[Any, Any]] = []
        for node in current:
            nxt.extend(_step(node, part, create, loc))
        if last:
            return [
                (c, k)
                for c, k in nxt
                if create or (isinstance(c, YMap) and k in c) or isinstance(c, YSeq)
            ]
        current = []
        for container, key in nxt:
            if isinstance(container, YMap):
                if key not in container or container[key] is None:
                    if not create:
                        continue
                    wants_list = parts[index + 1].startswith("[") and "=" in parts[index + 1]
                    made: Any = YSeq(loc) if wants_list else YMap(loc)
                    container.set_located(key, made, loc, loc)
                current.append(container[key])
            else:
                current.append(container[key])
    return []


def _get_located(container: Any, key: Any) -> tuple[Any, Loc]:
    if isinstance(container, YMap):
        return container[key], container.value_loc(key)
    return container[key], container.item_loc(key)


def _set_located(container: Any, key: Any, value: Any, loc: Loc) -> None:
    current = container.get(key) if isinstance(container, YMap) else container[key]
    if isinstance(current, str) and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # kustomize keeps the target scalar's string type
    if isinstance(container, YMap):
        set_value(container, key, value, loc)
    else:
        container.set_located(key, value, loc)


def _options(node: Any) -> tuple[str | None, int, bool]:
    if not isinstance(node, dict):
        return None, 0, False
    delimiter = node.get("delimiter")
    index = node.get("index") or 0
    return (
        _text(delimiter) if delimiter not in (None, "") else None,
        index if isinstance(index, int) else 0,
        bool(node.get("create")),
    )


def apply_replacement(resources: list[Res], replacement: YMap) -> None:
    source = replacement.get("source")
    loc = replacement.loc
    if not isinstance(source, YMap):
        raise TransformError("replacement has no source", loc)
    matches = [r for r in resources if selects(r, source, regex=False)]
    if not matches:
        raise TransformError(f"replacement source {_describe(source)} not found", source.loc)
    if len(matches) > 1:
        raise TransformError(
            f"replacement source {_describe(source)} matches several objects", source.loc
        )
    path = source.get("fieldPath") or "metadata.name"
    found = _lookup(matches[0].obj, parse_field_path(str(path)), False, source.loc)
    if not found:
        raise TransformError(f"replacement source field {path} not found", source.loc)
    value, value_loc = _get_located(*found[0])
    delimiter, index, _create = _options(source.get("options"))
    if delimiter is not None and isinstance(value, str):
        pieces = value.split(delimiter)
        if index < 0 or index >= len(pieces):
            raise TransformError(f"options.index {index} out of range", source.loc)
        value = pieces[index]
    targets = replacement.get("targets")
    if not isinstance(targets, YSeq):
        return
    for target in targets:
        if not isinstance(target, YMap):
            continue
        select = target.get("select")
        rejects = target.get("reject") if isinstance(target.get("reject"), list) else []
        t_delimiter, t_index, create = _options(target.get("options"))
        paths = target.get("fieldPaths") if isinstance(target.get("fieldPaths"), list) else []
        for res in resources:
            if not selects(res, select, regex=False):
                continue
            if any(selects(res, r, regex=False) for r in rejects):
                continue
            for field_path in paths:
                for container, key in _lookup(
                    res.obj, parse_field_path(str(field_path)), create, loc
                ):
                    new_value = clone(value)
                    if t_delimiter is not None:
                        current = (
                            container.get(key) if isinstance(container, YMap) else container[key]
                        )
                        pieces = _text(current).split(t_delimiter) if current is not None else []
                        if t_index >= len(pieces):
                            pieces += [""] * (t_index - len(pieces) + 1)
                        if t_index < 0:
                            pieces.insert(0, _text(value))
                        else:
                            pieces[t_index] = _text(value)
                        new_value = t_delimiter.join(pieces)
                    _set_located(container, key, new_value, value_loc)


def _describe(source: YMap) -> str:
    return "/".join(_text(source.get(k)) for k in ("kind", "name") if source.get(k))


# -- vars --------------------------------------------------------------------------------------

_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def resolve_vars(resources: ResList, variables: list[YMap]) -> list[TransformError]:
    problems: list[TransformError] = []
    values: dict[str, str] = {}
    for var in variables:
        name = var.get("name")
        objref = var.get("objref")
        if not isinstance(name, str) or not isinstance(objref, dict):
            continue
        kind, ref_name = objref.get("kind"), objref.get("name")
        candidates = (
            resources.named(kind, ref_name)
            if isinstance(kind, str) and isinstance(ref_name, str)
            else []
        )
        matches = [r for r in candidates if r.kind == kind]
        if len(matches) != 1:
            problems.append(TransformError(f"var {name}: {kind}/{ref_name} not found", var.loc))
            continue
        fieldref = var.get("fieldref")
        path = "metadata.name"
        if isinstance(fieldref, dict) and fieldref.get("fieldpath"):
            path = str(fieldref["fieldpath"])
        found = _lookup(matches[0].obj, parse_field_path(path), False, var.loc)
        if not found:
            problems.append(TransformError(f"var {name}: field {path} not found", var.loc))
            continue
        values[name] = _text(_get_located(*found[0])[0])
    if not values:
        return problems

    def substitute(text: str) -> str:
        return _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    def setter(parent: YMap, key: str) -> None:
        value = parent.get(key)
        if isinstance(value, str):
            parent[key] = substitute(value)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    value[index] = substitute(item)

    for res in resources:
        for fs in fieldspec.VAR_REFERENCES:
            if fs.selects(res):
                fieldspec.walk(res.obj, fs.path, False, res.obj.loc, setter)
    return problems

"""Routes of Django URLconfs (`urlpatterns` of `path()`, `re_path()`, `url()`, `include()`).

The root URLconf is `ROOT_URLCONF` from the settings when a scanned module sets it, else every
URLconf that no other one includes. Django joins an include's prefix and the included pattern
by plain concatenation, and so does this scanner. A `re_path` pattern that is a plain path once
its anchors are removed (`^health/?$`) becomes that path, with named groups as parameters;
otherwise the route keeps the regular expression (without `^`) and `AppSource.serves` matches
it as one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.locate import Loc
from k8slint.lint.model.appsource_core import Route, absolute
from k8slint.lint.model.appsource_pymodules import ModuleIndex, PyModule, callee

PATTERN_FUNCTIONS = {"path": False, "re_path": True, "url": True}  # name -> pattern is a regex
NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
REGEX_CHARS = re.compile(r"[\^$?*+()\[\]\\|{}]")


@dataclass(frozen=True, slots=True)
class Pattern:
    text: str  # as it joins into the full path: a plain path, or a regex without `^`
    loc: Loc
    include: list[Pattern] | PyModule | None  # what an include() names, if anything


def scan_django_routes(index: ModuleIndex) -> list[Route]:
    elements = {m.name: (m, found) for m in index.modules if (found := _urlpatterns(m))}
    if not elements:
        return []
    urlconfs = {name: m for name, (m, _) in elements.items()}
    patterns = {name: list(_patterns(index, m, found)) for name, (m, found) in elements.items()}
    roots = _roots(index, urlconfs, patterns)
    routes: list[Route] = []
    for root in roots:
        routes.extend(_expand(patterns, patterns[root.name], "", frozenset({root.name})))
    return routes


def _urlpatterns(module: PyModule) -> list[ast.expr]:
    """The elements of every list assigned or added to `urlpatterns` at module level."""
    elements: list[ast.expr] = []
    for stmt in module.tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "urlpatterns" for t in stmt.targets)
        ) or (
            isinstance(stmt, ast.AugAssign | ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "urlpatterns"
            and stmt.value is not None
        ):
            elements.extend(_list_elements(stmt.value))
    return elements


def _list_elements(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.List | ast.Tuple):
        return list(node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _list_elements(node.left) + _list_elements(node.right)
    return []


def _patterns(index: ModuleIndex, module: PyModule, elements: list[ast.expr]) -> Iterator[Pattern]:
    for element in elements:
        if not isinstance(element, ast.Call) or not element.args:
            continue
        name = callee(element)
        if name not in PATTERN_FUNCTIONS:
            continue
        text = index.string(module, element.args[0])
        if text is None:
            continue
        if PATTERN_FUNCTIONS[name]:
            text = _regex_as_path(text)
        target = element.args[1] if len(element.args) > 1 else None
        yield Pattern(text, module.loc(element.args[0]), _include(index, module, target))


def _regex_as_path(regex: str) -> str:
    """`^items/(?P<pk>[0-9]+)/?$` -> `items/<pk>`; a regex that is more than that stays one."""
    text = regex.removeprefix("^")
    plain = NAMED_GROUP.sub(r"<\1>", text).removesuffix("$").removesuffix("/?")
    return text if REGEX_CHARS.search(plain) else plain


def _include(
    index: ModuleIndex, module: PyModule, node: ast.expr | None
) -> list[Pattern] | PyModule | None:
    if not (isinstance(node, ast.Call) and callee(node) == "include" and node.args):
        return None
    target = node.args[0]
    if isinstance(target, ast.Tuple) and target.elts:  # include((patterns, "app_name"))
        target = target.elts[0]
    if isinstance(target, ast.List):
        return list(_patterns(index, module, list(target.elts)))
    dotted = index.string(module, target)
    if dotted is not None:
        return index.find(dotted)
    if isinstance(target, ast.Name):
        return index.module_of(module, target.id)
    return None


def _roots(
    index: ModuleIndex, urlconfs: dict[str, PyModule], patterns: dict[str, list[Pattern]]
) -> list[PyModule]:
    for module in index.modules:
        configured = module.constants.get("ROOT_URLCONF")
        root = index.find(configured) if configured else None
        if root is not None and root.name in urlconfs:
            return [root]
    included = {
        p.include.name
        for module_patterns in patterns.values()
        for p in _walk(module_patterns)
        if isinstance(p.include, PyModule)
    }
    return [m for name, m in urlconfs.items() if name not in included]


def _walk(patterns: list[Pattern]) -> Iterator[Pattern]:
    for pattern in patterns:
        yield pattern
        if isinstance(pattern.include, list):
            yield from _walk(pattern.include)


def _expand(
    patterns: dict[str, list[Pattern]], entries: list[Pattern], prefix: str, seen: frozenset[str]
) -> Iterator[Route]:
    for pattern in entries:
        text = prefix + pattern.text
        include = pattern.include
        if include is None:
            yield Route(None, absolute(text), pattern.loc, "django")
        elif isinstance(include, list):
            yield from _expand(patterns, include, text, seen)
        elif include.name in patterns and include.name not in seen:
            yield from _expand(patterns, patterns[include.name], text, seen | {include.name})

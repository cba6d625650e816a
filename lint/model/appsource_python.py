"""Routes of Flask, Quart and FastAPI applications, read with `ast`.

Recognised: `Flask()`/`Quart()`/`Blueprint(url_prefix=)`/`FastAPI()`/`APIRouter(prefix=)`
objects; `@x.route`, `@x.get` (and the other verbs), `@x.api_route`, `x.add_url_rule`,
`x.add_api_route`; `register_blueprint(bp, url_prefix=)` (the registration prefix replaces the
blueprint's own, as Flask does; nested blueprints add their parent's), `include_router(r,
prefix=)` (FastAPI adds it to the router's own) and `mount("/p", sub_app)`. Routers imported
from other modules (`from .routers import health` then `health.router`) are followed.
A receiver that is never created in the scanned code (`@app.route` on an app built elsewhere)
still counts as an application. A route whose path is not a known string is skipped; a mount
prefix that is not known keeps the router's own prefix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from k8slint.lint.model.appsource_core import LocalRoute, Route, RouteNode, expand_routes, mount
from k8slint.lint.model.appsource_pymodules import (
    ImportedName,
    ModuleIndex,
    PyModule,
    callee,
    keyword,
)

CONSTRUCTORS = {
    "Flask": ("flask", None),
    "Quart": ("flask", None),
    "Blueprint": ("flask", "url_prefix"),
    "FastAPI": ("fastapi", None),
    "APIRouter": ("fastapi", "prefix"),
}
VERBS = frozenset({"get", "post", "put", "delete", "patch", "head", "options"})
ANY_VERB_DECORATORS = frozenset({"route", "api_route"})


class PythonRoutes:
    """Route objects of all modules, keyed by (module name, variable)."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.nodes: dict[tuple[str, str], RouteNode] = {}

    def scan(self) -> list[Route]:
        for module in self.index.modules:
            self._create_objects(module)
        for module in self.index.modules:
            for node in module.walked:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self._decorated_routes(module, node)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    self._method_call(module, node, node.func)
        return list(expand_routes(list(self.nodes.values())))

    def _create_objects(self, module: PyModule) -> None:
        for node in module.of_type(ast.Assign):
            if not isinstance(node.value, ast.Call):
                continue
            constructor = CONSTRUCTORS.get(callee(node.value))
            if constructor is None:
                continue
            framework, prefix_keyword = constructor
            prefix = self.index.string(module, keyword(node.value, prefix_keyword)) or ""
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.nodes[(module.name, target.id)] = RouteNode(framework, prefix)

    def _resolve(self, module: PyModule, expr: ast.expr) -> RouteNode | None:
        """The route object an expression names: local, imported, or `module.attribute`."""
        if isinstance(expr, ast.Name):
            local = self.nodes.get((module.name, expr.id))
            if local is not None:
                return local
            binding = module.imports.get(expr.id)
            if isinstance(binding, ImportedName):
                source = self.index.find(binding.module)
                if source is not None:
                    return self.nodes.get((source.name, binding.name))
            return None
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            source = self.index.module_of(module, expr.value.id)
            if source is not None:
                return self.nodes.get((source.name, expr.attr))
        return None

    def _receiver(self, module: PyModule, expr: ast.expr) -> RouteNode | None:
        """The object routes are added to; an unknown plain name becomes an application."""
        node = self._resolve(module, expr)
        if node is None and isinstance(expr, ast.Name):
            node = RouteNode(_guess_framework(module))
            self.nodes[(module.name, expr.id)] = node
        return node

    def _decorated_routes(
        self, module: PyModule, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> None:
        for decorator in function.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            verb = decorator.func.attr
            if verb in VERBS:
                self._add_route(module, decorator, decorator.func.value, "path", (verb.upper(),))
            elif verb in ANY_VERB_DECORATORS:
                self._add_route(
                    module, decorator, decorator.func.value, "rule", _methods(decorator)
                )

    def _method_call(self, module: PyModule, call: ast.Call, func: ast.Attribute) -> None:
        if func.attr == "add_url_rule":
            self._add_route(module, call, func.value, "rule", _methods(call))
        elif func.attr == "add_api_route":
            self._add_route(module, call, func.value, "path", _methods(call))
        elif func.attr in ("register_blueprint", "include_router"):
            self._mount(module, call, func.value, _first_arg(call, "blueprint", "router"))
        elif func.attr == "mount" and len(call.args) >= 2:
            self._mount(module, call, func.value, call.args[1], prefix_node=call.args[0])

    def _add_route(
        self,
        module: PyModule,
        call: ast.Call,
        receiver: ast.expr,
        path_keyword: str,
        methods: tuple[str | None, ...],
    ) -> None:
        path_node = _first_arg(call, path_keyword)
        path = self.index.string(module, path_node)
        if path_node is None or path is None or not (path == "" or path.startswith("/")):
            return
        owner = self._receiver(module, receiver)
        if owner is None:
            return
        loc = module.loc(path_node)
        owner.routes.extend(LocalRoute(method, path, loc) for method in methods)

    def _mount(
        self,
        module: PyModule,
        call: ast.Call,
        receiver: ast.expr,
        child_expr: ast.expr | None,
        prefix_node: ast.expr | None = None,
    ) -> None:
        child = None if child_expr is None else self._resolve(module, child_expr)
        if child is None:  # requests' session.mount(), StaticFiles apps: not routers we know
            return
        parent = self._receiver(module, receiver)
        if parent is None:
            return
        if prefix_node is None:
            prefix_node = keyword(call, "url_prefix") or keyword(call, "prefix")
        prefix = self.index.string(module, prefix_node)
        replaces = parent.framework == "flask" and child.framework == "flask"
        mount(parent, child, prefix, replaces=replaces)


def scan_python_routes(index: ModuleIndex) -> list[Route]:
    return PythonRoutes(index).scan()


def _first_arg(call: ast.Call, *keywords: str) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((kw.value for kw in call.keywords if kw.arg in keywords), None)


def _methods(call: ast.Call) -> tuple[str | None, ...]:
    """`methods=[...]` of a route; Flask and FastAPI both default to GET."""
    node = keyword(call, "methods")
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        names = tuple(_iter_upper_strings(node.elts))
        if names:
            return names
    return ("GET",)


def _iter_upper_strings(nodes: list[ast.expr]) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value.upper()


def _guess_framework(module: PyModule) -> str:
    imported = {b.module.partition(".")[0] for b in module.imports.values()}
    return "fastapi" if "fastapi" in imported else "flask"

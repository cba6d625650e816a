"""Routes of Express, Koa and Fastify apps, and the entry point for all JS/TS scanning.

Recognised: `x.get('/p', ...)` and the other verbs (`all`/`route` for any method) on apps and
routers; `express()`, `express.Router()`, `new Router({prefix})` (koa-router), `Fastify()`;
`router.prefix('/p')`; `x.use('/p', router)` and `x.use(router.routes())` mounts;
`fastify.route({method, url})`; `fastify.register(plugin, {prefix})`; Fastify plugins
(`module.exports = async function (fastify, opts) {...}`, also wrapped in `fp(...)`), whose
files under a `routes/` directory get @fastify/autoload's folder prefix. Routers and plugins
imported with `require()`/`import` from a sibling module are followed.
A call on a name never created in the file counts only when the name looks like a server
(`app`, `server`, `fastify`, `*router`) and the file uses a server framework, so that HTTP
client calls (`axios.get('/api/x')`) in front-end code are not taken for routes.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from k8slint.lint.model.appsource_core import (
    EnvRead,
    LocalRoute,
    Route,
    RouteNode,
    expand_routes,
    mount,
)
from k8slint.lint.model.appsource_jsenv import scan_js_env
from k8slint.lint.model.appsource_jstext import (
    IDENT,
    JS_STRING,
    CodeFile,
    matching_close,
    split_arguments,
    unquote,
)
from k8slint.lint.model.appsource_nest import scan_nest_routes

MODULE_SUFFIXES = ("", ".js", ".ts", ".mjs", ".cjs", ".mts", ".cts", "/index.js", "/index.ts")
VERBS = "get|post|put|delete|del|patch|head|options|all"
FRAMEWORK_MARKERS = (("fastify", "fastify"), ("koa", "koa"), ("express", "express"))
SERVER_NAME = re.compile(r"^(app|server|fastify|instance|api[A-Z]\w*)$|[Rr]outer$|[Rr]outes$")

CREATION = re.compile(rf"\b(?:const|let|var)\s+({IDENT})\s*(?::\s*[\w.<>]+\s*)?=\s*(?:await\s+)?")
KOA_ROUTER = re.compile(r"new\s+\w*Router\s*\(")
EXPRESS_ROUTER = re.compile(
    r"(?:express\s*\.\s*)?Router\s*\(|require\(\s*['\"]express['\"]\s*\)\s*\.\s*Router\s*\("
)
EXPRESS_APP = re.compile(r"express\s*\(\s*\)")
FASTIFY_APP = re.compile(r"(?:[Ff]astify|require\(\s*['\"]fastify['\"]\s*\))\s*\(")
PREFIX_OPTION = re.compile(rf"\bprefix\s*:\s*({JS_STRING})")
VERB_CALL = re.compile(rf"(?<![\w$])({IDENT})\s*\.\s*({VERBS})\s*\(\s*({JS_STRING})")
ROUTE_CHAIN = re.compile(rf"(?<![\w$])({IDENT})\s*\.\s*route\s*\(\s*({JS_STRING})")
ROUTE_OBJECT = re.compile(rf"(?<![\w$])({IDENT})\s*\.\s*route\s*\(\s*\{{")
URL_OPTION = re.compile(rf"\b(?:url|path)\s*:\s*({JS_STRING})")
METHOD_OPTION = re.compile(rf"\bmethod\s*:\s*(\[[^\]]*\]|{JS_STRING})")
USE_CALL = re.compile(rf"(?<![\w$])({IDENT})\s*\.\s*(use|register)\s*\(")
PREFIX_CALL = re.compile(rf"(?<![\w$])({IDENT})\s*\.\s*prefix\s*\(\s*({JS_STRING})\s*\)")
PLUGIN_FUNCTION = re.compile(
    rf"(?:async\s+)?function\s*({IDENT})?\s*\(\s*({IDENT})\s*(?::[^,)]*)?[,)]"
    rf"|(?:async\s+)?\(\s*({IDENT})\s*(?::[^,)]*)?(?:,[^)]*)?\)\s*(?::[^=]*)?=>\s*\{{"
)
DEFAULT_EXPORT = re.compile(r"(?:module\.exports|export\s+default)\s*=?\s*")
NAMED_EXPORT = re.compile(
    rf"(?:(?:module\.)?exports\.({IDENT})\s*=\s*({IDENT})|export\s+(?:const|let|var)\s+({IDENT}))"
)
REQUIRE = re.compile(
    rf"\b(?:const|let|var)\s+({IDENT})\s*=\s*require\(\s*({JS_STRING})\s*\)\s*(?:\.\s*({IDENT}))?"
)
REQUIRE_DESTRUCTURED = re.compile(
    rf"\b(?:const|let|var)\s*\{{([^}}]*)\}}\s*=\s*require\(\s*({JS_STRING})\s*\)"
)
IMPORT = re.compile(rf"\bimport\s+(?:({IDENT})\s*,?\s*)?(?:\{{([^}}]*)\}}\s*)?from\s*({JS_STRING})")
INLINE_REQUIRE = re.compile(rf"^(?:require|import)\(\s*({JS_STRING})\s*\)")


@dataclass(frozen=True, slots=True)
class Binding:
    module: str  # the import specifier, './routes/health'
    name: str  # "default" or the exported name


@dataclass(frozen=True, slots=True)
class PluginScope:
    """A function whose first parameter is a router inside its body (Fastify plugin, Koa setup)."""

    start: int
    end: int
    param: str
    node: RouteNode


@dataclass
class JsModule:
    source: CodeFile
    framework: str
    server_like: bool
    nodes: dict[str, RouteNode] = field(default_factory=dict)
    scopes: list[PluginScope] = field(default_factory=list)
    functions: dict[str, RouteNode] = field(default_factory=dict)  # named plugin functions
    default_export: RouteNode | None = None
    exports: dict[str, str] = field(default_factory=dict)  # exported name -> local name
    imports: dict[str, Binding] = field(default_factory=dict)


def scan_javascript(files: list[CodeFile]) -> tuple[list[Route], list[EnvRead]]:
    linker = JsLinker({f.path: _module(f) for f in files})
    routes = linker.routes()
    routes.extend(scan_nest_routes(files))
    return routes, [read for f in files for read in scan_js_env(f)]


def _module(source: CodeFile) -> JsModule:
    code = source.code
    lowered = code.lower()
    framework = next((name for marker, name in FRAMEWORK_MARKERS if marker in lowered), "express")
    server_like = any(marker in lowered for marker, _ in FRAMEWORK_MARKERS)
    module = JsModule(source, framework, server_like)
    _collect_objects(module)
    _collect_plugins(module)
    _collect_exports(module)
    _collect_imports(module)
    return module


def _collect_objects(module: JsModule) -> None:
    code = module.source.code
    for match in CREATION.finditer(code):
        rest = code[match.end() : match.end() + 200]
        node = _created_node(rest)
        if node is not None:
            module.nodes[match.group(1)] = node


def _created_node(expression: str) -> RouteNode | None:
    if KOA_ROUTER.match(expression):
        options_end = expression.find(")")
        prefix = PREFIX_OPTION.search(expression[:options_end])
        return RouteNode("koa", unquote(prefix.group(1)) if prefix else "")
    if EXPRESS_APP.match(expression) or EXPRESS_ROUTER.match(expression):
        return RouteNode("express")
    if FASTIFY_APP.match(expression):
        return RouteNode("fastify")
    return None


def _collect_plugins(module: JsModule) -> None:
    """Functions taking the router as first parameter; the exported one is the file's plugin."""
    code = module.source.code
    export = DEFAULT_EXPORT.search(code)
    for match in PLUGIN_FUNCTION.finditer(code):
        param = match.group(2) or match.group(3)
        if not param or not SERVER_NAME.match(param):
            continue
        body_open = code.find("{", match.end() - 1)
        if body_open < 0:
            continue
        # called (`setupRoutes(router)`) rather than mounted, it may serve under any prefix
        node = RouteNode("fastify" if param == "fastify" else module.framework, prefix_unknown=True)
        module.scopes.append(PluginScope(body_open, matching_close(code, body_open), param, node))
        if match.group(1):
            module.functions[match.group(1)] = node
        if export is not None and _is_exported_expression(code, export.end(), match.start()):
            node.prefix = _autoload_prefix(module.source.path)
            module.default_export = node


def _is_exported_expression(code: str, export_end: int, function_start: int) -> bool:
    """`module.exports = async function`, also wrapped: `export default fp(async (f) => {`."""
    between = code[export_end:function_start]
    return re.fullmatch(r"\s*(?:\w+\s*\(\s*)?", between) is not None


def _autoload_prefix(path: str) -> str:
    """@fastify/autoload mounts `routes/users/index.js` at `/users`: each folder is a prefix."""
    parts = path.split("/")[:-1]
    if "routes" not in parts:
        return ""
    last = len(parts) - 1 - parts[::-1].index("routes")
    return "/".join(["", *parts[last + 1 :]]) if parts[last + 1 :] else ""


def _collect_exports(module: JsModule) -> None:
    code = module.source.code
    if module.default_export is None:
        for match in DEFAULT_EXPORT.finditer(code):
            name = re.match(IDENT, code[match.end() :])
            if name and name.group(0) in module.nodes:
                module.default_export = module.nodes[name.group(0)]
    for match in NAMED_EXPORT.finditer(code):
        if match.group(1):
            module.exports[match.group(1)] = match.group(2)
        else:
            module.exports[match.group(3)] = match.group(3)


def _collect_imports(module: JsModule) -> None:
    code = module.source.code
    for match in REQUIRE.finditer(code):
        module.imports[match.group(1)] = Binding(
            unquote(match.group(2)), match.group(3) or "default"
        )
    for match in REQUIRE_DESTRUCTURED.finditer(code):
        for exported, local in _named_bindings(match.group(1), ":"):
            module.imports[local] = Binding(unquote(match.group(2)), exported)
    for match in IMPORT.finditer(code):
        specifier = unquote(match.group(3))
        if match.group(1):
            module.imports[match.group(1)] = Binding(specifier, "default")
        for exported, local in _named_bindings(match.group(2) or "", " as "):
            module.imports[local] = Binding(specifier, exported)


def _named_bindings(text: str, separator: str) -> Iterator[tuple[str, str]]:
    for item in text.split(","):
        exported, _, local = item.strip().partition(separator)
        exported, local = exported.strip(), (local.strip() or exported.strip())
        if re.fullmatch(IDENT, exported) and re.fullmatch(IDENT, local):
            yield exported, local


class JsLinker:
    """Resolves names to routers across modules and collects routes and mounts."""

    def __init__(self, modules: dict[str, JsModule]) -> None:
        self.modules = modules

    def routes(self) -> list[Route]:
        for module in self.modules.values():
            self._declarations(module)
        nodes = [
            n
            for m in self.modules.values()
            for n in (*m.nodes.values(), *(s.node for s in m.scopes))
        ]
        return list(expand_routes(nodes))

    def _declarations(self, module: JsModule) -> None:
        code = module.source.code
        for match in PREFIX_CALL.finditer(code):
            node = self._receiver(module, match.group(1), match.start())
            if node is not None:
                node.prefix = unquote(match.group(2))
        for match in VERB_CALL.finditer(code):
            verb = match.group(2).upper()
            method = None if verb == "ALL" else "DELETE" if verb == "DEL" else verb
            self._add(
                module, match.group(1), match.start(), match.start(3), match.group(3), (method,)
            )
        for match in ROUTE_CHAIN.finditer(code):
            self._add(
                module, match.group(1), match.start(), match.start(2), match.group(2), (None,)
            )
        for match in ROUTE_OBJECT.finditer(code):
            self._route_object(module, match)
        for match in USE_CALL.finditer(code):
            self._use(module, match)

    def _add(
        self,
        module: JsModule,
        receiver: str,
        at: int,
        literal_at: int,
        literal: str,
        methods: tuple[str | None, ...],
    ) -> None:
        path = unquote(literal)
        if not path.startswith("/") and path not in ("", "*"):
            return
        node = self._receiver(module, receiver, at)
        if node is not None:
            loc = module.source.index.loc(literal_at, literal_at + len(literal))
            node.routes.extend(LocalRoute(method, path, loc) for method in methods)

    def _route_object(self, module: JsModule, match: re.Match[str]) -> None:
        """`fastify.route({ method: ['GET', 'HEAD'], url: '/health', handler })`."""
        code = module.source.code
        open_at = match.end() - 1
        body = code[open_at : matching_close(code, open_at)]
        url = URL_OPTION.search(body)
        if url is None:
            return
        method_match = METHOD_OPTION.search(body)
        methods: tuple[str | None, ...] = (None,)
        if method_match is not None:
            methods = tuple(
                unquote(m).upper() for m in re.findall(JS_STRING, method_match.group(1))
            ) or (None,)
        self._add(
            module, match.group(1), match.start(), open_at + url.start(1), url.group(1), methods
        )

    def _use(self, module: JsModule, match: re.Match[str]) -> None:
        """`app.use('/api', auth, r)`, `app.use(r.routes())`, `fastify.register(p, {prefix})`."""
        code = module.source.code
        open_at = match.end() - 1
        arguments = [
            code[a:b] for a, b in split_arguments(code, open_at + 1, matching_close(code, open_at))
        ]
        if not arguments:
            return
        prefix: str | None = None
        if re.fullmatch(JS_STRING, arguments[0]):
            prefix = unquote(arguments.pop(0))
        if match.group(2) == "register":
            options = PREFIX_OPTION.search(" ".join(arguments[1:]))
            prefix = unquote(options.group(1)) if options else None
            arguments = arguments[:1]
        children = list(
            {id(c): c for a in arguments if (c := self._argument_node(module, a))}.values()
        )
        if not children:
            return
        parent = self._receiver(module, match.group(1), match.start())
        if parent is not None:
            for child in children:
                mount(parent, child, prefix)

    def _argument_node(self, module: JsModule, argument: str) -> RouteNode | None:
        inline = INLINE_REQUIRE.match(argument)
        if inline:
            return self._imported(module, Binding(unquote(inline.group(1)), "default"))
        name = re.match(IDENT, argument)  # `router`, `router.routes()`
        if name is None:
            return None
        local = module.nodes.get(name.group(0)) or module.functions.get(name.group(0))
        if local is not None:
            return local
        binding = module.imports.get(name.group(0))
        return self._imported(module, binding) if binding else None

    def _imported(self, module: JsModule, binding: Binding) -> RouteNode | None:
        target = self._resolve_module(module.source.path, binding.module)
        if target is None:
            return None
        if binding.name == "default" and target.default_export is not None:
            return target.default_export
        local = target.exports.get(binding.name, binding.name)
        found = target.nodes.get(local) or target.functions.get(local)
        if found is not None:
            return found
        candidates = [*target.nodes.values(), *(s.node for s in target.scopes)]
        return candidates[0] if len(candidates) == 1 else None

    def _resolve_module(self, importer: str, specifier: str) -> JsModule | None:
        if not specifier.startswith("."):
            return None
        base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
        base = re.sub(r"\.js$", "", base) if base not in self.modules else base
        return next(
            (self.modules[base + s] for s in MODULE_SUFFIXES if base + s in self.modules), None
        )

    def _receiver(self, module: JsModule, name: str, at: int) -> RouteNode | None:
        """The router `name` stands for at offset `at`; a server-like unknown name is an app."""
        scopes = [s for s in module.scopes if s.param == name and s.start <= at < s.end]
        if scopes:
            return min(scopes, key=lambda s: s.end - s.start).node
        node = module.nodes.get(name)
        if node is None and name in module.imports:
            node = self._imported(module, module.imports[name])
        if node is None and module.server_like and SERVER_NAME.match(name):
            node = module.nodes[name] = RouteNode(module.framework)
        return node

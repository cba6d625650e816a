"""Routes and environment reads of Go services (regex-based, per package directory).

Routes: `http.HandleFunc`/`mux.Handle` (Go 1.22 `"GET /x/{id}"` patterns too; a pattern
ending in "/" serves its subtree), gorilla/mux `HandleFunc(...).Methods(...)`,
`PathPrefix("/p").Subrouter()` and `PathPrefix("/p").Handler(...)`, gin and echo `GET`...`Any`
with `Group("/p")`, chi `Get`... with `Route("/p", func(r chi.Router) {...})`, `Mount("/p", x)`
and `Group(func(r chi.Router) {...})`. A path built as `base + "/x"` keeps its literal parts and
the names the package assigns a string literal at the start of a line (`const apiBase = "/api"`,
`baseUrl = ""` in a var block); other parts are dropped.
Route objects are the package directory's: a router created in one file serves the routes
another file adds to it. A router that is a function's parameter (`func register(r
*mux.Router)`) or a name the package never creates may be mounted anywhere: its routes match
under any prefix (`prefix_unknown`). `http.Get`/`http.Post` are the client, not routes.
Env: `os.Getenv("X")`/`os.LookupEnv("X")` is soft, unless the variable it is stored in is then
checked empty and either given a literal (a default) or followed by log.Fatal/panic/os.Exit
(required). Helper functions are recognised by shape: one that reads its string parameter with
os.Getenv/LookupEnv and returns another parameter gives defaults at its call sites
(`getEnv("X", "d")`); one that reads it and fails makes its call sites required
(`mustMapEnv(&v, "X")`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.locate import Loc
from k8slint.lint.model.appsource_core import (
    EnvRead,
    LocalRoute,
    Route,
    RouteNode,
    expand_routes,
    mount,
)
from k8slint.lint.model.appsource_jstext import (
    GO_STRING,
    CodeFile,
    matching_close,
    split_arguments,
    unquote,
)

RECEIVER = r"(?<![\w.])((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)"
HTTP_VERBS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE")
GIN_ECHO_VERBS = "|".join((*HTTP_VERBS, "Any"))
CHI_VERBS = "Get|Post|Put|Delete|Patch|Head|Options|Connect|Trace"
ROUTE_CALL = re.compile(
    rf"{RECEIVER}\s*\.\s*({GIN_ECHO_VERBS}|{CHI_VERBS}|HandleFunc|Handle|Method|MethodFunc)\s*\("
)
GROUP = re.compile(rf"(\w+)\s*:?=\s*{RECEIVER}\s*\.\s*(Group|PathPrefix)\s*\(")
CHI_SCOPE = re.compile(
    rf"{RECEIVER}\s*\.\s*(Route|Group)\s*\(\s*(?:({GO_STRING})\s*,\s*)?func\s*\(\s*(\w+)\s+[\w.*]+\s*\)\s*\{{"
)
CHI_MOUNT = re.compile(rf"{RECEIVER}\s*\.\s*Mount\s*\(")
PATH_PREFIX_HANDLER = re.compile(
    rf"{RECEIVER}\s*\.\s*PathPrefix\s*\(\s*([^)]*)\)\s*\.\s*Handler(?:Func)?\s*\("
)
CONSTRUCTORS = (
    (re.compile(r"gin\s*\.\s*(?:Default|New)\s*\("), "gin"),
    (re.compile(r"echo\s*\.\s*New\s*\("), "echo"),
    (re.compile(r"chi\s*\.\s*NewRouter\s*\("), "chi"),
    (re.compile(r"mux\s*\.\s*NewRouter\s*\("), "gorilla"),
    (re.compile(r"http\s*\.\s*NewServeMux\s*\("), "net/http"),
)
ASSIGNMENT = re.compile(rf"{RECEIVER}\s*:?=\s*(?:&\s*)?")
CONSTANT = re.compile(
    rf"^\s*(?:const|var)?\s*(\w+)\s*(?:string\s*)?=\s*({GO_STRING})", re.MULTILINE
)
METHODS_CHAIN = re.compile(r"\s*\.\s*Methods\s*\(([^)]*)\)")
IMPORT_FRAMEWORKS = (
    ("gin-gonic/gin", "gin"),
    ("labstack/echo", "echo"),
    ("go-chi/chi", "chi"),
    ("gorilla/mux", "gorilla"),
)


@dataclass(frozen=True, slots=True)
class Scope:
    start: int
    end: int
    name: str
    node: RouteNode


@dataclass(frozen=True, slots=True)
class Function:
    """A top-level function or method: its body's span and its parameter names."""

    start: int
    end: int
    parameters: tuple[str, ...]


class GoFile:
    """One Go file: the scopes that rebind a name; route objects are the package's (`nodes`)."""

    def __init__(
        self, source: CodeFile, constants: dict[str, str], nodes: dict[str, RouteNode]
    ) -> None:
        self.source = source
        self.constants = constants
        code = source.code
        self.framework = next(
            (name for marker, name in IMPORT_FRAMEWORKS if marker in code), "net/http"
        )
        self.nodes = nodes  # shared by the files of one package directory
        self.scopes: list[Scope] = []
        self.parameter_nodes: dict[tuple[int, str], RouteNode] = {}
        self.functions = [
            Function(
                match.end() - 1,
                matching_close(code, match.end() - 1),
                tuple(_parameters(match.group(2))),
            )
            for match in FUNC.finditer(code)
        ]

    def all_nodes(self) -> list[RouteNode]:
        return [*(s.node for s in self.scopes), *self.parameter_nodes.values()]

    def collect_objects(self) -> None:
        code = self.source.code
        for match in ASSIGNMENT.finditer(code):
            framework = next((f for rx, f in CONSTRUCTORS if rx.match(code, match.end())), None)
            if framework is not None:
                self.nodes[match.group(1)] = RouteNode(framework)

    def collect_scopes(self) -> None:
        code = self.source.code
        for match in CHI_SCOPE.finditer(code):
            self._chi_scope(match)
        for match in GROUP.finditer(code):
            self._group(match)

    def collect_routes(self) -> None:
        code = self.source.code
        for match in CHI_MOUNT.finditer(code):
            self._chi_mount(match)
        for match in ROUTE_CALL.finditer(code):
            self._route(match)
        for match in PATH_PREFIX_HANDLER.finditer(code):
            self._prefix_handler(match)

    def receiver(self, name: str, at: int) -> RouteNode:
        """The route object `name` stands for at offset `at`.

        A function's parameter (`func registerRoutes(r *mux.Router)`) and a name the package
        never creates are objects mounted who knows where: their routes may sit under any
        prefix.
        """
        scopes = [s for s in self.scopes if s.name == name and s.start <= at < s.end]
        if scopes:
            return min(scopes, key=lambda s: s.end - s.start).node
        function = next((f for f in self.functions if f.start <= at < f.end), None)
        if function is not None and name in function.parameters:
            key = (function.start, name)
            if key not in self.parameter_nodes:
                self.parameter_nodes[key] = RouteNode(self.framework, prefix_unknown=True)
            return self.parameter_nodes[key]
        if name == "http":  # the DefaultServeMux
            name = "http.DefaultServeMux"
        node = self.nodes.get(name)
        if node is None:
            known = name.startswith("http.")
            node = self.nodes[name] = RouteNode(
                "net/http" if known else self.framework, prefix_unknown=not known
            )
        return node

    def path(self, expression: str) -> str | None:
        """`"/x"`, `base + "/x"`, `apiPrefix` (a constant); unknown identifiers are dropped."""
        parts = [p.strip() for p in expression.split("+")]
        values = [unquote(p) if p[:1] in '"`' else self.constants.get(p, "") for p in parts if p]
        if not any(p[:1] in '"`' or p in self.constants for p in parts):
            return None
        return "".join(values)

    def _chi_scope(self, match: re.Match[str]) -> None:
        code = self.source.code
        parent = self.receiver(match.group(1), match.start())
        body_open = match.end() - 1
        child = RouteNode(parent.framework)
        prefix = unquote(match.group(3)) if match.group(3) else None
        mount(parent, child, prefix)
        self.scopes.append(Scope(body_open, matching_close(code, body_open), match.group(4), child))

    def _group(self, match: re.Match[str]) -> None:
        code = self.source.code
        open_at = match.end() - 1
        arguments = split_arguments(code, open_at + 1, matching_close(code, open_at))
        if not arguments:
            return
        prefix = self.path(code[arguments[0][0] : arguments[0][1]])
        parent = self.receiver(match.group(2), match.start(2))
        child = RouteNode(parent.framework)
        mount(parent, child, prefix or "")
        self.nodes[match.group(1)] = child

    def _chi_mount(self, match: re.Match[str]) -> None:
        code = self.source.code
        open_at = match.end() - 1
        arguments = [
            code[a:b] for a, b in split_arguments(code, open_at + 1, matching_close(code, open_at))
        ]
        if len(arguments) == 2 and arguments[1] in self.nodes:
            prefix = self.path(arguments[0])
            mount(
                self.receiver(match.group(1), match.start()), self.nodes[arguments[1]], prefix or ""
            )

    def _route(self, match: re.Match[str]) -> None:
        code = self.source.code
        verb = match.group(2)
        if match.group(1) == "http" and verb not in ("Handle", "HandleFunc"):
            return  # http.Get/http.Post are the HTTP client
        open_at = match.end() - 1
        close = matching_close(code, open_at)
        arguments = split_arguments(code, open_at + 1, close)
        if verb in ("Method", "MethodFunc"):  # chi: r.Method("GET", "/x", h)
            if len(arguments) < 2:
                return
            method_span, arguments = arguments[0], arguments[1:]
            methods: tuple[str | None, ...] = (_method_name(code[method_span[0] : method_span[1]]),)
        else:
            methods = _verb_methods(verb, code, close)
        if not arguments:
            return
        start, end = arguments[0]
        pattern = self.path(code[start:end])
        if pattern is None:
            return
        method_in_pattern, _, path = pattern.rpartition(" ")  # Go 1.22: "GET /items/{id}"
        if not path.startswith("/") and path not in ("", "*"):
            return
        if method_in_pattern:
            methods = (method_in_pattern.strip(),)
        node = self.receiver(match.group(1), match.start())
        loc = self.source.index.loc(start, end)
        node.routes.extend(LocalRoute(m, path, loc) for m in methods)

    def _prefix_handler(self, match: re.Match[str]) -> None:
        """gorilla `r.PathPrefix("/static/").Handler(...)` serves the whole subtree."""
        prefix = self.path(match.group(2))
        if prefix is None:
            return
        node = self.receiver(match.group(1), match.start())
        loc = self.source.index.loc(match.start(2), match.end(2))
        node.routes.append(LocalRoute(None, prefix.rstrip("/") + "/*", loc))


def _verb_methods(verb: str, code: str, close: int) -> tuple[str | None, ...]:
    if verb.upper() in HTTP_VERBS:
        return (verb.upper(),)
    chained = METHODS_CHAIN.match(code, close + 1)  # gorilla .Methods("GET", http.MethodHead)
    if chained is None:
        return (None,)
    names = [_method_name(a.strip()) for a in chained.group(1).split(",") if a.strip()]
    return tuple(n for n in names if n) or (None,)


def _method_name(expression: str) -> str | None:
    if expression[:1] in '"`':
        return unquote(expression).upper()
    if expression.startswith("http.Method"):
        return expression.removeprefix("http.Method").upper()
    return None


def scan_go(files: list[CodeFile]) -> tuple[list[Route], list[EnvRead]]:
    constants = _package_constants(files)
    packages: dict[str, list[CodeFile]] = {}
    for source in files:
        packages.setdefault(_directory(source.path), []).append(source)
    routes: list[Route] = []
    for directory, sources in packages.items():
        nodes: dict[str, RouteNode] = {}  # the package's route objects, by name
        go_files = [GoFile(s, constants.get(directory, {}), nodes) for s in sources]
        for step in (GoFile.collect_objects, GoFile.collect_scopes, GoFile.collect_routes):
            for go_file in go_files:
                step(go_file)
        package_nodes = [*nodes.values(), *(n for f in go_files for n in f.all_nodes())]
        routes.extend(expand_routes(package_nodes))
    helpers = _env_helpers(files)
    calls = re.compile(rf"(?<!\w)({'|'.join(map(re.escape, helpers))})\s*\(") if helpers else None
    env_reads = [read for source in files for read in _env_reads(source, helpers, calls)]
    return routes, env_reads


def _directory(path: str) -> str:
    return path.rpartition("/")[0]


def _package_constants(files: list[CodeFile]) -> dict[str, dict[str, str]]:
    """Names assigned a string literal at the start of a line, per package dir (first wins)."""
    constants: dict[str, dict[str, str]] = {}
    for source in files:
        found = constants.setdefault(_directory(source.path), {})
        for match in CONSTANT.finditer(source.code):
            found.setdefault(match.group(1), unquote(match.group(2)))
    return constants


# --- environment -----------------------------------------------------------------------------

GETENV = re.compile(rf"os\s*\.\s*(Getenv|LookupEnv)\s*\(\s*({GO_STRING})\s*\)")
STORED = re.compile(r"(\w+)\s*(?:,\s*(\w+)\s*)?:?=\s*$")
FUNC = re.compile(r"^func\s+(?:\([^)]*\)\s*)?(\w+)\s*\(([^)]*)\)[^{\n]*\{", re.MULTILINE)
FAILS = r"(?:log\s*\.\s*(?:Fatal|Fatalf|Fatalln|Panic|Panicf)|panic|os\s*\.\s*Exit)\s*\("


@dataclass(frozen=True, slots=True)
class EnvHelper:
    key_index: int
    default_index: int | None  # the parameter returned when the variable is empty
    required: bool


def _parameters(signature: str) -> list[str]:
    """Parameter names of `key, fallback string` / `target *string, key string`."""
    names = []
    for part in signature.split(","):
        words = part.split()
        if words:
            names.append(words[0])
    return names


def _env_helpers(files: list[CodeFile]) -> dict[str, EnvHelper]:
    helpers: dict[str, EnvHelper] = {}
    for source in files:
        code = source.code
        for match in FUNC.finditer(code):
            body = code[match.end() - 1 : matching_close(code, match.end() - 1)]
            helper = _helper_shape(_parameters(match.group(2)), body)
            if helper is not None:
                helpers[match.group(1)] = helper
    return helpers


def _helper_shape(parameters: list[str], body: str) -> EnvHelper | None:
    for key_index, name in enumerate(parameters):
        if not re.search(rf"os\s*\.\s*(?:Getenv|LookupEnv)\s*\(\s*{re.escape(name)}\s*\)", body):
            continue
        for default_index, other in enumerate(parameters):
            if other != name and re.search(rf"\breturn\s+{re.escape(other)}\b", body):
                return EnvHelper(key_index, default_index, False)
        if re.search(FAILS, body):
            return EnvHelper(key_index, None, True)
    return None


def _env_reads(
    source: CodeFile, helpers: dict[str, EnvHelper], calls: re.Pattern[str] | None
) -> Iterator[EnvRead]:
    code = source.code
    for match in GETENV.finditer(code):
        yield _direct_read(source, match)
    if calls is not None:
        for match in calls.finditer(code):
            before = code[max(0, match.start() - 64) : match.start()]
            if before.rstrip().endswith("func"):  # the helper's own declaration
                continue
            read = _helper_read(source, match, helpers[match.group(1)])
            if read is not None:
                yield read


def _direct_read(source: CodeFile, match: re.Match[str]) -> EnvRead:
    code = source.code
    name = unquote(match.group(2))
    call_loc = source.index.loc(match.start(), match.end())
    line_start = code.rfind("\n", 0, match.start()) + 1
    stored = STORED.search(code, line_start, match.start())  # `v := ` or `if v := ` before it
    if stored is None:
        return EnvRead(name, None, call_loc, False, True, "go")
    if match.group(1) == "LookupEnv" and stored.group(2):
        return _checked(source, name, call_loc, stored.group(2), match.end(), lookup=True)
    return _checked(source, name, call_loc, stored.group(1), match.end())


def _checked(
    source: CodeFile, name: str, call_loc: Loc, variable: str, after: int, lookup: bool = False
) -> EnvRead:
    """A read whose variable is then checked empty: a default, a fatal, or neither (soft)."""
    code = source.code
    var = re.escape(variable)
    check = rf"!\s*{var}\b" if lookup else rf"\b{var}\s*==\s*\"\"|len\(\s*{var}\s*\)\s*==\s*0"
    found = re.compile(rf"(?:^|;)\s*(?:if\s+)?(?:{check})\s*\{{", re.MULTILINE).search(
        code, after, after + 400
    )
    if found is not None:
        body_open = found.end() - 1
        body = code[body_open : matching_close(code, body_open) + 1]
        default = re.match(rf"\{{\s*\w+\s*=\s*({GO_STRING})\s*\}}", body)
        if default is not None:
            start = body_open + default.start(1)
            loc = source.index.loc(start, start + len(default.group(1)))
            return EnvRead(name, unquote(default.group(1)), loc, False, False, "go")
        if re.search(FAILS, body):
            return EnvRead(name, None, call_loc, True, False, "go")
    return EnvRead(name, None, call_loc, False, True, "go")


def _helper_read(source: CodeFile, match: re.Match[str], helper: EnvHelper) -> EnvRead | None:
    code = source.code
    open_at = match.end() - 1
    close = matching_close(code, open_at)
    arguments = split_arguments(code, open_at + 1, close)
    if len(arguments) <= helper.key_index:
        return None
    key_start, key_end = arguments[helper.key_index]
    key = code[key_start:key_end]
    if not re.fullmatch(GO_STRING, key):
        return None
    name = unquote(key)
    call_loc = source.index.loc(match.start(), close + 1)
    if helper.required:  # extra arguments are fallback names: any of them will do
        required = len(arguments) == helper.key_index + 1
        return EnvRead(name, None, call_loc, required, False, "go")
    if helper.default_index is None or len(arguments) <= helper.default_index:
        return EnvRead(name, None, call_loc, False, True, "go")
    start, end = arguments[helper.default_index]
    literal = code[start:end]
    if re.fullmatch(GO_STRING, literal):
        return EnvRead(name, unquote(literal), source.index.loc(start, end), False, False, "go")
    return EnvRead(name, None, call_loc, False, False, "go")

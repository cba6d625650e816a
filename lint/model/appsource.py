"""What an application's source says about it: the HTTP routes it serves and the env it reads.

`scan_app` reads (never imports or runs) the sources under one directory and hands them to the
scanner of each language: Python (`ast`: Flask/Quart, FastAPI, Django, os.environ,
pydantic-settings), JavaScript/TypeScript (Express, Koa, Fastify, NestJS, process.env), Go
(net/http, gorilla/mux, gin, echo, chi, os.Getenv and env helpers) and Java/Kotlin (Spring MVC
mappings, Spring Boot Actuator, System.getenv, `${X:default}` placeholders).

Files read: source files (.py .js .mjs .cjs .ts .mts .cts .go .java .kt) up to 1 MB, the Maven
and Gradle build files and Spring's application.properties/yml. Skipped: tests (test_*.py,
*_test.py, conftest.py, *_test.go, *.test.*/*.spec.* and anything under a test, tests,
__tests__, e2e, testdata or src/test directory), type declarations (.d.ts), minified bundles
(.min.js) and build output (dist, build, target, out, coverage, .next), besides the directories
`discover.walk` always skips (node_modules, vendor, .git, virtualenvs ...). Tests declare fake
routes and env reads; build output duplicates the sources.

A source that does not parse is skipped, never an error. When part of a path or prefix is only
known at run time (`baseUrl + "/healthz"`), that part is dropped: the scanner would rather miss
a broken probe than report a route as missing that the app serves.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from k8slint.lint.discover import walk
from k8slint.lint.load import Project
from k8slint.lint.model.appsource_core import LANGUAGE_BY_SUFFIX, EnvRead, Route, SourceText
from k8slint.lint.model.appsource_django import scan_django_routes
from k8slint.lint.model.appsource_go import scan_go
from k8slint.lint.model.appsource_java import BUILD_FILES, SPRING_CONFIG_FILES, scan_java
from k8slint.lint.model.appsource_js import scan_javascript
from k8slint.lint.model.appsource_jstext import CodeFile
from k8slint.lint.model.appsource_pyenv import scan_python_env
from k8slint.lint.model.appsource_pymodules import ModuleIndex, parse_modules
from k8slint.lint.model.appsource_python import scan_python_routes

__all__ = ["AppSource", "EnvRead", "Route", "first_serving", "scan_app"]

MAX_SOURCE_SIZE = 1024 * 1024
SKIPPED_DIRS = frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "e2e",
        "testdata",
        "dist",
        "build",
        "target",
        "out",
        "coverage",
        ".next",
    }
)
TEST_FILE = re.compile(
    r"^(test_.*\.py|.*_test\.py|conftest\.py|.*_test\.go|.*\.(test|spec|e2e-spec)\.[cm]?[jt]sx?)$"
)
PROBE_METHODS = frozenset({None, "GET"})  # kubelet probes send GET
UNDECLARED_SERVING = re.compile(
    r"""express\.static\s*\(|serve-static|serveStatic\s*\(|koa-static|@fastify/static
      |ServeStaticModule|createTerminus\s*\(|express-healthcheck|http-proxy-middleware
      |createProxyMiddleware\s*\(|\.setNotFoundHandler\s*\(|StaticFiles\s*\(|WhiteNoise
      |http\.FileServer(?:FS)?\s*\(|\.NoRoute\s*\(|healthcheck\.NewHandler\s*\(
      |\.NotFoundHandler\s*=""",
    re.VERBOSE,
)
"""Code that serves paths no route declares (static files, proxies, health-check libraries)."""


@dataclass(frozen=True)
class AppSource:
    """Routes and environment reads found in the sources under `directory`."""

    directory: str  # POSIX dir relative to the project root ("" = whole repo)
    routes: tuple[Route, ...]
    env_reads: tuple[EnvRead, ...]
    files: tuple[str, ...]  # source files scanned
    # code (comments aside) that answers paths no route declares: static files, proxies,
    # health-check libraries with their own handlers, catch-all fallbacks
    serves_undeclared: bool = False

    def serves(self, path: str) -> Route | None:
        """The first GET (or any-method) route that a request for `path` would reach.

        Path parameters match one segment (`{id}`, `:id`, `<int:id>`), catch-alls and
        `<path:x>` match the rest; a trailing slash and the query string are ignored. A route
        whose prefix the scanner could not follow (`prefix_unknown`) matches under any prefix.
        """
        return first_serving(self.routes, path)

    def has_routes(self) -> bool:
        return bool(self.routes)


def first_serving(routes: Iterable[Route], path: str) -> Route | None:
    """The first GET (or any-method) route of `routes` that serves `path` (see `serves`)."""
    probe = _normalise(path)
    for route in routes:
        if route.method in PROBE_METHODS and _route_regex(
            route.path, route.framework, route.prefix_unknown
        ).fullmatch(probe):
            return route
    return None


def scan_app(
    project: Project,
    directory: str,
    excludes: Iterable[str] = (),
    files: Iterable[str] | None = None,
) -> AppSource:
    """Scan the application sources under `directory` (POSIX, relative to the project root).

    `files` is the project's file list (the workspace's walk plus editor buffers); without it
    the directory is walked.
    """
    by_language: dict[str, list[SourceText]] = {}
    build_files: list[SourceText] = []
    spring_configs: list[SourceText] = []
    for rel in _candidate_files(project, directory, excludes, files):
        text = project.read_text(rel)
        if text is None:
            continue
        name = rel.rpartition("/")[2]
        if name in BUILD_FILES:
            build_files.append(SourceText(rel, text))
        elif name in SPRING_CONFIG_FILES:
            spring_configs.append(SourceText(rel, text))
        else:
            by_language.setdefault(LANGUAGE_BY_SUFFIX[_suffix(name)], []).append(
                SourceText(rel, text)
            )
    routes: list[Route] = []
    env_reads: list[EnvRead] = []
    undeclared = False
    if "python" in by_language:
        _scan_python(by_language["python"], directory, routes, env_reads)
        undeclared = any(_python_serves_undeclared(s.text) for s in by_language["python"])
    code_files = {
        language: [
            CodeFile(s.path, s.text, regex_literals=language == "javascript")
            for s in by_language.get(language, ())
        ]
        for language in ("javascript", "go", "java")
    }
    for language, scanner in (("javascript", scan_javascript), ("go", scan_go)):
        if code_files[language]:
            found_routes, found_env = scanner(code_files[language])
            routes.extend(found_routes)
            env_reads.extend(found_env)
    if code_files["java"] or build_files or spring_configs:
        found_routes, found_env = scan_java(code_files["java"], build_files, spring_configs)
        routes.extend(found_routes)
        env_reads.extend(found_env)
    undeclared = undeclared or any(
        UNDECLARED_SERVING.search(f.code) for sources in code_files.values() for f in sources
    )
    scanned = sorted(s.path for sources in by_language.values() for s in sources)
    routes.sort(key=lambda r: (r.loc, r.path, r.method or ""))
    env_reads.sort(key=lambda e: (e.loc, e.name))
    return AppSource(directory, tuple(routes), tuple(env_reads), tuple(scanned), undeclared)


def _scan_python(
    sources: list[SourceText], directory: str, routes: list[Route], env_reads: list[EnvRead]
) -> None:
    index = ModuleIndex(parse_modules(sources, directory))
    routes.extend(scan_python_routes(index))
    routes.extend(scan_django_routes(index))
    env_reads.extend(scan_python_env(index))


def _python_serves_undeclared(text: str) -> bool:
    """UNDECLARED_SERVING in Python code outside comments (tokenized only when the text has it)."""
    if UNDECLARED_SERVING.search(text) is None:
        return False
    try:
        tokens = [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type != tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return True  # unreadable: keep what the text says
    return UNDECLARED_SERVING.search(" ".join(tokens)) is not None


def _candidate_files(
    project: Project, directory: str, excludes: Iterable[str], files: Iterable[str] | None
) -> Iterator[str]:
    if files is None:
        listed: Iterable[str] = walk(project.root, directory, excludes)
    else:
        prefix = f"{directory}/" if directory else ""
        listed = (rel for rel in files if rel.startswith(prefix))
    for rel in listed:
        parts = rel.split("/")
        name = parts[-1]
        if name in BUILD_FILES or name in SPRING_CONFIG_FILES:
            if not _in_test_tree(parts):
                yield rel
            continue
        if _suffix(name) not in LANGUAGE_BY_SUFFIX or _skipped_name(name) or _in_test_tree(parts):
            continue
        if _size(project, rel) <= MAX_SOURCE_SIZE:
            yield rel


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1]


def _skipped_name(name: str) -> bool:
    return bool(TEST_FILE.match(name)) or name.endswith((".d.ts", ".min.js"))


def _in_test_tree(parts: list[str]) -> bool:
    directories = parts[:-1]
    if any(part in SKIPPED_DIRS for part in directories):
        return True
    return any(a == "src" and b == "test" for a, b in itertools.pairwise(directories))


def _size(project: Project, rel: str) -> int:
    try:
        return project.abspath(rel).stat().st_size
    except OSError:
        return 0  # an overridden (unsaved) buffer has no file; its text is read as it is


def _normalise(path: str) -> str:
    path = path.split("?", 1)[0].split("#", 1)[0] or "/"
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


ROUTE_TOKEN = re.compile(
    r"""<(?:(?P<conv>\w+):)?\w+>                       # Flask/Django <int:id>, <path:p>
      | \{(?P<brace>[^{}]*)\}                         # {id}, {id:int}, {rest...}, {$}, {*path}
      | :\w+\??(?:\([^)]*\))?                         # Express/gin :id, :id?, :id(\\d+)
      | \*\*|\*\w*                                    # *, **, *filepath
    """,
    re.VERBOSE,
)


@lru_cache(maxsize=4096)
def _route_regex(path: str, framework: str, prefix_unknown: bool = False) -> re.Pattern[str]:
    """A regex for the request paths a route template matches (trailing slash optional)."""
    if prefix_unknown:  # any prefix before the route; the prefix's own root serves anything
        if path.rstrip("/") == "":
            return re.compile(".*")
        return _compile(r"(?:/.*)?" + _route_regex(path, framework).pattern)
    if framework == "django" and _is_django_regex(path):
        body = re.sub(r"(?<!\?P)<(?:\w+:)?\w+>", "[^/]+", path[1:])  # path() converters
        return _compile(r"/(?:" + body.removesuffix("$") + (")" if body.endswith("$") else ").*"))
    subtree = framework == "net/http" and path.endswith("/")
    template = path.rstrip("/") or "/"
    pieces: list[str] = []
    position = 0
    for token in ROUTE_TOKEN.finditer(template):
        literal = template[position : token.start()]
        if _is_optional(token) and literal.endswith("/"):  # Express `/items/:id?` serves /items
            pieces.append(re.escape(literal[:-1]) + "(?:/[^/]+)?")
        else:
            pieces.append(re.escape(literal) + _token_regex(token))
        position = token.end()
    pieces.append(re.escape(template[position:]))
    regex = "".join(pieces)
    if subtree:  # net/http: a pattern ending in "/" serves the whole subtree
        return _compile(regex.rstrip("/") + r"(?:/.*)?")
    return _compile(regex + "/?" if regex != "/" else "/")


def _token_regex(token: re.Match[str]) -> str:
    text = token.group(0)
    brace = token.group("brace")
    if token.group("conv") == "path" or text.startswith("*"):
        return ".*"
    if brace is not None:
        if brace == "$":
            return ""
        if brace.endswith("...") or brace.startswith("*") or brace.endswith(":path"):
            return ".*"
    return "[^/]*" if _is_optional(token) else "[^/]+"


def _is_optional(token: re.Match[str]) -> bool:
    text = token.group(0)
    return text.startswith(":") and "?" in text.split("(")[0]


def _is_django_regex(path: str) -> bool:
    return any(char in path for char in "^$?*+()[]\\|")


def _compile(regex: str) -> re.Pattern[str]:
    try:
        return re.compile(regex)
    except re.error:
        return re.compile(r"(?!)")  # a pattern we cannot read matches nothing

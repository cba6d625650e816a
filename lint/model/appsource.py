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

import itertools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from k8slint.lint.discover import walk
from k8slint.lint.load import Project
from k8slint.lint.model.appsource_core import EnvRead, Route, SourceText
from k8slint.lint.model.appsource_django import scan_django_routes
from k8slint.lint.model.appsource_go import scan_go
from k8slint.lint.model.appsource_java import BUILD_FILES, SPRING_CONFIG_FILES, scan_java
from k8slint.lint.model.appsource_js import scan_javascript
from k8slint.lint.model.appsource_pyenv import scan_python_env, settings_strings
from k8slint.lint.model.appsource_pymodules import ModuleIndex, parse_modules
from k8slint.lint.model.appsource_python import scan_python_routes

__all__ = ["AppSource", "EnvRead", "Route", "scan_app"]

MAX_SOURCE_SIZE = 1024 * 1024
LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "javascript",
    ".mts": "javascript",
    ".cts": "javascript",
    ".go": "go",
    ".java": "java",
    ".kt": "java",
}
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


@dataclass(frozen=True)
class AppSource:
    """Routes and environment reads found in the sources under `directory`."""

    directory: str  # POSIX dir relative to the project root ("" = whole repo)
    routes: tuple[Route, ...]
    env_reads: tuple[EnvRead, ...]
    files: tuple[str, ...]  # source files scanned

    def serves(self, path: str) -> Route | None:
        """The first GET (or any-method) route that a request for `path` would reach.

        Path parameters match one segment (`{id}`, `:id`, `<int:id>`), catch-alls and
        `<path:x>` match the rest; a trailing slash and the query string are ignored.
        """
        probe = _normalise(path)
        for route in self.routes:
            if route.method in PROBE_METHODS and _route_regex(
                route.path, route.framework
            ).fullmatch(probe):
                return route
        return None

    def has_routes(self) -> bool:
        return bool(self.routes)


def scan_app(project: Project, directory: str, excludes: Iterable[str] = ()) -> AppSource:
    """Scan the application sources under `directory` (POSIX, relative to the project root)."""
    by_language: dict[str, list[SourceText]] = {}
    config_files: list[SourceText] = []
    for rel in _candidate_files(project, directory, excludes):
        text = project.read_text(rel)
        if text is None:
            continue
        name = rel.rpartition("/")[2]
        if name in BUILD_FILES or name in SPRING_CONFIG_FILES:
            config_files.append(SourceText(rel, text))
        else:
            by_language.setdefault(LANGUAGE_BY_SUFFIX[_suffix(name)], []).append(
                SourceText(rel, text)
            )
    routes: list[Route] = []
    env_reads: list[EnvRead] = []
    if "python" in by_language:
        _scan_python(by_language["python"], directory, routes, env_reads)
    for language, scanner in (("javascript", scan_javascript), ("go", scan_go)):
        if language in by_language:
            found_routes, found_env = scanner(by_language[language])
            routes.extend(found_routes)
            env_reads.extend(found_env)
    if "java" in by_language or config_files:
        found_routes, found_env = scan_java(by_language.get("java", []), config_files)
        routes.extend(found_routes)
        env_reads.extend(found_env)
    files = sorted(s.path for sources in by_language.values() for s in sources)
    routes.sort(key=lambda r: (r.loc, r.path, r.method or ""))
    env_reads.sort(key=lambda e: (e.loc, e.name))
    return AppSource(directory, tuple(routes), tuple(env_reads), tuple(files))


def _scan_python(
    sources: list[SourceText], directory: str, routes: list[Route], env_reads: list[EnvRead]
) -> None:
    index = ModuleIndex(parse_modules(sources, directory))
    index.attribute_strings = settings_strings(index)
    routes.extend(scan_python_routes(index))
    routes.extend(scan_django_routes(index))
    env_reads.extend(scan_python_env(index))


def _candidate_files(project: Project, directory: str, excludes: Iterable[str]) -> Iterator[str]:
    for rel in walk(project.root, directory, excludes):
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
def _route_regex(path: str, framework: str) -> re.Pattern[str]:
    """A regex for the request paths a route template matches (trailing slash optional)."""
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

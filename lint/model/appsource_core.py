"""Shared pieces of the app-source scanners: the records they produce and the route graph.

Every framework builds routes the same way: an object (app, router, blueprint, group,
controller) declares routes relative to itself and is mounted under another object with a
prefix. The language scanners fill `RouteNode`s and `expand_routes` walks the mounts from the
roots to produce routes with every prefix applied.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from k8slint.lint.locate import Loc

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
SOURCE_SUFFIXES = tuple(LANGUAGE_BY_SUFFIX)
"""The suffixes of the application sources the scanners read (and the workspace counts)."""


@dataclass(frozen=True, slots=True)
class Route:
    """One HTTP route that the application serves."""

    method: str | None  # "GET", "POST", ... or None when any method
    path: str  # full path with every prefix applied; always starts with "/"
    loc: Loc  # the path literal, else the declaration
    framework: str
    prefix_unknown: bool = False  # mounted under a prefix the scanner could not follow


@dataclass(frozen=True, slots=True)
class EnvRead:
    """One read of an environment variable by the application."""

    name: str
    default: str | None  # the literal fallback, None when there is none or it is not a literal
    loc: Loc  # the literal default's span when there is one, else the read expression
    required: bool  # the application fails without the variable
    soft: bool  # read with no fallback, but the application copes with its absence
    language: str  # "python" | "javascript" | "go" | "java"
    case_insensitive: bool = False  # pydantic-settings without case_sensitive
    conditional: bool = False  # read only on some path (a branch, a Spring profile document)


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source file handed to a language scanner: path relative to the root, and its text."""

    path: str
    text: str


class TextIndex:
    """Turns character offsets of one file into 1-based `Loc`s."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._line_starts = [0]
        self._line_starts.extend(match.end() for match in re.finditer("\n", text))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def loc(self, start: int, end: int) -> Loc:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Loc(self.path, line, col, end_line, end_col)


@dataclass(frozen=True, slots=True)
class LocalRoute:
    """A route relative to the object that declares it."""

    method: str | None
    path: str
    loc: Loc


@dataclass(eq=False)
class RouteNode:
    """An app, router, blueprint, group or controller: routes plus the objects mounted on it.

    `prefix` is the object's own prefix (Blueprint url_prefix, APIRouter prefix, gin Group).
    A `Mount` may replace it (Flask's register_blueprint url_prefix) or add to it (FastAPI's
    include_router prefix, Express app.use).
    `prefix_unknown` marks an object the scanner met only as a function parameter or a name
    it could not resolve: when nothing mounts it, its routes may sit under any prefix.
    """

    framework: str
    prefix: str = ""
    routes: list[LocalRoute] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    mounted: bool = False
    prefix_unknown: bool = False


@dataclass(eq=False)
class Mount:
    child: RouteNode
    prefix: str | None = None  # None: no prefix given at the mount
    replaces_own_prefix: bool = False

    def child_prefix(self) -> str:
        if self.prefix is None:
            return self.child.prefix
        if self.replaces_own_prefix:
            return self.prefix
        return join_path(self.prefix, self.child.prefix)


def mount(parent: RouteNode, child: RouteNode, prefix: str | None, replaces: bool = False) -> None:
    parent.mounts.append(Mount(child, prefix, replaces))
    child.mounted = True


def join_path(prefix: str, path: str) -> str:
    """`prefix` and `path` joined by exactly one slash; an empty part adds nothing."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def absolute(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def expand_routes(nodes: list[RouteNode]) -> Iterator[Route]:
    """Every route with the prefixes of the objects it is mounted under.

    Starts from the objects that nothing mounts: the applications, and routers whose mounting
    the scanner could not follow (they still serve their routes, under their own prefix, and
    under any prefix when the object is `prefix_unknown`).
    """
    for node in nodes:
        if not node.mounted:
            yield from _expand(node, node.prefix, frozenset(), node.prefix_unknown)


def _expand(
    node: RouteNode, prefix: str, seen: frozenset[int], prefix_unknown: bool
) -> Iterator[Route]:
    if id(node) in seen:  # a router mounted into itself, directly or not
        return
    seen = seen | {id(node)}
    for local in node.routes:
        path = absolute(join_path(prefix, local.path))
        yield Route(local.method, path, local.loc, node.framework, prefix_unknown)
    for child_mount in node.mounts:
        child_prefix = join_path(prefix, child_mount.child_prefix())
        yield from _expand(child_mount.child, child_prefix, seen, prefix_unknown)

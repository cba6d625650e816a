"""Routes of NestJS controllers: `@Controller('health')` + `@Get()`/`@Get('live')`.

The global prefix comes from `app.setGlobalPrefix('api')` in any scanned file. Its `exclude`
option is honoured for plain paths, given as strings or as `{ path, method }` objects (the
method is ignored: an excluded path is served without the prefix). A decorator's method applies
to the nearest `@Controller` above it. RouterModule paths and URI versioning are not applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.model.appsource_core import Route, absolute, join_path
from k8slint.lint.model.appsource_jstext import (
    JS_STRING,
    CodeFile,
    matching_close,
    split_arguments,
    unquote,
)

CONTROLLER = re.compile(r"@Controller\s*\(")
METHOD = re.compile(r"@(Get|Post|Put|Delete|Patch|Options|Head|All)\s*\(")
GLOBAL_PREFIX = re.compile(rf"\.setGlobalPrefix\s*\(\s*({JS_STRING})")
PATH_OPTION = re.compile(rf"\bpath\s*:\s*(\[[^\]]*\]|{JS_STRING})")
EXCLUDE_OPTION = re.compile(r"\bexclude\s*:\s*\[")


@dataclass(frozen=True, slots=True)
class GlobalPrefix:
    prefix: str = ""
    excluded: frozenset[str] = frozenset()

    def apply(self, path: str) -> str:
        if path.strip("/") in self.excluded:
            return path
        return join_path(self.prefix, path)


@dataclass(frozen=True, slots=True)
class Literal:
    value: str
    start: int
    end: int


def scan_nest_routes(files: list[CodeFile]) -> list[Route]:
    nest_files = [f for f in files if "@Controller" in f.code]
    if not nest_files:
        return []
    prefix = _global_prefix(files)
    return [route for f in nest_files for route in _controller_routes(f, prefix)]


def _global_prefix(files: list[CodeFile]) -> GlobalPrefix:
    for source in files:
        match = GLOBAL_PREFIX.search(source.code)
        if match is None:
            continue
        call_end = matching_close(source.code, source.code.rfind("(", 0, match.start(1)))
        options = source.code[match.end(1) : call_end]
        return GlobalPrefix(unquote(match.group(1)).strip("/"), frozenset(_excluded(options)))
    return GlobalPrefix()


def _excluded(options: str) -> Iterator[str]:
    exclude = EXCLUDE_OPTION.search(options)
    if exclude is None:
        return
    open_at = exclude.end() - 1
    for start, end in split_arguments(options, open_at + 1, matching_close(options, open_at)):
        item = options[start:end]
        path = PATH_OPTION.search(item) if item.startswith("{") else None
        literal = path.group(1) if path else item
        if re.fullmatch(JS_STRING, literal):
            yield unquote(literal).strip("/")


def _controller_routes(source: CodeFile, prefix: GlobalPrefix) -> Iterator[Route]:
    code = source.code
    controllers = list(CONTROLLER.finditer(code))
    for number, controller in enumerate(controllers):
        region_end = controllers[number + 1].start() if number + 1 < len(controllers) else len(code)
        bases = [lit.value for lit in _decorator_paths(code, controller.end() - 1)] or [""]
        for method in METHOD.finditer(code, controller.end(), region_end):
            verb = method.group(1).upper()
            paths = _decorator_paths(code, method.end() - 1)
            decorator_end = matching_close(code, method.end() - 1) + 1
            targets = paths or [Literal("", method.start(), decorator_end)]
            for base in bases:
                for path in targets:
                    full = absolute(prefix.apply(join_path(base, path.value)))
                    loc = source.index.loc(path.start, path.end)
                    yield Route(None if verb == "ALL" else verb, full, loc, "nestjs")


def _decorator_paths(code: str, open_at: int) -> list[Literal]:
    """Path literals of `@X('p')`, `@X(['a', 'b'])` or `@X({ path: 'p' })`."""
    close = matching_close(code, open_at)
    arguments = split_arguments(code, open_at + 1, close)
    if not arguments:
        return []
    start, end = arguments[0]
    text = code[start:end]
    if text.startswith("{"):
        option = PATH_OPTION.search(text)
        if option is None:
            return []
        start, text = start + option.start(1), option.group(1)
    return [
        Literal(unquote(m.group(0)), start + m.start(), start + m.end())
        for m in re.finditer(JS_STRING, text)
        if text.startswith(("[", "'", '"', "`"))
    ]

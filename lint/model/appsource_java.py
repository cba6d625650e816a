"""Routes and environment reads of Spring applications (Java and Kotlin, regex-based).

Routes: `@GetMapping`/`@PostMapping`/... and `@RequestMapping` (value/path, positional, arrays,
`method = RequestMethod.GET`) on methods, under the `@RequestMapping` of their class; the
`server.servlet.context-path` of application.properties/yml is prepended. Spring Boot Actuator's
`/actuator/health`, `/health/liveness` and `/health/readiness` are routes when a pom.xml or
build.gradle(.kts) under the directory depends on spring-boot-starter-actuator, under
`management.endpoints.web.base-path` when it is set.
Env: `System.getenv("X")` is soft, `System.getenv().getOrDefault("X", "d")` and Kotlin
`System.getenv("X") ?: "d"` give a default; `${X:d}` placeholders (upper-case names) in
application.properties/yml and in Java/Kotlin strings (`@Value`) give a default, or make the
variable required when they have none (Spring fails to start on an unresolvable placeholder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from k8slint.lint.model.appsource_core import (
    EnvRead,
    Route,
    SourceText,
    TextIndex,
    absolute,
    join_path,
)
from k8slint.lint.model.appsource_jstext import CodeFile, matching_close, split_arguments

BUILD_FILES = frozenset({"pom.xml", "build.gradle", "build.gradle.kts"})
SPRING_CONFIG_FILES = frozenset({"application.properties", "application.yml", "application.yaml"})
ACTUATOR = "spring-boot-starter-actuator"
ACTUATOR_PATHS = ("/health", "/health/liveness", "/health/readiness")

STRING = r'"(?:[^"\\\n]|\\.)*"'
MAPPING = re.compile(r"@(Get|Post|Put|Delete|Patch|Request)Mapping\b\s*(\()?")
CLASS = re.compile(r"\b(?:class|interface|object)\s+\w+")
NAMED_ARGUMENT = re.compile(r"^(\w+)\s*=\s*")
REQUEST_METHOD = re.compile(r"RequestMethod\s*\.\s*(\w+)")
GETENV = re.compile(rf"System\s*\.\s*getenv\s*\(\s*({STRING})\s*\)")
GET_OR_DEFAULT = re.compile(
    rf"System\s*\.\s*getenv\s*\(\s*\)\s*\.\s*getOrDefault\s*\(\s*({STRING})\s*,\s*({STRING})"
)
ELVIS = re.compile(rf"\s*\?:\s*({STRING})")
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::([^}]*))?\}")
PROPERTY = re.compile(r"^\s*([\w.\-]+)\s*[=:]\s*(.*?)\s*$", re.MULTILINE)


def scan_java(
    sources: list[SourceText], config_files: list[SourceText]
) -> tuple[list[Route], list[EnvRead]]:
    properties = _properties(config_files)
    context_path = properties.get("server.servlet.context-path", "")
    routes = [
        r
        for s in sources
        for r in _mapping_routes(CodeFile(s.path, s.text, regex_literals=False), context_path)
    ]
    routes.extend(_actuator_routes(config_files, properties, context_path))
    env_reads = [
        read for s in sources for read in _code_env(CodeFile(s.path, s.text, regex_literals=False))
    ]
    env_reads.extend(
        read
        for c in config_files
        if c.path.rpartition("/")[2] in SPRING_CONFIG_FILES
        for read in _placeholders(c)
    )
    return routes, env_reads


def _mapping_routes(source: CodeFile, context_path: str) -> Iterator[Route]:
    code = source.code
    class_paths: list[str] = [""]
    for match in MAPPING.finditer(code):
        kind = match.group(1)
        close = matching_close(code, match.end() - 1) if match.group(2) else match.end()
        paths, methods = (
            _mapping_arguments(code, match.end(), close) if match.group(2) else ([], [])
        )
        if _annotates_class(code, close + 1):
            class_paths = [p for p, _, _ in paths] or [""]
            continue
        verbs: list[str | None] = [kind.upper()] if kind != "Request" else list(methods) or [None]
        targets = paths or [("", match.start(), close + 1)]
        for base in class_paths:
            for path, start, end in targets:
                full = absolute(join_path(context_path, join_path(base, path)))
                for verb in verbs:
                    yield Route(verb, full, source.index.loc(start, end), "spring")


def _annotates_class(code: str, after: int) -> bool:
    """Whether the next declaration after an annotation is a class (other annotations skipped)."""
    following = CLASS.search(code, after)
    if following is None:
        return False
    between = code[after : following.start()]
    return (
        "(" not in re.sub(r"@\w+(?:\.\w+)*(?:\([^)]*\))?", "", between)
        and ";" not in between
        and "{" not in between
    )


def _mapping_arguments(
    code: str, start: int, end: int
) -> tuple[list[tuple[str, int, int]], list[str]]:
    """Path literals (value, start, end) and RequestMethod names of a mapping annotation."""
    paths: list[tuple[str, int, int]] = []
    methods: list[str] = []
    for arg_start, arg_end in split_arguments(code, start, end):
        argument = code[arg_start:arg_end]
        named = NAMED_ARGUMENT.match(argument)
        key = named.group(1) if named else "value"
        if key in ("value", "path"):
            for literal in re.finditer(STRING, argument):
                begin = arg_start + literal.start()
                paths.append((literal.group(0)[1:-1], begin, begin + len(literal.group(0))))
        elif key == "method":
            methods.extend(m.upper() for m in REQUEST_METHOD.findall(argument))
    return paths, methods


def _properties(config_files: list[SourceText]) -> dict[str, str]:
    """Flat `a.b.c -> value` from application.properties and (indentation-read) application.yml."""
    values: dict[str, str] = {}
    for config in config_files:
        name = config.path.rpartition("/")[2]
        if name == "application.properties":
            values.update((m.group(1), m.group(2)) for m in PROPERTY.finditer(config.text))
        elif name in ("application.yml", "application.yaml"):
            values.update(_yaml_properties(config.text))
    return values


def _yaml_properties(text: str) -> Iterator[tuple[str, str]]:
    stack: list[tuple[int, str]] = []
    for line in text.splitlines():
        stripped = line.split(" #", 1)[0].rstrip()
        match = re.match(r"^(\s*)([\w.\-]+)\s*:\s*(.*)$", stripped)
        if match is None or stripped.lstrip().startswith(("#", "-")):
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match.group(2)))
        if match.group(3):
            yield ".".join(key for _, key in stack), match.group(3).strip("'\"")


def _actuator_routes(
    config_files: list[SourceText], properties: dict[str, str], context_path: str
) -> Iterator[Route]:
    base = properties.get("management.endpoints.web.base-path", "/actuator")
    for build in config_files:
        if build.path.rpartition("/")[2] not in BUILD_FILES:
            continue
        at = build.text.find(ACTUATOR)
        if at < 0:
            continue
        loc = TextIndex(build.path, build.text).loc(at, at + len(ACTUATOR))
        for path in ACTUATOR_PATHS:
            yield Route(
                "GET", absolute(join_path(context_path, join_path(base, path))), loc, "actuator"
            )
        return


def _code_env(source: CodeFile) -> Iterator[EnvRead]:
    code, index = source.code, source.index
    for match in GET_OR_DEFAULT.finditer(code):
        default = match.group(2)
        loc = index.loc(match.start(2), match.end(2))
        yield EnvRead(match.group(1)[1:-1], default[1:-1], loc, False, False, "java")
    for match in GETENV.finditer(code):
        elvis = ELVIS.match(code, match.end())
        if elvis is not None:
            loc = index.loc(elvis.start(1), elvis.end(1))
            yield EnvRead(match.group(1)[1:-1], elvis.group(1)[1:-1], loc, False, False, "java")
        else:
            yield EnvRead(
                match.group(1)[1:-1],
                None,
                index.loc(match.start(), match.end()),
                False,
                True,
                "java",
            )
    for literal in re.finditer(STRING, code):
        yield from _placeholders_in(index, literal.group(0), literal.start())


def _placeholders(config: SourceText) -> Iterator[EnvRead]:
    yield from _placeholders_in(TextIndex(config.path, config.text), config.text, 0)


def _placeholders_in(index: TextIndex, text: str, offset: int) -> Iterator[EnvRead]:
    for match in PLACEHOLDER.finditer(text):
        if match.group(2) is None:
            loc = index.loc(offset + match.start(), offset + match.end())
            yield EnvRead(match.group(1), None, loc, True, False, "java")
        else:
            loc = index.loc(offset + match.start(2), offset + match.end(2))
            yield EnvRead(match.group(1), match.group(2), loc, False, False, "java")

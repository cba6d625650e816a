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
from dataclasses import dataclass, field
from typing import Any

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
KOTLIN_PLACEHOLDER = re.compile(  # `\${X}` and `${'$'}{X}`: a literal `${`, Spring's to resolve
    r"(?:(?<=\\)\$|(?<=\$\{'\$'\}))\{([A-Z][A-Z0-9_]*)(?::([^}]*))?\}"
)
TEMPLATE = re.compile(
    r"""(?:\\\$|\$\{'\$'\})\{(?P<escaped>[^}]*)\}   # Kotlin: a literal ${...}
      | \$\{(?P<brace>[^}]*)\}                   # Spring placeholder; Kotlin template
      | \$(?P<simple>[A-Za-z_]\w*)                # Kotlin template $NAME
    """,
    re.VERBOSE,
)
KOTLIN_CONSTANT = re.compile(rf"\bconst\s+val\s+(\w+)\s*(?::\s*String\s*)?=\s*({STRING})")
PROPERTY = re.compile(r"^\s*([\w.\-]+)\s*[=:]\s*(.*?)\s*$", re.MULTILINE)
PROPERTIES_SEPARATOR = re.compile(r"^[#!]---\s*$", re.MULTILINE)
UNKNOWN_SEGMENT = "{_}"  # a path part known only at run time matches any one segment


@dataclass
class SpringConfig:
    """application.properties/yml: the default properties and where profile documents sit."""

    properties: dict[str, str] = field(default_factory=dict)
    profile_lines: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # path -> spans

    def conditional(self, path: str, line: int) -> bool:
        return any(a <= line <= b for a, b in self.profile_lines.get(path, ()))


def scan_java(
    sources: list[CodeFile], build_files: list[SourceText], spring_configs: list[SourceText]
) -> tuple[list[Route], list[EnvRead]]:
    config = _spring_config(spring_configs)
    properties = config.properties
    context_path = properties.get("server.servlet.context-path", "")
    constants = {
        m.group(1): m.group(2)[1:-1]
        for s in sources
        if s.path.endswith(".kt")
        for m in KOTLIN_CONSTANT.finditer(s.code)
        if "$" not in m.group(2)
    }
    routes = [r for s in sources for r in _mapping_routes(s, context_path, constants, properties)]
    routes.extend(_actuator_routes(build_files, properties, context_path))
    env_reads = [read for s in sources for read in _code_env(s)]
    env_reads.extend(read for c in spring_configs for read in _placeholders(c, config))
    return routes, env_reads


def _mapping_routes(
    source: CodeFile, context_path: str, constants: dict[str, str], properties: dict[str, str]
) -> Iterator[Route]:
    code = source.code
    kotlin = source.path.endswith(".kt")
    class_paths: list[tuple[str, bool]] = [("", False)]
    for match in MAPPING.finditer(code):
        kind = match.group(1)
        close = matching_close(code, match.end() - 1) if match.group(2) else match.end()
        paths, methods = (
            _mapping_arguments(code, match.end(), close) if match.group(2) else ([], [])
        )
        if _annotates_class(code, close + 1):
            class_paths = [_mapping_path(p, kotlin, constants, properties) for p, _, _ in paths]
            class_paths = class_paths or [("", False)]
            continue
        verbs: list[str | None] = [kind.upper()] if kind != "Request" else list(methods) or [None]
        targets = paths or [("", match.start(), close + 1)]
        for base, base_unknown in class_paths:
            for raw, start, end in targets:
                path, unknown = _mapping_path(raw, kotlin, constants, properties)
                full = absolute(join_path(context_path, join_path(base, path)))
                unknown = base_unknown or (unknown and not base)
                for verb in verbs:
                    yield Route(verb, full, source.index.loc(start, end), "spring", unknown)


def _mapping_path(
    raw: str, kotlin: bool, constants: dict[str, str], properties: dict[str, str]
) -> tuple[str, bool]:
    """A mapping's path with `${...}` filled: Kotlin templates from `const val`s, Spring
    placeholders from the properties or their default. A part that stays unknown matches any
    one segment, or any prefix when it starts the path: (path, prefix_unknown)."""
    pieces: list[str] = []
    position, prefix_unknown = 0, False
    for match in TEMPLATE.finditer(raw):
        pieces.append(raw[position : match.start()])
        position = match.end()
        if match.group("escaped") is not None:
            value = _property(match.group("escaped"), properties) if kotlin else None
        elif match.group("brace") is not None:
            brace = match.group("brace")
            value = constants.get(brace.strip()) if kotlin else _property(brace, properties)
        elif kotlin:
            value = constants.get(match.group("simple"))
        else:
            value = match.group(0)  # `$name` is plain text in Java
        if value is None:
            if "".join(pieces).strip("/"):
                value = UNKNOWN_SEGMENT
            else:
                prefix_unknown, value = True, ""
        pieces.append(value)
    pieces.append(raw[position:])
    path = re.sub(r"/{2,}", "/", "".join(pieces)) if prefix_unknown else "".join(pieces)
    return path, prefix_unknown


def _property(placeholder: str, properties: dict[str, str]) -> str | None:
    key, colon, default = placeholder.partition(":")
    value = properties.get(key.strip())
    if value is None and colon:
        value = default
    return None if value is None or "${" in value else value


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


def _spring_config(configs: list[SourceText]) -> SpringConfig:
    """Flat `a.b.c -> value` of application.properties/yml; profile documents (`---` then
    `spring.config.activate.on-profile`) are only noted: they apply to some runs only."""
    config = SpringConfig()
    for source in configs:
        if source.path.endswith(".properties"):
            _properties_file(source, config)
        else:
            _yaml_file(source, config)
    return config


def _properties_file(source: SourceText, config: SpringConfig) -> None:
    index = TextIndex(source.path, source.text)
    starts = [0, *(m.end() for m in PROPERTIES_SEPARATOR.finditer(source.text))]
    ends = [*(m.start() for m in PROPERTIES_SEPARATOR.finditer(source.text)), len(source.text)]
    for start, end in zip(starts, ends, strict=True):
        values = {m.group(1): m.group(2) for m in PROPERTY.finditer(source.text, start, end)}
        if _is_profile(values):
            span = (index.position(start)[0], index.position(end)[0])
            config.profile_lines.setdefault(source.path, []).append(span)
        else:
            config.properties.update(values)


def _yaml_file(source: SourceText, config: SpringConfig) -> None:
    from k8slint.lint.yamlpos import YamlError, parse_documents

    try:
        documents, _ = parse_documents(source.text, source.path)
    except YamlError:
        return
    for document in documents:
        values = dict(_flatten(document.root, ""))
        if _is_profile(values):
            span = (document.loc.line, document.loc.end_line)
            config.profile_lines.setdefault(source.path, []).append(span)
        else:
            config.properties.update(values)


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _flatten(child, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, bool):
        yield prefix, str(value).lower()
    elif value is not None and not isinstance(value, list):
        yield prefix, str(value)


def _is_profile(values: dict[str, str]) -> bool:
    """A document that applies to some runs only: a profile (or cloud platform) condition."""
    return "spring.profiles" in values or any(
        key.startswith("spring.config.activate.") for key in values
    )


def _actuator_routes(
    build_files: list[SourceText], properties: dict[str, str], context_path: str
) -> Iterator[Route]:
    base = properties.get("management.endpoints.web.base-path", "/actuator")
    for build in build_files:
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
    pattern = KOTLIN_PLACEHOLDER if source.path.endswith(".kt") else PLACEHOLDER
    for literal in re.finditer(STRING, code):
        yield from _placeholders_in(index, literal.group(0), literal.start(), pattern)


def _placeholders(config: SourceText, spring: SpringConfig) -> Iterator[EnvRead]:
    index = TextIndex(config.path, config.text)
    for read in _placeholders_in(index, config.text, 0, PLACEHOLDER):
        if spring.conditional(config.path, read.loc.line):
            yield EnvRead(
                read.name, read.default, read.loc, read.required, False, "java", conditional=True
            )
        else:
            yield read


def _placeholders_in(
    index: TextIndex, text: str, offset: int, pattern: re.Pattern[str]
) -> Iterator[EnvRead]:
    for match in pattern.finditer(text):
        if match.group(2) is None:
            loc = index.loc(offset + match.start(), offset + match.end())
            yield EnvRead(match.group(1), None, loc, True, False, "java")
        else:
            loc = index.loc(offset + match.start(2), offset + match.end(2))
            yield EnvRead(match.group(1), match.group(2), loc, False, False, "java")

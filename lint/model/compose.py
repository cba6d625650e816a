"""docker-compose projects as `docker compose` itself would see them, read without Docker.

Rules compare what compose builds and runs with what Kubernetes asks for, so this module
rebuilds the application model that `docker compose config` would print, with the position of
every value kept so that findings point into the file that set it.

Which files form a project (decided per directory, from the compose files given):

- The base file is the first of compose.yaml, compose.yml, docker-compose.yml,
  docker-compose.yaml; the default override is the first of compose.override.yml,
  compose.override.yaml, docker-compose.override.yml, docker-compose.override.yaml. Like a
  bare `docker compose up`, the base merged with the default override is one project.
- A dotted variant (docker-compose.prod.yml, compose.dev.yaml, and any override file other
  than the default one) is an overlay: it yields its own project from the base plus the
  variant, as `docker compose -f base -f variant` does (the default override is then not
  applied, as with any `-f`); with no base in the directory it is loaded alone.
- A hyphenated file (docker-compose-quickstart.yml) and a base file that lost to a preferred
  base name are complete alternatives: each is loaded alone.
- A file whose first (base) file cannot be parsed yields no project (a model built from the
  overlay alone would hold services that neither build nor pull anything); a broken overlay is
  left out of the merge. Either way the parse error is returned.

Compose semantics followed (compose-spec: 04 name, 12 interpolation, 13 merge, 14 include):

- Project name: COMPOSE_PROJECT_NAME from the `.env` beside the base file, else the last
  top-level `name:` of the merged files, else the directory name (the project root's own name
  for a file at the root). Docker ranks the environment variable above `name:`; both are
  rarely set together. Normalised as Compose does: lower-cased, characters outside
  [a-z0-9_-] dropped, leading `-`/`_` trimmed.
- Interpolation of every string value (not keys) of each file before merging, from the
  `.env` beside the base file only: the process environment is never read, so runs are
  deterministic. An unset variable without default becomes "" (Compose warns and does the
  same); `${VAR:?err}` does not fail the load. Unsupported forms (`${VAR/a/b}`) stay as written.
- Merging: mappings merge recursively and scalars are replaced; sequences are appended, except
  command/entrypoint/healthcheck.test (replaced), ports (unique by host ip, published, target,
  protocol), volumes/secrets/configs (unique by target), expose (unique); environment, labels,
  annotations, sysctls, depends_on, networks, build.args/labels, deploy.labels merge by key
  with their list form converted to a mapping; `!reset` removes a value, `!override` replaces
  it. Tags are honoured in the first file too (`ports: !reset []` there means no ports).
- `include:` (short and long syntax) loads each included file as its own sub-project (its
  own directory and `.env`, overridden by the including project's variables) and adds its
  services; a service the including file declares itself wins over an included one.
- `extends:` (same file, or `file:`) is applied after merging; a `build` inherited from a file
  in another directory is rebased onto the extending file's directory.

Positions: every value keeps the `Loc` of the scalar it was read from (an interpolated value
the Loc of the whole scalar), so a merged value points into the file that set it, and an
`env_file` value into that env file. Non-string YAML scalars that YAML 1.1 reads differently
from Compose's YAML 1.2 (`yes`, `0755`, the port `22:22` read as the number 1342) are taken
back from the source text.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from k8slint.lint.findings import LintError
from k8slint.lint.load import Project
from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.compose_env import (
    Interpolator,
    Lookup,
    env_file_paths,
    parse_env_file,
)
from k8slint.lint.model.compose_merge import merge_maps, without
from k8slint.lint.model.images import ImageRef, parse_image
from k8slint.lint.model.k8s import located_str
from k8slint.lint.yamlpos import YMap, YSeq

BASE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
"""Base file names in the order Compose looks for them."""

DEFAULT_OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
"""Override file names in the order Compose looks for them; only the first found applies."""

COMPOSE_FILE_NAMES = re.compile(r"(?:docker-)?compose(?:[.-][A-Za-z0-9_.-]+)?\.ya?ml")
"""File names (not paths) of compose files: bases, overrides and `.`/`-` variants."""

_DOTTED_VARIANT = re.compile(r"(?:docker-)?compose\.[A-Za-z0-9_.-]+\.ya?ml")

MAX_INCLUDE_DEPTH = 10
"""`include:`/`extends: file:` chains deeper than this are cut (they are cycles in practice)."""

MAX_PORT_RANGE = 1024
"""A port range (`3000-3005`) expands to at most this many ports; the rest are left out."""

_PROJECT_NAME_CHARS = re.compile(r"[^a-z0-9_-]")


NameSource = Literal["name", "env", "directory"]


def is_compose_file(rel: str) -> bool:
    """Whether a path names a compose file (base, override or variant) by its file name."""
    return COMPOSE_FILE_NAMES.fullmatch(posixpath.basename(rel)) is not None


@dataclass(frozen=True)
class ComposePort:
    """One container port of `ports:`; a range ("9090-9091:8080-8081") gives one per port."""

    published: str | None  # host port ("8080", or a host range "8000-8010"), None if random
    target: int | None  # container port, None when unreadable
    loc: Loc
    host_ip: str | None = None
    protocol: str = "tcp"


@dataclass(frozen=True)
class ComposeService:
    """One service of a merged project, with what rules ask of it already worked out."""

    name: str
    project: str
    file: str  # the first file that declares the service (the base file when merged)
    loc: Loc  # the service's key in `file`
    body: YMap  # merged, interpolated service mapping; positions from the file that set each value
    image: Located[str] | None
    build_context: str | None  # POSIX dir relative to the project root; None without `build:`
    build_loc: Loc | None
    dockerfile: str | None  # POSIX path relative to the project root; None without `build:`
    built_images: tuple[str, ...]  # repositories (no tag) that `docker compose build` tags
    built_tag: str | None  # the tag of those images ("latest" unless `image:` says otherwise)
    environment: dict[str, Located[str | None]]
    ports: tuple[ComposePort, ...]
    expose: tuple[int, ...]
    command: YSeq | str | None
    directory: str = ""  # POSIX dir relative paths of this service resolve against

    def port_numbers(self) -> set[int]:
        """Container ports the service serves: targets of `ports:` and `expose:`."""
        targets = {port.target for port in self.ports if port.target is not None}
        return targets | set(self.expose)

    @cached_property
    def image_ref(self) -> ImageRef | None:
        """The `image:` reference, parsed; None without one."""
        return (
            parse_image(self.image.value) if self.image is not None and self.image.value else None
        )

    def builds(self, ref: ImageRef) -> bool:
        """Whether `docker compose build` of this service makes the image `ref` names: a
        repository it tags is the image's (with or without registry) or ends in its name, or
        the service is named like it. False without `build:`."""
        if self.build_context is None:
            return False
        for built in self.built_images:  # repositories, already without a tag
            if built in (ref.without_tag, ref.name) or built.rsplit("/", 1)[-1] == ref.name:
                return True
        return self.name == ref.name


@dataclass(frozen=True)
class ComposeProject:
    """The files `docker compose` would merge for one command line, and their services."""

    name: str
    name_source: NameSource
    directory: str  # POSIX dir of the base file relative to the project root ("" at the root)
    files: tuple[str, ...]  # the files merged, in order
    services: dict[str, ComposeService]
    dotenv: dict[str, str]  # the `.env` beside the base file: the variables interpolated
    interpolated: frozenset[Loc] = frozenset()  # scalars whose value came from a `$VAR`/`${VAR}`


def load_compose_projects(
    project: Project, compose_files: Iterable[str]
) -> tuple[list[ComposeProject], list[LintError]]:
    """Every compose project formed by `compose_files`, and the errors of files that do not parse.

    A file whose root is not a mapping, or that has neither `services` nor `include`, is not a
    compose file and is skipped silently.
    """
    loader = _Loader(project)
    projects: list[ComposeProject] = []
    for directory, names in _group_by_directory(compose_files):
        for file_set in _file_sets(names):
            paths = [posixpath.join(directory, name) for name in file_set]
            try:
                loaded = loader.load_project(directory, paths)
            except RecursionError:
                loader.fail(paths[0], "compose file nests too deep to read")
                continue
            if loaded is not None:
                projects.append(loaded)
    return projects, loader.errors()


# --- grouping files into projects --------------------------------------------------------------


def _group_by_directory(compose_files: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    by_directory: dict[str, list[str]] = {}
    for rel in compose_files:
        directory, name = posixpath.split(rel)
        names = by_directory.setdefault(directory, [])
        if name not in names:
            names.append(name)
    for directory in sorted(by_directory):
        yield directory, sorted(by_directory[directory])


def _file_sets(names: list[str]) -> list[list[str]]:
    """The file lists `docker compose` would be run with in one directory (see module doc)."""
    base = next((n for n in BASE_FILE_NAMES if n in names), None)
    override = next((n for n in DEFAULT_OVERRIDE_NAMES if n in names), None)
    sets: list[list[str]] = []
    if base is not None:
        sets.append([base, override] if override else [base])
    elif override is not None:
        sets.append([override])
    for name in names:
        if name in (base, override):
            continue
        if base is not None and _DOTTED_VARIANT.fullmatch(name):
            sets.append([base, name])
        else:
            sets.append([name])
    return sets


# --- loading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    """Where a service was first declared, and the directory its relative paths resolve in."""

    file: str
    directory: str
    key_loc: Loc


@dataclass
class _Model:
    """A compose file, or files merged, with the origin of each service."""

    root: YMap
    origins: dict[str, _Origin] = field(default_factory=dict)


class _Loader:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._errors: dict[str, LintError] = {}
        self.substituted: set[Loc] = set()
        # `extends: file:` targets, loaded once per (file, variables, depth) and project
        self._other_files: dict[tuple[str, Lookup, int], _Extends | None] = {}

    def errors(self) -> list[LintError]:
        return list(self._errors.values())

    def fail(self, path: str, message: str) -> None:
        self._errors.setdefault(path, LintError(path, 0, message))

    def load_project(self, directory: str, paths: list[str]) -> ComposeProject | None:
        self.substituted = set()
        self._other_files = {}
        dotenv = self.read_dotenv(posixpath.join(directory, ".env"), {})
        lookup = dotenv.get
        models: list[_Model] = []
        files: list[str] = []
        for index, path in enumerate(paths):
            model = self.load_file(path, directory, lookup, depth=0)
            if model is None and index == 0:
                return None
            if model is not None:
                models.append(model)
                files.append(path)
        merged = _merge_models(models)
        services = _services_of(merged.root)
        if services is None:
            return None
        resolved = _Extends(self, services, merged.origins, lookup, depth=0).resolve_all()
        name, source = self.project_name(directory, dotenv, merged.root)
        return ComposeProject(
            name=name,
            name_source=source,
            directory=directory,
            files=tuple(files),
            services={
                service: self.build_service(service, body, merged.origins[service], name, lookup)
                for service, body in resolved.items()
            },
            dotenv={key: value for key, value in dotenv.items() if value is not None},
            interpolated=frozenset(self.substituted),
        )

    # files

    def load_file(self, path: str, directory: str, lookup: Lookup, depth: int) -> _Model | None:
        """One compose file, interpolated, with its `include:` applied; None if not compose."""
        root = self.read_root(path)
        if root is None or not _is_compose_root(root):
            return None
        root = Interpolator(lookup, self.substituted).tree(root)  # a copy: ours to adjust
        _name_services_by_string(root)
        model = _Model(root)
        services = _services_of(root)
        if services is not None:
            for name in services:
                model.origins[name] = _Origin(path, directory, services.key_loc(name))
        if "include" in root and depth < MAX_INCLUDE_DEPTH:
            self.apply_includes(model, path, lookup, depth)
        return model

    def read_root(self, path: str) -> YMap | None:
        """The file's top-level mapping (documents merged in order), or None."""
        source = self.project.parse(path) if self.project.inside(path) else None
        if source is None or source.template:
            return None
        if source.error is not None:
            self._errors.setdefault(path, source.error)
            return None
        roots = [doc.root for doc in source.documents if isinstance(doc.root, YMap)]
        if not roots:
            return None
        merged = roots[0]
        for extra in roots[1:]:  # several documents in one file merge like several files
            merged = merge_maps(merged, extra, ())
        return merged

    def read_text(self, path: str) -> str | None:
        """A file named by a compose file, unless it lies outside the project root."""
        return self.project.read_text(path) if self.project.inside(path) else None

    def read_dotenv(self, path: str, outer: dict[str, str | None]) -> dict[str, str | None]:
        """Variables of a `.env` file, each value interpolated from those defined before it."""
        text = self.read_text(path)
        if text is None:
            return {}
        values: dict[str, str | None] = {}
        for entry in parse_env_file(text, lambda name: values.get(name, outer.get(name))):
            values[entry.key] = entry.value
        return values

    def source_text(self, loc: Loc) -> str | None:
        """The text a single-line scalar was written as."""
        if loc.line != loc.end_line or not self.project.inside(loc.path):
            return None
        line = self.project.line(loc.path, loc.line)
        return line[loc.col - 1 : loc.end_col - 1] or None if line is not None else None

    # include and extends

    def apply_includes(self, model: _Model, path: str, lookup: Lookup, depth: int) -> None:
        """Add the services of each `include:` entry that the file does not declare itself."""
        entries = model.root.get("include")
        if not isinstance(entries, YSeq):
            return
        base_dir = posixpath.dirname(path)
        for entry in entries:
            included = self.load_include(entry, base_dir, lookup, depth)
            services = _services_of(included.root) if included is not None else None
            if included is None or services is None:
                continue
            own = _services_of(model.root)
            if own is None:
                own = YMap(model.root.loc)
                model.root.set_located("services", own, model.root.loc, model.root.loc)
            for name, body in services.items():
                if name not in own:
                    own.set_located(name, body, services.key_loc(name), services.value_loc(name))
                    model.origins[name] = included.origins[name]

    def load_include(self, entry: Any, base_dir: str, lookup: Lookup, depth: int) -> _Model | None:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict):
            return None
        paths = [_join(base_dir, p) for p in _strings(entry.get("path"))]
        if not paths:
            return None
        directory = posixpath.dirname(paths[0])
        if isinstance(entry.get("project_directory"), str):
            directory = _join(base_dir, entry["project_directory"])
        env_files = [_join(base_dir, p) for p in _strings(entry.get("env_file"))]
        own_env: dict[str, str | None] = {}
        for env_file in env_files or [posixpath.join(directory, ".env")]:
            own_env.update(self.read_dotenv(env_file, own_env))

        def included_lookup(name: str) -> str | None:
            value = lookup(name)
            return value if value is not None else own_env.get(name)

        models = [
            model
            for p in paths
            if (model := self.load_file(p, directory, included_lookup, depth + 1)) is not None
        ]
        if not models:
            return None
        merged = _merge_models(models)
        services = _services_of(merged.root)
        if services is not None:
            resolver = _Extends(self, services, merged.origins, included_lookup, depth + 1)
            _replace_services(merged.root, services, resolver.resolve_all())
        return merged

    def service_from_file(
        self, path: str, name: str, into_directory: str, lookup: Lookup, depth: int
    ) -> YMap | None:
        """Service `name` of another compose file (`extends: file:`), extends resolved."""
        if depth >= MAX_INCLUDE_DEPTH:
            return None
        file_dir = posixpath.dirname(path)
        key = (path, lookup, depth)
        if key not in self._other_files:  # many services may extend from one file
            model = self.load_file(path, file_dir, lookup, depth + 1)
            services = _services_of(model.root) if model else None
            self._other_files[key] = (
                _Extends(self, services, model.origins, lookup, depth + 1)
                if model is not None and services is not None
                else None
            )
        resolver = self._other_files[key]
        if resolver is None or name not in resolver.services:
            return None
        return _rebase_build(resolver.resolve(name, ()), file_dir, into_directory)

    # project and services

    def project_name(
        self, directory: str, dotenv: dict[str, str | None], root: YMap
    ) -> tuple[str, NameSource]:
        candidates: list[tuple[Any, NameSource]] = [
            (dotenv.get("COMPOSE_PROJECT_NAME"), "env"),
            (root.get("name"), "name"),
        ]
        for raw, source in candidates:
            name = normalize_project_name(str(raw)) if isinstance(raw, str | int) else ""
            if name:
                return name, source
        folder = posixpath.basename(directory) if directory else self.project.root.name
        return normalize_project_name(folder), "directory"

    def build_service(
        self, name: str, body: YMap, origin: _Origin, project_name: str, lookup: Lookup
    ) -> ComposeService:
        image = located_str(body, "image")
        build = body.get("build")
        has_build = build is not None
        context, dockerfile = _build_paths(build, origin.directory) if has_build else (None, None)
        built_images, built_tag = _built_images(name, project_name, image, has_build)
        return ComposeService(
            name=name,
            project=project_name,
            file=origin.file,
            loc=origin.key_loc,
            body=body,
            image=image,
            build_context=context,
            build_loc=body.value_loc("build") if has_build else None,
            dockerfile=dockerfile,
            built_images=built_images,
            built_tag=built_tag,
            environment=self.environment(body, origin.directory, lookup),
            ports=tuple(self.ports(body.get("ports"))),
            expose=tuple(self.expose(body.get("expose"))),
            command=_command(body.get("command")),
            directory=origin.directory,
        )

    def environment(
        self, body: YMap, directory: str, lookup: Lookup
    ) -> dict[str, Located[str | None]]:
        """`env_file:` entries in order, then `environment:` over them."""
        result: dict[str, Located[str | None]] = {}
        for path in env_file_paths(body.get("env_file")):
            result.update(self.env_file_entries(_join(directory, path), lookup))
        result.update(self.environment_entries(body.get("environment")))
        return result

    def env_file_entries(self, path: str, lookup: Lookup) -> dict[str, Located[str | None]]:
        """Variables of an `env_file`, located in it; a missing file gives none."""
        text = self.read_text(path)
        if text is None:
            return {}
        values: dict[str, str | None] = {}
        entries: dict[str, Located[str | None]] = {}

        def file_lookup(name: str) -> str | None:
            return values[name] if name in values else lookup(name)

        for entry in parse_env_file(text, file_lookup):
            values[entry.key] = entry.value
            loc = Loc(path, entry.line, entry.col, entry.line, entry.end_col)
            entries[entry.key] = Located(entry.value, loc)
        return entries

    def environment_entries(self, environment: Any) -> dict[str, Located[str | None]]:
        entries: dict[str, Located[str | None]] = {}
        if isinstance(environment, YMap):
            for key, value in environment.items():
                loc = environment.value_loc(key)
                entries[str(key)] = Located(self.scalar_string(value, loc), loc)
        elif isinstance(environment, YSeq):
            for index, item in enumerate(environment):
                if not isinstance(item, str):
                    continue
                key, sep, value = item.partition("=")
                entries[key] = Located(value if sep else None, environment.item_loc(index))
        return entries

    def scalar_string(self, value: Any, loc: Loc) -> str | None:
        """A scalar as Compose reads it: strings as they are, other scalars as written."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, YMap | YSeq):
            return None
        written = self.source_text(loc)
        if written is not None:
            return written
        return str(value).lower() if isinstance(value, bool) else str(value)

    def ports(self, ports: Any) -> Iterator[ComposePort]:
        if not isinstance(ports, YSeq):
            return
        for index, item in enumerate(ports):
            loc = ports.item_loc(index)
            if isinstance(item, YMap):
                yield from _long_port(item, loc)
            elif item is not None and not isinstance(item, YSeq):
                yield from _short_port(self.scalar_string(item, loc) or "", loc)

    def expose(self, expose: Any) -> Iterator[int]:
        if not isinstance(expose, YSeq):
            return
        seen: set[int] = set()
        for index, item in enumerate(expose):
            text = self.scalar_string(item, expose.item_loc(index)) or ""
            for port in _port_range(text.partition("/")[0]):
                if port not in seen:
                    seen.add(port)
                    yield port


class _Extends:
    """Applies `extends:` to the services of one model, each service once, cycles cut."""

    def __init__(
        self,
        loader: _Loader,
        services: YMap,
        origins: dict[str, _Origin],
        lookup: Lookup,
        depth: int,
    ) -> None:
        self.loader = loader
        self.services = services
        self.origins = origins
        self.lookup = lookup
        self.depth = depth
        self.resolved: dict[str, YMap] = {}

    def resolve_all(self) -> dict[str, YMap]:
        """Every service body with `extends:` applied (a body that is not a mapping: {})."""
        for name in self.services:
            self.resolve(str(name), ())
        return self.resolved

    def resolve(self, name: str, stack: tuple[str, ...]) -> YMap:
        if name in self.resolved:
            return self.resolved[name]
        body = _service_body(self.services, name)
        base = self.base_of(name, body.get("extends"), (*stack, name))
        result = without(body, "extends")
        if base is not None:
            result = merge_maps(base, result, ("services", name))
        self.resolved[name] = result
        return result

    def base_of(self, name: str, extends: Any, stack: tuple[str, ...]) -> YMap | None:
        """The resolved body of the service that `name` extends, or None."""
        if isinstance(extends, str):
            extends = {"service": extends}
        if not isinstance(extends, dict) or not isinstance(extends.get("service"), str):
            return None
        target = extends["service"]
        other_file = extends.get("file")
        if isinstance(other_file, str):
            origin = self.origins.get(name)
            directory = origin.directory if origin else ""
            return self.loader.service_from_file(
                _join(directory, other_file), target, directory, self.lookup, self.depth
            )
        if target in stack or target not in self.services:
            return None
        return self.resolve(target, stack)


def _replace_services(root: YMap, services: YMap, bodies: dict[str, YMap]) -> None:
    replaced = YMap(services.loc)
    for name, body in bodies.items():
        replaced.set_located(name, body, services.key_loc(name), services.value_loc(name))
    root.set_located("services", replaced, root.key_loc("services"), root.value_loc("services"))


def normalize_project_name(raw: str) -> str:
    """A project name as Compose normalises it: lower case, [a-z0-9_-], no leading -/_."""
    return _PROJECT_NAME_CHARS.sub("", raw.lower()).lstrip("-_")


def _is_compose_root(root: YMap) -> bool:
    return isinstance(root.get("services"), YMap) or isinstance(root.get("include"), YSeq)


def _name_services_by_string(root: YMap) -> None:
    """Compose names services by string; YAML reads `1:` as a number. One spelling of each
    name keeps merging, `extends:` and the model's lookups on the same keys."""
    services = _services_of(root)
    if services is None or all(isinstance(name, str) for name in services):
        return
    named = YMap(services.loc)
    for name, body in services.items():
        named.set_located(str(name), body, services.key_loc(name), services.value_loc(name))
    root.set_located("services", named, root.key_loc("services"), root.value_loc("services"))


def _services_of(root: YMap) -> YMap | None:
    services = root.get("services")
    return services if isinstance(services, YMap) else None


def _service_body(services: YMap, name: str) -> YMap:
    body = services.get(name)
    return body if isinstance(body, YMap) else YMap(services.value_loc(name))


def _merge_models(models: list[_Model]) -> _Model:
    merged = _Model(merge_maps(None, models[0].root, ()), dict(models[0].origins))
    for model in models[1:]:
        merged.root = merge_maps(merged.root, model.root, ())
        for name, origin in model.origins.items():
            merged.origins.setdefault(name, origin)
    return merged


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _join(directory: str, path: str) -> str:
    """A path written in a compose file, as a POSIX path relative to the project root."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    joined = posixpath.normpath(posixpath.join(directory, path))
    return "" if joined == "." else joined


def _is_remote_context(context: str) -> bool:
    return "://" in context or context.startswith(("git@", "github.com/"))


def _rebase_build(body: YMap, from_directory: str, to_directory: str) -> YMap:
    """`body` with a relative build context rewritten to hold from `to_directory`."""
    build = body.get("build")
    context = build if isinstance(build, str) else None
    if isinstance(build, YMap) and isinstance(build.get("context"), str):
        context = build["context"]
    if from_directory == to_directory or context is None or _is_remote_context(context):
        return body
    if context.startswith("/"):
        return body
    rebased = posixpath.relpath(_join(from_directory, context) or ".", to_directory or ".")
    result = merge_maps(None, body, ())
    if isinstance(build, YMap):
        new_build = merge_maps(None, build, ())
        new_build.set_located(
            "context", rebased, build.key_loc("context"), build.value_loc("context")
        )
        result.set_located("build", new_build, body.key_loc("build"), body.value_loc("build"))
    else:
        result.set_located("build", rebased, body.key_loc("build"), body.value_loc("build"))
    return result


# --- service attributes ------------------------------------------------------------------------


def _build_paths(build: Any, directory: str) -> tuple[str | None, str | None]:
    """(context, Dockerfile) as POSIX paths relative to the project root.

    A remote context (git URL) is kept verbatim and has no Dockerfile path; `dockerfile_inline`
    has no Dockerfile path either.
    """
    context, dockerfile, inline = ".", "Dockerfile", False
    if isinstance(build, str):
        context = build
    elif isinstance(build, YMap):
        if isinstance(build.get("context"), str):
            context = build["context"]
        if isinstance(build.get("dockerfile"), str):
            dockerfile = build["dockerfile"]
        inline = "dockerfile_inline" in build
    if _is_remote_context(context):
        return context, None
    context_path = _join(directory, context)
    if inline:
        return context_path, None
    return context_path, _join(context_path, dockerfile)


def _built_images(
    service: str, project: str, image: Located[str] | None, has_build: bool
) -> tuple[tuple[str, ...], str | None]:
    """Repositories `docker compose build` tags, and their tag.

    With `image:` the build is tagged with that image; without, Compose v2 names it
    `<project>-<service>` and v1 `<project>_<service>`, both with the tag `latest`.
    """
    if not has_build:
        return (), None
    if image is not None and image.value:
        ref = parse_image(image.value)
        return (ref.without_tag,), ref.tag or "latest"
    return (f"{project}-{service}", f"{project}_{service}"), "latest"


def _command(value: Any) -> YSeq | str | None:
    if isinstance(value, YSeq | str):
        return value
    return None if value is None else str(value)


def _short_port(text: str, loc: Loc) -> Iterator[ComposePort]:
    """Ports of `[[IP:](HOST|RANGE):](PORT|RANGE)[/PROTOCOL]`; IPv6 hosts go in brackets."""
    spec, _, protocol = text.strip().partition("/")
    host_ip: str | None = None
    if spec.startswith("["):
        host_ip, _, spec = spec[1:].partition("]")
        spec = spec.removeprefix(":")
    parts = spec.rsplit(":", 2) if host_ip is None else spec.rsplit(":", 1)
    if len(parts) == 3:
        host_ip = parts.pop(0)
    target_text = parts[-1]
    published = parts[0] if len(parts) == 2 and parts[0] else None
    yield from _paired_ports(published, target_text, loc, host_ip or None, protocol or "tcp")


def _long_port(item: YMap, loc: Loc) -> Iterator[ComposePort]:
    target = item.get("target")
    published = item.get("published")
    host_ip = item.get("host_ip")
    protocol = item.get("protocol")
    yield from _paired_ports(
        None if published is None else str(published),
        "" if target is None else str(target),
        loc,
        host_ip if isinstance(host_ip, str) else None,
        protocol if isinstance(protocol, str) else "tcp",
    )


def _paired_ports(
    published: str | None, target_text: str, loc: Loc, host_ip: str | None, protocol: str
) -> Iterator[ComposePort]:
    """One port per container port; equal-length host and container ranges pair up."""
    targets = _port_range(target_text)
    if not targets:
        yield ComposePort(published, None, loc, host_ip, protocol)
        return
    hosts = _port_range(published) if published else []
    paired = len(targets) > 1 and len(hosts) == len(targets)
    for index, target in enumerate(targets):
        host = str(hosts[index]) if paired else published
        yield ComposePort(host, target, loc, host_ip, protocol)


def _port_range(text: str) -> list[int]:
    """`8080` -> [8080], `8080-8082` -> [8080, 8081, 8082]; [] when not a port number."""
    first, sep, last = text.strip().partition("-")
    if not first.isdigit() or (sep and not last.isdigit()):
        return []
    start = int(first)
    end = int(last) if sep else start
    if end < start:
        return []
    return list(range(start, min(end, start + MAX_PORT_RANGE - 1) + 1))

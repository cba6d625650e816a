"""The workspace: everything a rule may look at, indexed once, read lazily.

A `Workspace` holds the project's files and the context every deployment unit shares (compose
projects, app sources, Grafana provisioning, config). Cross-references resolve inside a
deployment unit: the build of a kustomization that no other kustomization includes, or the
plain manifests outside every kustomization. The engine hands each unit-scoped rule one
`Workspace.for_unit(unit)` view at a time; its `objects` are that unit's objects.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from k8slint.lint.findings import LintError
from k8slint.lint.load import YAML_SUFFIXES, Project, SourceFile
from k8slint.lint.model.appsource_core import SOURCE_SUFFIXES
from k8slint.lint.model.images import ImageRef, parse_image
from k8slint.lint.model.k8s import Container, K8sObject, PodSpec, namespaces_meet
from k8slint.lint.yamlpos import YMap, YSeq

if TYPE_CHECKING:
    from k8slint.lint.config import Config
    from k8slint.lint.kustomize import Build
    from k8slint.lint.model.appsource import AppSource
    from k8slint.lint.model.compose import ComposeProject, ComposeService

T = TypeVar("T")
KUSTOMIZATION_KINDS = frozenset({"Kustomization", "Component"})
KUSTOMIZE_API_PREFIX = "kustomize.config.k8s.io/"


@dataclass(frozen=True, eq=False)
class Unit:
    """A deployment unit: the objects applied together.

    `name` is the kustomization root directory for a kustomize build ("k8s/overlays/dev") and
    "" for the plain manifests.
    """

    name: str
    objects: tuple[K8sObject, ...]
    kustomize: bool = False
    files: frozenset[str] = frozenset()


@dataclass
class Workspace:
    project: Project
    config: Config
    files: tuple[str, ...]  # every discovered file, POSIX relative to the root
    units: tuple[Unit, ...] = ()
    unit: Unit | None = None  # set on a unit view
    errors: list[LintError] = field(default_factory=list)
    builds: tuple[Build, ...] = ()  # the kustomize builds behind the kustomize units
    _shared: dict[str, Any] = field(default_factory=dict)  # lazily built, shared by all views

    # -- views ---------------------------------------------------------------------------

    def for_unit(self, unit: Unit) -> Workspace:
        return Workspace(
            self.project,
            self.config,
            self.files,
            self.units,
            unit,
            self.errors,
            self.builds,
            self._shared,
        )

    @property
    def first_unit(self) -> bool:
        """Whether this view judges what every unit shares (compose files, Grafana
        provisioning, kustomization files): the first unit's view, or the whole workspace. A
        unit-scoped rule checks such inputs only here, so they are reported once per run."""
        return self.unit is None or not self.units or self.unit is self.units[0]

    @property
    def objects(self) -> tuple[K8sObject, ...]:
        """The objects of this unit; on the whole workspace, every object of every unit."""
        if self.unit is not None:
            return self.unit.objects
        return self.all_objects()

    def all_objects(self) -> tuple[K8sObject, ...]:
        """Every object of every unit, once (a base shared by overlays is built per overlay)."""
        if "all_objects" not in self._shared:
            seen: dict[int, K8sObject] = {}
            for unit in self.units:
                for obj in unit.objects:
                    seen.setdefault(id(obj.body), obj)
            self._shared["all_objects"] = tuple(seen.values())
        return self._shared["all_objects"]  # type: ignore[no-any-return]

    # -- Kubernetes objects ----------------------------------------------------------------

    def of_kind(self, *kinds: str) -> list[K8sObject]:
        index = self._kind_index()
        return [obj for kind in kinds for obj in index.get(kind, ())]

    def find(self, kind: str, name: str, namespace: str | None = None) -> K8sObject | None:
        """The object of `kind` named `name` that can meet `namespace` (`namespaces_meet`: an
        object without a namespace lands wherever it is applied); one in exactly `namespace`
        first."""
        candidates = self._name_index().get((kind, name), ())
        for obj in candidates:
            if obj.namespace == namespace:
                return obj
        for obj in candidates:
            if namespaces_meet(obj.namespace, namespace):
                return obj
        return None

    def find_any_namespace(self, kind: str, name: str) -> list[K8sObject]:
        return list(self._name_index().get((kind, name), ()))

    def workloads(self) -> Iterator[tuple[K8sObject, PodSpec]]:
        return iter(self._unit_cache("workloads", self._find_workloads))

    def _find_workloads(self) -> list[tuple[K8sObject, PodSpec]]:
        return [(obj, obj.pod_spec) for obj in self.objects if obj.pod_spec is not None]

    def containers(self) -> Iterator[Container]:
        for _obj, pod in self.workloads():
            yield from pod.containers

    def _kind_index(self) -> dict[str, list[K8sObject]]:
        return self._unit_cache("kinds", lambda: _group(self.objects, lambda o: o.kind))

    def _name_index(self) -> dict[tuple[str, str], list[K8sObject]]:
        return self._unit_cache("names", lambda: _group(self.objects, lambda o: (o.kind, o.name)))

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """Derived data computed once per unit and shared by every rule that asks for it."""
        return self._unit_cache(key, build)  # type: ignore[no-any-return]

    def memo_each(self, key: str, item: Hashable, build: Callable[[], T]) -> T:
        """Like `memo`, for data derived from one item of the unit (a container, a name the
        workload looks up): one table per unit, filled as rules ask."""
        table: dict[Hashable, T] = self._unit_cache(key, dict)
        if item not in table:
            table[item] = build()
        return table[item]

    def _unit_cache(self, what: str, build: Any) -> Any:
        key = f"{what}:{id(self.unit)}"
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]

    def memo_shared(self, key: str, build: Callable[[], T]) -> T:
        """Derived data of the whole workspace, computed once per run whichever unit view
        asks (unlike `memo`, which keeps one value per unit)."""
        cache_key = f"{key}:workspace"
        if cache_key not in self._shared:
            self._shared[cache_key] = build()
        return self._shared[cache_key]  # type: ignore[no-any-return]

    def memo_shared_each(self, key: str, item: Hashable, build: Callable[[], T]) -> T:
        """Like `memo_shared`, for data derived from one item (a directory, a file, an image):
        one table per run, filled as rules ask."""
        table: dict[Hashable, T] = self.memo_shared(key, dict)
        if item not in table:
            table[item] = build()
        return table[item]

    # -- files -------------------------------------------------------------------------------

    def source(self, rel: str) -> SourceFile | None:
        return self.project.parse(rel)

    def yaml_files(self) -> list[str]:
        return [
            f
            for f in self.files
            if f.endswith((*YAML_SUFFIXES, ".json")) or is_kustomization_file(f)
        ]

    def lintable_files(self) -> list[str]:
        """The files k8slint reads: manifests, compose, kustomizations and app sources."""
        return [f for f in self.files if f.endswith(SOURCE_SUFFIXES)] + self.yaml_files()

    def line_text(self, rel: str, line: int) -> str | None:
        return self.project.line(rel, line)

    # -- compose -----------------------------------------------------------------------------

    def compose_projects(self) -> list[ComposeProject]:
        if "compose" not in self._shared:
            from k8slint.lint.model.compose import is_compose_file, load_compose_projects

            projects, errors = load_compose_projects(
                self.project, [f for f in self.files if is_compose_file(f)]
            )
            self.errors.extend(errors)
            self._shared["compose"] = projects
        return self._shared["compose"]  # type: ignore[no-any-return]

    def compose_services_near(self, path: str) -> list[ComposeService]:
        """Compose services that describe the same application as the file at `path`.

        A compose project belongs with a manifest when its directory is an ancestor of the
        manifest, or when both sit under the same top-level directory of the root. A root
        holding several unrelated repositories (a monorepo, a corpus) thus never matches one
        repository's manifests against another's compose file.

        Worked out once per directory; the list is shared, not to be changed.
        """
        directory = posixpath.dirname(path)
        return self.memo_shared_each(
            "compose-near",
            directory,
            lambda: [
                service
                for project in self.compose_projects()
                if related_dirs(project.directory, directory)
                for service in project.services.values()
            ],
        )

    # -- application sources -----------------------------------------------------------------

    def app_for(self, container: Container) -> AppSource | None:
        """The source of the app a container runs, or None when none can be linked.

        In order: the compose service that builds the container's image (its build context),
        the config's `apps` mapping, a source directory named like the image.
        """
        ref = container.image_ref
        if ref is None:
            return None
        directory = self._app_directory(ref, container.owner.path)
        if directory is None:
            return None
        return self.scan_app(directory)

    def scan_app(self, directory: str) -> AppSource:
        from k8slint.lint.model.appsource import scan_app

        return self.memo_shared_each(
            "apps",
            directory,
            lambda: scan_app(
                self.project, directory, self.config.exclude, files=self._files_under(directory)
            ),
        )

    def _files_under(self, directory: str) -> Sequence[str]:
        """The files under `directory` (every file for the root), in the workspace's order;
        looked up among the files of its top-level folder."""
        if not directory:
            return self.files
        by_top = self.memo_shared("files by top folder", lambda: _by_top_folder(self.files))
        prefix = directory + "/"
        return [rel for rel in by_top.get(directory.split("/", 1)[0], ()) if rel.startswith(prefix)]

    def _app_directory(self, ref: ImageRef, manifest: str) -> str | None:
        """The app directory for an image run by a manifest in the manifest's directory,
        looked up once per image and directory (every unit runs the same images)."""
        return self.memo_shared_each(
            "app-dirs",
            (ref, posixpath.dirname(manifest)),
            lambda: self._find_app_directory(ref, manifest),
        )

    def _find_app_directory(self, ref: ImageRef, manifest: str) -> str | None:
        for service in self.compose_services_near(manifest):
            if service.builds(ref):
                return service.build_context
        for pattern, directory in self.config.apps.items():
            if _image_matches(pattern, ref.without_tag, ref.name):
                return directory.strip("/")
        return self._source_dirs_by_name().get(ref.name)

    def _source_dirs_by_name(self) -> dict[str, str]:
        """Directories holding app sources, by name ("src/order-service" as "order-service").

        Only directory names that are unique in the tree count: two `api/` folders are no
        evidence for either.
        """
        if "source_dirs" not in self._shared:
            counts: dict[str, set[str]] = defaultdict(set)
            for rel in self.files:
                if rel.endswith(SOURCE_SUFFIXES):
                    parts = rel.split("/")[:-1]
                    for depth in range(1, len(parts) + 1):
                        counts[parts[depth - 1]].add("/".join(parts[:depth]))
            self._shared["source_dirs"] = {
                name: next(iter(dirs)) for name, dirs in counts.items() if len(dirs) == 1
            }
        return self._shared["source_dirs"]  # type: ignore[no-any-return]


def _image_matches(pattern: str, repository: str, name: str) -> bool:
    import fnmatch

    bare = parse_image(pattern).without_tag
    return any(fnmatch.fnmatchcase(candidate, bare) for candidate in (repository, name))


def related_dirs(a: str, b: str) -> bool:
    """Whether what lives in directory `a` (a compose project, a build script, an app's
    sources) may describe a manifest in directory `b`: `a` is the root, `b` is `a` or under
    it, or both sit under one top-level directory (see compose_services_near).

    One-way on purpose: a compose project at the root covers every manifest, but a root-level
    manifest is no evidence for the compose project of one subdirectory. For two objects, use
    the symmetric `same_app`.
    """
    if a in ("", ".") or b == a or b.startswith(a + "/"):
        return True
    return bool(b) and a.split("/", 1)[0] == b.split("/", 1)[0]


def same_app(a: K8sObject, b: K8sObject) -> bool:
    """Whether two objects' files belong to one application, whichever comes first: either
    sits at the root, one's directory is an ancestor of the other's, or both sit under one
    top-level directory."""
    da, db = posixpath.dirname(a.path), posixpath.dirname(b.path)
    return related_dirs(da, db) or related_dirs(db, da)


def _by_top_folder(files: Iterable[str]) -> dict[str, list[str]]:
    """The files inside a folder, by their top-level folder, in order."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for rel in files:
        top, slash, _rest = rel.partition("/")
        if slash:
            grouped[top].append(rel)
    return grouped


def _group(objects: Iterable[K8sObject], key: Any) -> dict[Any, list[K8sObject]]:
    grouped: dict[Any, list[K8sObject]] = defaultdict(list)
    for obj in objects:
        grouped[key(obj)].append(obj)
    return grouped


def is_kustomization_file(rel: str) -> bool:
    """Whether a path names a kustomization file (kustomization.yaml, Kustomization ...)."""
    # imported here: the kustomize package loads only when a run builds (not on a cache hit)
    from k8slint.lint.kustomize.build import is_kustomization

    return is_kustomization(rel)


def top_dir(path: str) -> str:
    """The repository-level directory of a root-relative path: its first segment ("a" for
    "a/k8s/x.yaml"); "" for a file at the root itself, which belongs to no subdirectory."""
    return path.split("/", 1)[0] if "/" in path else ""


# -- classification --------------------------------------------------------------------------


def k8s_objects(source: SourceFile) -> list[K8sObject]:
    """The Kubernetes objects of a parsed file; `kind: *List` items are expanded."""
    found: list[K8sObject] = []
    for document in source.documents:
        found.extend(_objects_in(document.root))
    return found


def _objects_in(root: Any) -> Iterator[K8sObject]:
    if not is_k8s_object(root):
        return
    kind = root["kind"]
    items = root.get("items")
    if kind.endswith("List") and isinstance(items, YSeq):
        for item in items:
            yield from _objects_in(item)
        return
    yield K8sObject(root)


def is_k8s_object(root: Any) -> bool:
    if not isinstance(root, YMap):
        return False
    api_version, kind = root.get("apiVersion"), root.get("kind")
    if not (isinstance(api_version, str) and isinstance(kind, str) and api_version and kind):
        return False
    return not is_kustomization_document(root)


def is_kustomization_document(root: Any) -> bool:
    """Whether a parsed document is a kustomization (a Kustomization or Component of the
    kustomize API), whatever its file is called."""
    if not isinstance(root, YMap):
        return False
    api_version, kind = root.get("apiVersion"), root.get("kind")
    return (
        isinstance(api_version, str)
        and api_version.startswith(KUSTOMIZE_API_PREFIX)
        and kind in KUSTOMIZATION_KINDS
    )


def sorted_units(units: Sequence[Unit]) -> tuple[Unit, ...]:
    return tuple(sorted(units, key=lambda u: (u.kustomize, u.name)))

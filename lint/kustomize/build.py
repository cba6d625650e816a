"""The kustomization walk: `kustomize build` in Python, with every value located.

Order of one kustomization, as kustomize 5 runs it: resources (files, directories, nested
kustomizations), generators, components (which see and transform everything accumulated so far),
then the built-in transformers: patchesStrategicMerge, patches, namespace, namePrefix/
nameSuffix, labels, annotations, patchesJson6902, replicas, images, replacements. At the root,
generated names get their content hash, name references are rewritten, vars are resolved and
objects marked `config.kubernetes.io/local-config` are dropped.

Safety: paths that leave the repository root are refused; remote resources, Helm charts and
plugins (exec, containerized KRM functions) are noted, never fetched or run.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from k8slint.lint.findings import LintError, Severity
from k8slint.lint.kustomize import fieldspec, namerefs, transformers
from k8slint.lint.kustomize.generators import GeneratorInputError, content_hash, generate
from k8slint.lint.kustomize.jsonpatch import JsonPatchError, apply_json_patch
from k8slint.lint.kustomize.merge import PatchDelete, apply_smp, is_builtin
from k8slint.lint.kustomize.nodes import clone, set_value
from k8slint.lint.kustomize.resource import Res, ResList
from k8slint.lint.kustomize.shared import Records, SubBuilds
from k8slint.lint.load import Project
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import ParsedDocument, YamlError, YMap, YSeq, parse_documents

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def is_kustomization(rel: str) -> bool:
    """Whether a project path names a kustomization file."""
    return posixpath.basename(rel) in KUSTOMIZATION_NAMES


_REMOTE_PREFIXES = (
    "http://",
    "https://",
    "git@",
    "git::",
    "ssh://",
    "github.com/",
    "gitlab.com/",
    "bitbucket.org/",
)
_WHITESPACE = re.compile(r"\s")  # what str.isspace() says of a character
_BUILTIN_PLUGINS = frozenset(
    {
        "AnnotationsTransformer",
        "ConfigMapGenerator",
        "SecretGenerator",
        "ImageTagTransformer",
        "LabelTransformer",
        "NamespaceTransformer",
        "PatchJson6902Transformer",
        "PatchStrategicMergeTransformer",
        "PatchTransformer",
        "PrefixSuffixTransformer",
        "PrefixTransformer",
        "SuffixTransformer",
        "ReplicaCountTransformer",
        "ReplacementTransformer",
    }
)


# kustomization field -> (what one entry is, what is lost when it is not built offline)
_FIELDS = {
    "resources": ("resource", "the objects it adds are not checked"),
    "bases": ("base", "the objects it adds are not checked"),
    "components": ("component", "the objects and changes it adds are not checked"),
    "patches": ("patch", "the patch is not applied"),
    "patchesStrategicMerge": ("patch", "the patch is not applied"),
    "patchesJson6902": ("patch", "the patch is not applied"),
    "configMapGenerator": ("configMapGenerator input", "the ConfigMap is built without it"),
    "secretGenerator": ("secretGenerator input", "the Secret is built without it"),
    "configurations": ("configuration", "its field specs are not used"),
    "generators": ("generator", "the objects it adds are not checked"),
    "transformers": ("transformer", "the changes it makes are not checked"),
    "replacements": ("replacements file", "its replacements are not applied"),
    "crds": ("CRD file", "its OpenAPI name references are not read"),
}


class NoteKind(Enum):
    NOT_RENDERED = "not rendered"  # part of the kustomization is not built offline
    OUTSIDE_DIR = "outside the directory"  # a file kustomize's load restrictor refuses
    NO_EFFECT = "no effect"  # a patch whose target selects nothing: kustomize's no-op


@dataclass(frozen=True)
class Note:
    loc: Loc
    message: str  # complete, as reported
    kind: NoteKind
    entry: str = ""  # OUTSIDE_DIR: the entry as written

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.kind is NoteKind.OUTSIDE_DIR else Severity.INFO


class Reason(Enum):
    MISSING = "no such file"
    NOT_A_KUSTOMIZATION = "directory has no kustomization file"
    NOT_A_FILE = "a directory, not a file"
    NOT_A_DIRECTORY = "a file, not a directory"
    OVERSIZED = "larger than the maximum file size"
    UNREADABLE = "not a readable regular file"


@dataclass(frozen=True)
class MissingRef:
    """A kustomization entry whose file or directory is not there (or cannot be read)."""

    loc: Loc
    field: str  # the kustomization field: resources, patches, configMapGenerator...
    target: str  # the entry as written
    path: str  # where it points, relative to the project root
    reason: Reason


@dataclass(frozen=True)
class Build:
    root: str
    objects: list[YMap]
    files: frozenset[str]
    notes: list[Note]
    missing: list[MissingRef]
    errors: list[LintError]


def is_remote(entry: str) -> bool:
    if _WHITESPACE.search(entry):  # an inline patch, never a URL
        return False
    return entry.startswith(_REMOTE_PREFIXES) or "?ref=" in entry or "://" in entry


def kustomization_file(project: Project, directory: str) -> str | None:
    for name in KUSTOMIZATION_NAMES:
        rel = posixpath.join(directory, name) if directory not in ("", ".") else name
        if project.exists(rel) and not project.is_dir(rel):
            return rel
    return None


def join(directory: str, entry: str) -> str:
    """A project-relative POSIX path; may start with `..` when it leaves the root."""
    joined = (
        posixpath.normpath(posixpath.join(directory, entry))
        if directory
        else posixpath.normpath(entry)
    )
    return "" if joined == "." else joined


def _within(path: str, directory: str) -> bool:
    if directory in ("", "."):
        return not path.startswith("../") and path != ".."
    return path == directory or path.startswith(directory + "/")


@dataclass
class _Scope:
    """What one kustomization file gives the transformers: its dir, file and parsed content."""

    directory: str
    file: str
    kust: YMap


@dataclass
class _State:
    """What a root's build records besides its resources; the lists are only ever appended to,
    so what one sub-build adds can be kept and replayed (shared.py)."""

    files: list[str] = field(default_factory=list)  # as read, repeats included
    notes: list[Note] = field(default_factory=list)
    missing: list[MissingRef] = field(default_factory=list)
    errors: list[LintError] = field(default_factory=list)
    variables: list[YMap] = field(default_factory=list)
    extra_namerefs: list[namerefs.NameRef] = field(default_factory=list)
    extra_labels: list[fieldspec.FieldSpec] = field(default_factory=list)
    extra_annotations: list[fieldspec.FieldSpec] = field(default_factory=list)
    incomplete: bool = False  # a remote resource or Helm chart was left out
    about_includers: int = 0  # errors that name an includer (its chain, its entry)

    def error(self, loc: Loc, message: str) -> None:
        self.errors.append(LintError(loc.path, loc.line, message))

    def note(self, loc: Loc, message: str, kind: NoteKind = NoteKind.NOT_RENDERED) -> None:
        self.notes.append(Note(loc, message, kind))

    def unmatched(self, loc: Loc, message: str) -> None:
        """A patch without a target: an error, unless the target may be in what was not built."""
        if self.incomplete:
            self.note(
                loc,
                f"{message} (it may come from a remote resource or chart not built);"
                " the patch is not checked",
            )
        else:
            self.error(loc, message)

    def includer_error(self, loc: Loc, message: str) -> None:
        """An error about how a directory is included, which a shared sub-build must not hold."""
        self.about_includers += 1
        self.error(loc, message)

    def context(self) -> Hashable:
        """What of this state a sub-build reads: its build depends on nothing else."""
        return (self.incomplete, tuple(self.extra_labels), tuple(self.extra_annotations))

    def mark(self) -> tuple[dict[str, int], int]:
        return {name: len(getattr(self, name)) for name in _LOGS}, self.about_includers

    def since(self, mark: tuple[dict[str, int], int]) -> Records:
        starts, about_includers = mark
        logs = {name: tuple(getattr(self, name)[start:]) for name, start in starts.items()}
        return Records(logs, self.incomplete, self.about_includers != about_includers)

    def replay(self, records: Records) -> None:
        for name, added in records.logs.items():
            getattr(self, name).extend(added)
        self.incomplete = records.incomplete


# every list of the state: what a shared sub-build appended to them is replayed
_LOGS = tuple(name for name, kind in _State.__annotations__.items() if kind.startswith("list["))


class _Builder:
    def __init__(self, project: Project, shared: SubBuilds) -> None:
        self.project = project
        self.shared = shared
        self.state = _State()

    def _selects_nothing(self, target: YMap) -> None:
        """kustomize applies a patch whose target selects nothing as a no-op, so it is a note:
        worth knowing (a typo in the target silently drops the patch), never a failed build."""
        if self.state.incomplete:
            self.state.note(
                target.loc,
                f"patch target {_describe(target)} matches no resource built offline (it may"
                " come from a remote resource or chart not built); the patch is not checked",
            )
            return
        self.state.note(
            target.loc,
            f"patch target {_describe(target)} matches no resource; the patch changes nothing",
            NoteKind.NO_EFFECT,
        )

    # -- entry points ------------------------------------------------------------------------

    def build_root(self, directory: str) -> ResList:
        resources = self.build_dir(directory, (), Loc.point(directory or ".", 0))
        self._finish(resources)
        return resources

    def build_dir(self, directory: str, stack: tuple[str, ...], loc: Loc) -> ResList:
        if len(stack) >= MAX_NESTING:
            raise _NestedTooDeep
        resources = ResList()
        scope = self._load(directory, loc)
        if scope is None:
            return resources
        if scope.kust.get("kind") == "Component" and stack:
            self.state.includer_error(
                loc, f"{directory} is a Component; list it under components:, not resources:"
            )
        self._run(scope, (*stack, directory), resources)
        return resources

    # -- loading -----------------------------------------------------------------------------

    def _load(self, directory: str, loc: Loc) -> _Scope | None:
        kfile = kustomization_file(self.project, directory)
        if kfile is None:
            self.state.includer_error(loc, f"no kustomization file in {directory or '.'}")
            return None
        self.state.files.append(kfile)
        source = self.project.parse(kfile)
        if source is None:
            self.state.error(Loc.point(kfile, 0), "cannot read the kustomization")
            return None
        if source.error is not None:
            self.state.errors.append(source.error)
            return None
        roots = [doc.root for doc in source.documents]
        if not roots:
            return _Scope(directory, kfile, YMap(Loc.point(kfile, 1)))
        if not isinstance(roots[0], YMap):
            self.state.error(Loc.point(kfile, 1), "a kustomization must be a mapping")
            return None
        return _Scope(directory, kfile, roots[0])

    def _entries(self, scope: _Scope, key: str) -> list[tuple[Any, Loc]]:
        node = scope.kust.get(key)
        if node is None:
            return []
        if isinstance(node, YSeq):
            return [(item, node.item_loc(i)) for i, item in enumerate(node)]
        if isinstance(node, str):  # a single entry written as a string
            return [(node, scope.kust.value_loc(key))]
        self.state.error(scope.kust.value_loc(key), f"{key} must be a list")
        return []

    # -- finding the files a kustomization lists ---------------------------------------------

    def _find(
        self, scope: _Scope, field_name: str, entry: str, loc: Loc, want: str = "file"
    ) -> str | None:
        """The project path of `entry` when it is there: a file (want="file"), a directory
        holding a kustomization (want="dir") or either (want="any"). Otherwise None, after
        recording why: a note for a remote entry, an error when it leaves the repository root,
        a MissingRef when it is not there. A file outside the kustomization directory is also
        noted (the load restrictor)."""
        path = join(scope.directory, entry)
        what, lost = _FIELDS.get(field_name, (field_name, "it is not checked"))
        if is_remote(entry) and not self.project.exists(path):
            self.state.incomplete = True
            self.state.note(loc, f"remote {what} {entry} not fetched (offline build); {lost}")
            return None
        if (
            path == ".."
            or path.startswith("../")
            or posixpath.isabs(entry)
            or not self.project.inside(path)
        ):
            self.state.error(
                loc,
                f"{what} {entry!r} is outside the repository root; refused "
                "(kustomize's load restrictor allows only files under the kustomization root)",
            )
            return None
        if self.project.is_dir(path):
            if want == "file":
                reason = Reason.NOT_A_FILE
            elif kustomization_file(self.project, path) is None:
                reason = Reason.NOT_A_KUSTOMIZATION
            else:
                return path
        elif not self.project.exists(path):
            reason = Reason.MISSING
        elif want == "dir":
            reason = Reason.NOT_A_DIRECTORY
        else:
            if not _within(path, scope.directory):
                self.state.notes.append(
                    Note(
                        loc,
                        f"{entry!r} is outside the kustomization directory "
                        f"{scope.directory or '.'}; `kustomize build` refuses it unless run with "
                        "--load-restrictor LoadRestrictionsNone",
                        NoteKind.OUTSIDE_DIR,
                        entry,
                    )
                )
            return path
        self.state.missing.append(MissingRef(loc, field_name, entry, path, reason))
        return None

    def _unread(self, field_name: str, entry: str, loc: Loc, path: str) -> None:
        """A file that is there but was not read: too large, or not a regular file."""
        oversized = self.project.oversized(path) is not None
        reason = Reason.OVERSIZED if oversized else Reason.UNREADABLE
        self.state.missing.append(MissingRef(loc, field_name, entry, path, reason))

    def _parse(
        self, field_name: str, entry: str, loc: Loc, path: str
    ) -> list[ParsedDocument] | None:
        """The documents of a found file, or None (its problem recorded)."""
        source = self.project.parse(path)
        if source is None:
            self._unread(field_name, entry, loc, path)
            return None
        self.state.files.append(path)
        if source.error is not None:
            self.state.errors.append(source.error)
            return None
        if source.template:
            self.state.note(loc, f"{path} is a template, not YAML; skipped, so it is not checked")
            return None
        return source.documents

    def _documents(self, field_name: str, entry: str, loc: Loc, path: str) -> list[YMap]:
        """The objects of a found file; `kind: *List` documents give their items."""
        out: list[YMap] = []
        for doc in self._parse(field_name, entry, loc, path) or ():
            root = doc.root
            if not isinstance(root, YMap):
                if root is not None:
                    self.state.error(doc.loc, "a resource must be a mapping")
                continue
            kind = root.get("kind")
            if (
                isinstance(kind, str)
                and kind.endswith("List")
                and isinstance(root.get("items"), YSeq)
            ):
                out.extend(item for item in root["items"] if isinstance(item, YMap))
            else:
                out.append(root)
        return out

    def _build_sub(self, path: str, stack: tuple[str, ...], loc: Loc) -> list[Res]:
        """The resources of a kustomization directory listed by the one being built: built
        here, or those of its earlier build in the same context (shared.py)."""
        if self._closes_cycle(path, stack, loc):
            return []
        context = self.state.context()
        taken = self.shared.take(path, context, stack)
        if taken is not None:
            resources, records = taken
            self.state.replay(records)
            return resources
        if not self.shared.wanted(path):
            return self.build_dir(path, stack, loc).items
        mark = self.state.mark()
        resources = self.build_dir(path, stack, loc).items
        return self.shared.keep(path, context, stack, resources, self.state.since(mark))

    def _closes_cycle(self, path: str, stack: tuple[str, ...], loc: Loc) -> bool:
        """Whether including `path` from the chain `stack` closes a cycle (then an error)."""
        if path not in stack:
            return False
        self.state.includer_error(loc, f"kustomization cycle: {' -> '.join((*stack, path))}")
        return True

    # -- one kustomization -------------------------------------------------------------------

    def _run(self, scope: _Scope, stack: tuple[str, ...], resources: ResList) -> None:
        kust = scope.kust
        self._configurations(scope)
        seen = {_res_id(r) for r in resources}
        for key in ("resources", "bases"):
            for entry, loc in self._entries(scope, key):
                self._resource(scope, key, entry, loc, stack, resources, seen)
        for key in ("helmCharts", "helmChartInflationGenerator", "helmGlobals"):
            if kust.get(key):
                self.state.incomplete = True
                self.state.note(
                    kust.key_loc(key),
                    f"{key} not rendered offline; the objects it adds are not checked",
                )
        self._generators(scope, resources)
        for entry, loc in self._entries(scope, "generators"):
            self._plugin(scope, entry, loc, stack, resources, "generators")
        for entry, loc in self._entries(scope, "components"):
            self._component(scope, entry, loc, stack, resources)
        self._transform(scope, resources)
        for entry, loc in self._entries(scope, "transformers"):
            self._plugin(scope, entry, loc, stack, resources, "transformers")
        for _entry, loc in self._entries(scope, "validators"):
            self.state.note(loc, "validators are not run offline; the build is not validated")
        variables = kust.get("vars")
        if isinstance(variables, YSeq):
            self.state.variables.extend(v for v in variables if isinstance(v, YMap))
        crds = self._entries(scope, "crds")
        for entry, loc in crds:
            if isinstance(entry, str):
                self._find(scope, "crds", entry, loc)  # their content is not used offline
        if crds:
            self.state.note(
                kust.key_loc("crds"),
                "crds: OpenAPI name references are not read; names in custom resources that "
                "those schemas declare as references are not rewritten",
            )

    def _resource(
        self,
        scope: _Scope,
        key: str,
        entry: Any,
        loc: Loc,
        stack: tuple[str, ...],
        resources: ResList,
        seen: set[tuple[str, str, str, str]],
    ) -> None:
        if not isinstance(entry, str) or not entry:
            self.state.error(loc, f"{key} entries must be paths")
            return
        path = self._find(scope, key, entry, loc, want="any")
        if path is None:
            return
        if self.project.is_dir(path):
            added = self._build_sub(path, stack, loc)
        else:
            added = [Res(clone(doc)) for doc in self._documents(key, entry, loc, path)]
        fresh = []
        for res in added:
            ident = _res_id(res)
            if ident in seen:
                self.state.error(
                    res.obj.loc,
                    f"{res.kind}/{res.name} is listed twice in {scope.file} (kustomize refuses "
                    "to add a resource with an already registered id)",
                )
                continue
            seen.add(ident)
            fresh.append(res)
        resources.extend(fresh)

    def _component(
        self, scope: _Scope, entry: Any, loc: Loc, stack: tuple[str, ...], resources: ResList
    ) -> None:
        if not isinstance(entry, str):
            return
        path = self._find(scope, "components", entry, loc, want="dir")
        if path is None or self._closes_cycle(path, stack, loc):
            return
        sub = self._load(path, loc)
        if sub is None:
            return
        if sub.kust.get("kind") != "Component":
            self.state.error(loc, f"{entry} is not a Component (kind: Component)")
        self._run(sub, (*stack, path), resources)

    def _configurations(self, scope: _Scope) -> None:
        for entry, loc in self._entries(scope, "configurations"):
            if not isinstance(entry, str):
                continue
            path = self._find(scope, "configurations", entry, loc)
            if path is None:
                continue
            for doc in self._documents("configurations", entry, loc, path):
                self.state.extra_namerefs.extend(namerefs.parse_table(doc.get("nameReference")))
                self.state.extra_labels.extend(fieldspec.parse_specs(doc.get("commonLabels")))
                self.state.extra_annotations.extend(
                    fieldspec.parse_specs(doc.get("commonAnnotations"))
                )

    # -- generators --------------------------------------------------------------------------

    def _generators(self, scope: _Scope, resources: ResList) -> None:
        options = scope.kust.get("generatorOptions")
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for spec, loc in self._entries(scope, key):
                if not isinstance(spec, YMap):
                    self.state.error(loc, f"{key} entries must be mappings")
                    continue
                self._generate(scope, key, kind, spec, options, resources)

    def _generate(
        self, scope: _Scope, key: str, kind: str, spec: YMap, options: Any, resources: ResList
    ) -> None:
        def read(entry: str, loc: Loc) -> tuple[str | bytes, str] | None:
            path = self._find(scope, key, entry, loc)
            if path is None:
                return None
            content: str | bytes | None = self.project.read_text(path)
            if content is None:  # binary (binaryData), or not readable at all
                content = self.project.read_bytes(path)
            if content is None:
                self._unread(key, entry, loc, path)
                return None
            self.state.files.append(path)
            return content, path

        try:
            made = generate(kind, spec, options, read)
        except GeneratorInputError as exc:
            self.state.error(exc.loc, str(exc))
            return
        new = Res(made.obj, needs_hash=made.needs_hash)
        namespace = new.namespace
        existing = [
            r
            for r in resources.named(kind, new.name)
            if not namespace or (r.namespace or "default") == namespace
        ]
        if made.behavior == "create":
            if existing:
                self.state.error(
                    made.obj.loc,
                    f"{kind} {new.name} already exists; use behavior: merge or replace",
                )
                return
            resources.append(new)
            return
        if made.behavior not in ("merge", "replace"):
            self.state.error(made.obj.loc, f"unknown generator behavior {made.behavior!r}")
            return
        if not existing:
            self.state.error(
                made.obj.loc,
                f"behavior: {made.behavior} but no {kind} {new.name} to {made.behavior}",
            )
            return
        old = existing[0]
        _merge_generated(old, new, replace=made.behavior == "replace")

    # -- transformers ------------------------------------------------------------------------

    def _transform(self, scope: _Scope, resources: ResList) -> None:
        kust = scope.kust
        for entry, loc in self._entries(scope, "patchesStrategicMerge"):
            self._patch(scope, resources, entry, None, loc, "patchesStrategicMerge", inline_ok=True)
        for entry, loc in self._entries(scope, "patches"):
            if not isinstance(entry, YMap):
                self.state.error(loc, "patches entries must be mappings with path or patch")
                continue
            body = entry.get("path")
            if body is not None:
                self._patch(scope, resources, body, entry, entry.value_loc("path"), "patches")
            elif isinstance(entry.get("patch"), str):
                self._inline_patch(scope, resources, entry, "patches")
            else:
                self.state.error(loc, "a patch needs path or patch")
        items = list(resources)
        namespace = kust.get("namespace")
        if isinstance(namespace, str) and namespace:
            transformers.set_namespace(items, namespace, kust.value_loc("namespace"))
            resources.changed()
        prefix, suffix = kust.get("namePrefix"), kust.get("nameSuffix")
        if prefix or suffix:
            transformers.add_prefix_suffix(items, str(prefix or ""), str(suffix or ""))
            resources.changed()
        common = kust.get("commonLabels")
        if isinstance(common, YMap) and common:
            transformers.set_pairs(items, common, fieldspec.COMMON_LABELS + self.state.extra_labels)
        for entry, _loc in self._entries(scope, "labels"):
            if isinstance(entry, YMap) and isinstance(entry.get("pairs"), YMap):
                transformers.set_pairs(items, entry["pairs"], transformers.label_specs(entry))
        annotations = kust.get("commonAnnotations")
        if isinstance(annotations, YMap) and annotations:
            transformers.set_pairs(
                items, annotations, fieldspec.COMMON_ANNOTATIONS + self.state.extra_annotations
            )
        for entry, _loc in self._entries(scope, "patchesJson6902"):
            if not isinstance(entry, YMap):
                continue
            if "path" in entry:
                self._patch(
                    scope,
                    resources,
                    entry["path"],
                    entry,
                    entry.value_loc("path"),
                    "patchesJson6902",
                )
            elif isinstance(entry.get("patch"), str):
                self._inline_patch(scope, resources, entry, "patchesJson6902")
        transformers.set_replicas(resources, kust.get("replicas"))
        rules = [
            rule
            for entry, _loc in self._entries(scope, "images")
            if isinstance(entry, YMap) and (rule := transformers.ImageRule.parse(entry)) is not None
        ]
        transformers.set_images(list(resources), rules)
        for entry, loc in self._entries(scope, "replacements"):
            for replacement in self._replacements(scope, entry, loc):
                try:
                    transformers.apply_replacement(list(resources), replacement)
                except transformers.TransformError as exc:
                    self.state.error(exc.loc, str(exc))
            resources.changed()

    def _replacements(self, scope: _Scope, entry: Any, loc: Loc) -> list[YMap]:
        """One inline replacement, or those of a file: one mapping or a list of them."""
        if not isinstance(entry, YMap):
            return []
        if "path" not in entry or "source" in entry:
            return [entry]
        rel, path_loc = entry["path"], entry.value_loc("path")
        if not isinstance(rel, str):
            self.state.error(path_loc, "replacements: expected a path")
            return []
        path = self._find(scope, "replacements", rel, path_loc)
        if path is None:
            return []
        out: list[YMap] = []
        for doc in self._parse("replacements", rel, path_loc, path) or ():
            if isinstance(doc.root, YMap):
                out.append(doc.root)
            elif isinstance(doc.root, YSeq):
                out.extend(r for r in doc.root if isinstance(r, YMap))
            elif doc.root is not None:
                self.state.error(doc.loc, "a replacements file holds a mapping or a list")
        return out

    def _inline_patch(
        self, scope: _Scope, resources: ResList, entry: YMap, field_name: str
    ) -> None:
        loc = entry.value_loc("patch")
        docs = self._parse_inline(entry["patch"], loc)
        if docs is None:
            return
        self._apply_patch_docs(resources, docs, entry, loc, field_name)

    def _parse_inline(self, text: str, loc: Loc) -> list[Any] | None:
        """An inline patch or plugin config, located in the file that holds it (`loc`)."""
        line_offset, col_offset = self._block_offsets(loc)
        try:
            parsed, _dups = parse_documents(text, loc.path)
        except YamlError as exc:
            # content line N of a block scalar is line line_offset + N of the file
            base = loc.line - 1 if line_offset is None else line_offset
            self.state.error(Loc.point(loc.path, base + max(exc.line, 1)), f"inline patch: {exc}")
            return None
        if line_offset is None:
            return [_relocate(doc.root, lambda _l: loc) for doc in parsed]

        def shift(old: Loc) -> Loc:
            return Loc(
                old.path,
                old.line + line_offset,
                old.col + col_offset,
                old.end_line + line_offset,
                old.end_col + col_offset,
            )

        return [_relocate(doc.root, shift) for doc in parsed]

    def _block_offsets(self, loc: Loc) -> tuple[int | None, int]:
        """Where an inline block scalar's content starts: (line offset, column offset), or
        (None, 0) when the value is not a block scalar."""
        header = self.project.line(loc.path, loc.line)
        if header is None or not header[loc.col - 1 :].lstrip().startswith(("|", ">")):
            return None, 0
        for number in range(loc.line + 1, loc.end_line + 1):
            line = self.project.line(loc.path, number)
            if line is None:
                break
            if line.strip():  # content line N of the scalar is line loc.line + N of the file
                return loc.line, len(line) - len(line.lstrip(" "))
        return None, 0

    def _patch(
        self,
        scope: _Scope,
        resources: ResList,
        body: Any,
        entry: YMap | None,
        loc: Loc,
        field_name: str,
        inline_ok: bool = False,
    ) -> None:
        if not isinstance(body, str):
            self.state.error(loc, f"{field_name}: expected a path")
            return
        if inline_ok and (
            "\n" in body
            or (
                ":" in body
                and not is_remote(body)
                and not self.project.exists(join(scope.directory, body))
            )
        ):
            docs = self._parse_inline(body, loc)
            if docs is not None:
                self._apply_patch_docs(resources, docs, entry, loc, field_name)
            return
        path = self._find(scope, field_name, body, loc)
        if path is None:
            return
        documents = self._parse(field_name, body, loc, path)
        if documents is not None:
            self._apply_patch_docs(resources, [d.root for d in documents], entry, loc, field_name)

    def _apply_patch_docs(
        self, resources: ResList, docs: list[Any], entry: YMap | None, loc: Loc, field_name: str
    ) -> None:
        target = entry.get("target") if entry is not None else None
        docs = [d for d in docs if d is not None]
        if (len(docs) == 1 and isinstance(docs[0], YSeq)) or field_name == "patchesJson6902":
            ops = docs[0] if docs else YSeq(loc)
            if not isinstance(target, YMap):
                self.state.error(loc, "a JSON 6902 patch needs a target")
                return
            selected = [
                r
                for r in resources.candidates(target)
                if transformers.selects(r, target, regex=field_name == "patches")
            ]
            if not selected:
                self._selects_nothing(target)
            for res in selected:
                before = (res.kind, res.name)
                try:
                    res.obj = apply_json_patch(res.obj, ops, loc)
                except JsonPatchError as exc:
                    self.state.error(exc.loc, f"JSON patch on {res.kind}/{res.name}: {exc}")
                    continue
                self._renamed(res, before, resources)
            return
        targeted = isinstance(target, YMap)
        chosen: list[Res] = []
        if targeted:  # one selection for every document of the patch
            chosen = [
                r for r in resources.candidates(target) if transformers.selects(r, target, True)
            ]
            if not chosen:
                self._selects_nothing(target)
        deleted: set[int] = set()
        for doc in docs:
            if not isinstance(doc, YMap):
                self.state.error(loc, "a strategic merge patch must be a mapping")
                continue
            for res in chosen if targeted else self._patch_targets(resources, doc):
                if id(res) in deleted:
                    continue
                before = (res.kind, res.name)
                try:
                    apply_smp(res.obj, doc, res.kind, is_builtin(res.api_version))
                except PatchDelete:
                    resources.remove(res)
                    deleted.add(id(res))
                    continue
                if targeted or before != (res.kind, res.name):
                    self._keep_identity(res, before)
                self._renamed(res, before, resources)

    def _keep_identity(self, res: Res, before: tuple[str, str]) -> None:
        """A targeted patch does not rename (kustomize: allowNameChange defaults to false)."""
        meta = res.metadata
        if meta is not None and meta.get("name") != before[1]:
            set_value(meta, "name", before[1], meta.value_loc("name"))
        if res.obj.get("kind") != before[0]:
            set_value(res.obj, "kind", before[0], res.obj.value_loc("kind"))

    def _renamed(self, res: Res, before: tuple[str, str], resources: ResList) -> None:
        if (res.kind, res.name) != before:
            res.history.append((before[0], before[1], res.namespace))
            resources.changed()

    def _patch_targets(self, resources: ResList, doc: YMap) -> list[Res]:
        kind = doc.get("kind")
        meta = doc.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(kind, str) or not isinstance(name, str):
            self.state.error(doc.loc, "a strategic merge patch needs kind and metadata.name")
            return []
        candidates = resources.named(kind, name)
        namespace = meta.get("namespace") if isinstance(meta, dict) else None
        if namespace:
            candidates = [
                r for r in candidates if r.cluster_scoped or (r.namespace or "default") == namespace
            ]
        if len(candidates) > 1:
            current = [r for r in candidates if r.name == name]
            candidates = current or candidates
        if len(candidates) > 1:
            plain = [r for r in candidates if not r.namespace or r.namespace == "default"]
            candidates = plain if len(plain) == 1 else candidates
        if not candidates:
            self.state.unmatched(doc.loc, f"patch target {kind}/{name} not found in the build")
            return []
        if len(candidates) > 1:
            self.state.error(doc.loc, f"patch target {kind}/{name} matches several resources")
            return []
        return candidates

    def _plugin(
        self,
        scope: _Scope,
        entry: Any,
        loc: Loc,
        stack: tuple[str, ...],
        resources: ResList,
        field_name: str,
    ) -> None:
        if isinstance(entry, YMap):
            configs = [entry]
        elif isinstance(entry, str) and "\n" in entry:
            configs = [d for d in self._parse_inline(entry, loc) or [] if isinstance(d, YMap)]
        elif isinstance(entry, str):
            path = self._find(scope, field_name, entry, loc, want="any")
            if path is None:
                return
            if self.project.is_dir(path):
                configs = [r.obj for r in self._build_sub(path, stack, loc)]
            else:
                configs = self._documents(field_name, entry, loc, path)
        else:
            return
        what, lost = _FIELDS[field_name]
        for config in configs:
            kind = config.get("kind")
            annotations = (
                config.get("metadata", {}).get("annotations")
                if isinstance(config.get("metadata"), dict)
                else None
            )
            is_function = (
                isinstance(annotations, dict) and "config.kubernetes.io/function" in annotations
            )
            if kind in _BUILTIN_PLUGINS and not is_function:
                self._builtin_plugin(scope, config, resources)
            else:
                self.state.note(
                    loc,
                    f"{what} plugin {kind} not run (exec and KRM function plugins never run);"
                    f" {lost}",
                )

    def _builtin_plugin(self, scope: _Scope, config: YMap, resources: ResList) -> None:
        """A built-in plugin configured in its own file: run as the matching kustomization field."""
        kind = config["kind"]
        fake = YMap(config.loc)

        def put(key: str, value: Any, loc: Loc) -> None:
            fake.set_located(key, value, loc, loc)

        if kind in ("ConfigMapGenerator", "SecretGenerator"):
            key = "configMapGenerator" if kind == "ConfigMapGenerator" else "secretGenerator"
            spec = clone(config)
            meta = config.get("metadata")
            if isinstance(meta, YMap):
                spec.set_located(
                    "name", meta.get("name"), meta.key_loc("name"), meta.value_loc("name")
                )
                if meta.get("namespace"):
                    spec.set_located(
                        "namespace",
                        meta["namespace"],
                        meta.key_loc("namespace"),
                        meta.value_loc("namespace"),
                    )
            seq = YSeq(config.loc)
            seq.append_located(spec, config.loc)
            put(key, seq, config.loc)
            self._generators(_Scope(scope.directory, scope.file, fake), resources)
            return
        if kind == "PrefixSuffixTransformer" or kind in ("PrefixTransformer", "SuffixTransformer"):
            transformers.add_prefix_suffix(
                list(resources), str(config.get("prefix") or ""), str(config.get("suffix") or "")
            )
            resources.changed()
            return
        if kind == "NamespaceTransformer":
            meta = config.get("metadata")
            if isinstance(meta, YMap) and meta.get("namespace"):
                transformers.set_namespace(
                    list(resources), str(meta["namespace"]), meta.value_loc("namespace")
                )
                resources.changed()
            return
        if kind in ("LabelTransformer", "AnnotationsTransformer"):
            key = "labels" if kind == "LabelTransformer" else "annotations"
            pairs = config.get(key)
            specs = fieldspec.parse_specs(config.get("fieldSpecs"))
            if isinstance(pairs, YMap):
                transformers.set_pairs(list(resources), pairs, specs)
            return
        if kind == "ImageTagTransformer":
            image = config.get("imageTag")
            if isinstance(image, YMap) and (rule := transformers.ImageRule.parse(image)):
                transformers.set_images(list(resources), [rule])
            return
        if kind == "ReplicaCountTransformer":
            replica = config.get("replica")
            if isinstance(replica, YMap):
                seq = YSeq(config.loc)
                seq.append_located(replica, config.loc)
                transformers.set_replicas(resources, seq)
            return
        if kind == "ReplacementTransformer":
            for replacement in config.get("replacements") or []:
                if isinstance(replacement, YMap):
                    try:
                        transformers.apply_replacement(list(resources), replacement)
                    except transformers.TransformError as exc:
                        self.state.error(exc.loc, str(exc))
            resources.changed()
            return
        if kind in (
            "PatchTransformer",
            "PatchStrategicMergeTransformer",
            "PatchJson6902Transformer",
        ):
            field_name = "patchesJson6902" if kind == "PatchJson6902Transformer" else "patches"
            if "path" in config:
                self._patch(
                    scope, resources, config["path"], config, config.value_loc("path"), field_name
                )
            elif isinstance(config.get("patch"), str):
                self._inline_patch(scope, resources, config, field_name)
            for body, loc in ((p, config.loc) for p in (config.get("paths") or [])):
                self._patch(
                    scope, resources, body, None, loc, "patchesStrategicMerge", inline_ok=True
                )
            return

    # -- the root ----------------------------------------------------------------------------

    def _finish(self, resources: ResList) -> None:
        for res in resources:
            if res.needs_hash and res.kind in ("ConfigMap", "Secret"):
                meta = res.metadata
                assert meta is not None
                res.set_name(f"{res.name}-{content_hash(res.obj)}", meta.value_loc("name"))
        resources.changed()
        for problem in namerefs.fix_name_references(resources, self.state.extra_namerefs):
            self.state.error(problem.loc, f"name reference: {problem}")
        if self.state.variables:
            for problem in transformers.resolve_vars(resources, self.state.variables):
                self.state.error(problem.loc, str(problem))
        local = [
            r
            for r in resources
            if str(r.annotations().get("config.kubernetes.io/local-config", "")).lower() == "true"
        ]
        for res in local:
            resources.remove(res)


def _merge_generated(old: Res, new: Res, replace: bool) -> None:
    """behavior: merge/replace: `new`'s data into `old`, which keeps its name and namespace."""
    for key in ("data", "binaryData"):
        incoming = new.obj.get(key)
        current = old.obj.get(key)
        if replace or not isinstance(current, YMap):
            if isinstance(incoming, YMap):
                old.obj.set_located(key, incoming, new.obj.key_loc(key), new.obj.value_loc(key))
            elif replace:
                old.obj.drop_located(key)
            continue
        if isinstance(incoming, YMap):
            for name, value in incoming.items():
                current.set_located(name, value, incoming.key_loc(name), incoming.value_loc(name))
    if "type" in new.obj and "type" not in old.obj:
        old.obj.set_located(
            "type", new.obj["type"], new.obj.key_loc("type"), new.obj.value_loc("type")
        )
    new_meta, old_meta = new.metadata, old.metadata
    if new_meta is not None and old_meta is not None:
        for key in ("labels", "annotations"):
            incoming = new_meta.get(key)
            if not isinstance(incoming, YMap):
                continue
            current = old_meta.get(key)
            if not isinstance(current, YMap):
                old_meta.set_located(key, incoming, new_meta.key_loc(key), new_meta.value_loc(key))
                continue
            for name, value in incoming.items():
                current.set_located(name, value, incoming.key_loc(name), incoming.value_loc(name))
    old.needs_hash = new.needs_hash
    if new.obj.get("immutable"):
        old.obj.set_located("immutable", True, new.obj.loc, new.obj.loc)


def _res_id(res: Res) -> tuple[str, str, str, str]:
    return (res.group, res.kind, res.name, res.effective_namespace())


def _describe(target: Any) -> str:
    if not isinstance(target, dict):
        return "?"
    parts = [
        f"{k}={target[k]}"
        for k in ("group", "version", "kind", "name", "namespace")
        if target.get(k)
    ]
    for k in ("labelSelector", "annotationSelector"):
        if target.get(k):
            parts.append(f"{k}={target[k]}")
    return "(" + ", ".join(parts) + ")"


def _relocate(value: Any, fn: Any) -> Any:
    if isinstance(value, YMap):
        out = YMap(fn(value.loc))
        for key, child in value.items():
            out.set_located(
                key, _relocate(child, fn), fn(value.key_loc(key)), fn(value.value_loc(key))
            )
        return out
    if isinstance(value, YSeq):
        seq = YSeq(fn(value.loc))
        for index, child in enumerate(value):
            seq.append_located(_relocate(child, fn), fn(value.item_loc(index)))
        return seq
    return value


MAX_NESTING = 50
"""Kustomizations may include each other this many levels deep; real trees nest a handful.

A fixed bound makes a deeper chain fail at the same level on every Python and whether or not
parts of it were built before (shared.py): the interpreter's recursion limit, which it replaces,
is reached at a depth that depends on the Python version and on the frames around the build.
"""


class _NestedTooDeep(Exception):
    pass


def build(project: Project, directory: str, shared: SubBuilds | None = None) -> Build:
    """Build the kustomization in `directory` (POSIX, relative to the project root); `shared`
    (from `sub_builds`) lets the roots of one run share the builds of what they include."""
    directory = "" if directory in (".", "./") else directory.rstrip("/")
    builder = _Builder(project, shared or SubBuilds())
    try:  # callers pause the cyclic GC around builds (runner.gc_paused)
        resources = builder.build_root(directory)
        objects = [res.obj for res in resources]
    except (_NestedTooDeep, RecursionError):
        message = f"kustomizations nest too deep (more than {MAX_NESTING} levels)"
        builder.state.error(Loc.point(directory or ".", 0), message)
        objects = []
    state = builder.state
    return Build(
        root=directory,
        objects=objects,
        files=frozenset(state.files),
        notes=state.notes,
        missing=state.missing,
        errors=state.errors,
    )


def find_kustomizations(paths: Any) -> list[str]:
    """Directories (relative) holding a kustomization file, from a list of project files."""
    dirs = {posixpath.dirname(p) for p in paths if is_kustomization(p)}
    return sorted(dirs)


def find_roots(project: Project, kustomization_dirs: Any) -> list[str]:
    """Kustomization directories that no other kustomization includes."""
    dirs = list(dict.fromkeys(kustomization_dirs))
    included: set[str] = set()
    for directory in dirs:
        kust = _kustomization(project, directory)
        if kust is None:
            continue
        if kust.get("kind") == "Component":  # only meaningful inside what includes it
            included.add(directory)
        included.update(_listed(kust, directory, ("components", *_SUB_BUILT)))
    return [d for d in dirs if d not in included]


def sub_builds(project: Project, kustomization_dirs: Any) -> SubBuilds:
    """What the roots of one run share: each directory their kustomizations list is built once,
    and kept while other entries listing it remain to be built."""
    uses: Counter[str] = Counter()
    for directory in dict.fromkeys(kustomization_dirs):
        kust = _kustomization(project, directory)
        if kust is not None:
            uses.update(_listed(kust, directory, _SUB_BUILT))
    return SubBuilds(uses)


# the fields whose directory entries are built on their own (components: in their includer)
_SUB_BUILT = ("resources", "bases", "generators", "transformers")


def _kustomization(project: Project, directory: str) -> dict[str, Any] | None:
    """The parsed kustomization of `directory`, when it is a mapping."""
    kfile = kustomization_file(project, directory)
    if kfile is None:
        return None
    source = project.parse(kfile)
    if source is None or source.error is not None or not source.documents:
        return None
    kust = source.documents[0].root
    return kust if isinstance(kust, dict) else None


def _listed(kust: dict[str, Any], directory: str, keys: tuple[str, ...]) -> list[str]:
    """The local paths the entries of `keys` name, one per entry."""
    paths = []
    for key in keys:
        entries = kust.get(key)
        if isinstance(entries, str):
            entries = [entries]
        if not isinstance(entries, list):
            continue
        paths += [
            join(directory, entry)
            for entry in entries
            if isinstance(entry, str) and not is_remote(entry)
        ]
    return paths


__all__ = [
    "KUSTOMIZATION_NAMES",
    "Build",
    "MissingRef",
    "Note",
    "NoteKind",
    "Reason",
    "build",
    "find_kustomizations",
    "find_roots",
    "is_kustomization",
    "sub_builds",
]

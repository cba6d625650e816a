"""One lint run: discover, load, build the units, run the rules, apply policy.

The cross-file rules need the whole project, so the run always loads everything under the
project root as context and only then narrows the report to the paths the user named.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from k8slint.lint.config import Config, load_config
from k8slint.lint.discover import find_root, walk
from k8slint.lint.findings import ConfigError, LintError, LintResult
from k8slint.lint.load import ParseCache, Project
from k8slint.lint.mask import NO_MASK, Masker
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.progress import Progress

if TYPE_CHECKING:  # the rest loads when a run is not found in the cache
    from k8slint.lint.engine import EnabledRule
    from k8slint.lint.kustomize import Build
    from k8slint.lint.model.k8s import K8sObject
    from k8slint.lint.rule import RuleModule


@dataclass(frozen=True)
class LintOptions:
    config_path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    kubernetes_version: str | None = None
    # file path -> unsaved text (stdin, an editor's buffer), linted instead of the file on disk
    buffers: Mapping[Path, str] = field(default_factory=dict)
    root: Path | None = None  # the project root; found from the paths when None
    cache: bool = False  # reuse the result of an identical earlier run (lint/cache.py); the CLI's
    # default, off for library callers, whose rules may differ from the code on disk
    parse_cache: ParseCache | None = None  # files parsed by the caller's previous run
    jobs: int = 1  # processes for the unit rules on a large tree (lint/forked.py); the CLI
    # gives the CPU count, library callers (the language server has threads) stay in-process


@dataclass
class LintRun:
    """A finished run: the result plus what reporters need to show it."""

    result: LintResult
    root: Path
    project: Project
    workspace: Workspace
    masker: Masker = NO_MASK  # hides secret literals in what reporters draw (source lines)


def lint_paths(
    paths: Sequence[Path], options: LintOptions | None = None, progress: Progress | None = None
) -> LintRun:
    """Lint the given files and directories; raises ConfigError on bad configuration.

    `progress(done, total, label)` is called as files are parsed and as rules run.
    """
    with gc_paused():
        return _lint_paths(paths, options or LintOptions(), progress)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a run builds its trees.

    A run allocates millions of small containers (YMap, YSeq, Loc) and frees almost none of
    them before it ends, so the collector's passes find nothing yet cost about as much as the
    whole lint (N=1000: 17.8 s with them, 6.8 s without). The trees hold no reference cycles;
    a long-lived caller (the language server) collects as usual between runs.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lint_paths(paths: Sequence[Path], options: LintOptions, progress: Progress | None) -> LintRun:
    root = options.root.resolve() if options.root else find_root(paths)
    config = load_config(root, options.config_path)
    if options.kubernetes_version:
        from k8slint.lint.kubernetes import resolve_version

        resolve_version(options.kubernetes_version)  # ConfigError naming the bundled versions
        config = replace(config, kubernetes_version=options.kubernetes_version)
    if options.parse_cache is not None:
        options.parse_cache.new_run()
    project = Project(root, config.max_file_size, options.parse_cache)
    buffers = {_relative(root, path): text for path, text in options.buffers.items()}
    for rel, text in buffers.items():
        project.override(rel, text)
    files = sorted(set(walk(root, excludes=config.exclude)) | set(buffers))
    scopes = [_relative(root, p) for p in paths]
    cache, key = None, ""
    if options.cache:
        from k8slint.lint.cache import RunCache, code_fingerprint, run_key

        cache = RunCache()
        key = run_key(
            [
                code_fingerprint(),
                str(root),
                config,
                options.select,
                options.ignore,
                options.kubernetes_version,
                str(options.config_path),
                scopes,
                files,
                sorted(
                    (rel, hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest())
                    for rel, t in buffers.items()
                ),
            ]
        )
        hit = cache.get(key, root)
        if hit is not None:
            result, literals = hit
            ws = Workspace(project, config, tuple(files))
            return LintRun(result, root, project, ws, Masker(literals))
    from k8slint.lint.mask import secret_masker
    from k8slint.lint.policy import apply_suppressions, within
    from k8slint.lint.suppress import suppressions

    ws = load_workspace(project, config, files, progress)
    enabled = enabled_rules(config, options.select, options.ignore)
    from k8slint.lint.engine import run_rules

    findings, rule_errors = run_rules(ws, enabled, progress, options.jobs)
    written = suppressions(ws.project, {f.loc.path for f in findings})
    findings = apply_suppressions(findings, written, _aliases())
    findings = [f for f in findings if within(f.loc.path, scopes)]
    masker = secret_masker(ws)
    findings = [masker.finding(f) for f in findings]
    # set(): a broken compose file is met by the loader and again by the compose model, and
    # overlays that share a base each repeat the base's build errors
    errors = [masker.error(e) for e in set(ws.errors) if within(e.path, scopes)]
    errors.sort(key=lambda e: (e.path, e.line, e.message))
    in_scope = [f for f in ws.lintable_files() if within(f, scopes)]
    documents = sum(
        len(source.documents)
        for rel in ws.yaml_files()
        if within(rel, scopes) and (source := project.parse(rel)) is not None
    )
    result = LintResult(findings, errors + rule_errors, len(in_scope), documents)
    if cache is not None and not rule_errors:  # a crashed rule is not worth remembering
        from k8slint.lint.cache import Entry
        from k8slint.lint.cache import probe_state as cache_probe

        states = {rel: s for rel, s in project.read_states.items() if rel not in buffers}
        probes = {
            rel: cache_probe(root / rel) for rel in project.probed - set(states) - set(buffers)
        }
        cache.put(Entry(key, states, probes, (result, masker.literals)))
    return LintRun(result, root, project, ws, masker)


def load_workspace(
    project: Project, config: Config, files: Sequence[str], progress: Progress | None = None
) -> Workspace:
    """Parse every YAML/JSON file and group the Kubernetes objects into deployment units.

    Each kustomization that no other kustomization includes is built and linted as one unit;
    the manifests that no build uses form the plain unit.
    """
    from k8slint.lint.model.k8s import K8sObject
    from k8slint.lint.model.workspace import Unit, is_k8s_object, k8s_objects, sorted_units

    ws = Workspace(project, config, tuple(files))
    objects_by_file: dict[str, list[K8sObject]] = {}
    yaml_files = ws.yaml_files()
    for done, rel in enumerate(yaml_files):
        if progress is not None:
            progress(done, len(yaml_files), "parsing")
        source = project.parse(rel)
        if source is None:
            continue
        if source.error is not None:
            ws.errors.append(source.error)
            continue
        objects_by_file[rel] = k8s_objects(source)
    ws.builds = _kustomize_builds(project, files)
    for built in ws.builds:
        ws.errors.extend(built.errors)
    in_builds = frozenset().union(*(b.files for b in ws.builds))
    plain = [obj for rel, objs in objects_by_file.items() if rel not in in_builds for obj in objs]
    units = [Unit("", tuple(plain))]
    units += [
        Unit(b.root, tuple(K8sObject(o) for o in b.objects if is_k8s_object(o)), True, b.files)
        for b in ws.builds
    ]
    ws.units = sorted_units(units)
    return ws


def _kustomize_builds(project: Project, files: Sequence[str]) -> tuple[Build, ...]:
    from k8slint.lint.kustomize import build, find_kustomizations, find_roots, sub_builds

    directories = find_kustomizations(files)
    if not directories:
        return ()
    shared = sub_builds(project, directories)  # overlays listing the same bases build them once
    return tuple(build(project, root, shared) for root in find_roots(project, directories))


def enabled_rules(
    config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[EnabledRule]:
    from k8slint.lint.engine import EnabledRule
    from k8slint.rules import ALL

    aliases = _aliases()
    wanted = {aliases.get(r, r) for r in select}
    dropped = {aliases.get(r, r) for r in ignore}
    unknown = sorted((wanted | dropped) - {m.RULE.id for m in ALL})
    if unknown:
        raise ConfigError(f"unknown rule id(s): {', '.join(unknown)}; see `k8slint rules`")
    known = {m.RULE.id for m in ALL} | set(aliases)
    for rule_id in config.rules:
        if rule_id not in known:
            raise ConfigError(
                f"unknown rule {rule_id!r} under 'rules'; see `k8slint rules`",
                config.path or "",
                config.line_of("rules", rule_id),
            )
    enabled = []
    for module in ALL:
        rule = module.RULE
        setting = config.setting(rule.id)
        if (wanted and rule.id not in wanted) or rule.id in dropped or not setting.enabled:
            continue
        enabled.append(
            EnabledRule(module, setting.severity, _options(module, setting.options, config))
        )
    return enabled


def _options(module: RuleModule, given: Mapping[str, object], config: Config) -> object:
    options_type = getattr(module, "Options", None)
    if options_type is None:
        return None
    names = {
        name.replace("_", "-"): name for name in getattr(options_type, "__dataclass_fields__", {})
    }
    unknown = sorted(set(given) - set(names) - {"severity"})
    if unknown:
        raise ConfigError(
            f"rule {module.RULE.id} has no option(s) {', '.join(unknown)}"
            + (f"; it takes: {', '.join(sorted(names))}" if names else ""),
            config.path or "",
            config.line_of("rules", module.RULE.id, unknown[0]),
        )
    return options_type(**{names[key]: value for key, value in given.items() if key in names})


def _aliases() -> dict[str, str]:
    from k8slint.rules import ALL

    return {alias: m.RULE.id for m in ALL for alias in m.RULE.aliases}


def _relative(root: Path, path: Path) -> str:
    rel = os.path.relpath(path.resolve(), root)
    return "" if rel == "." else Path(rel).as_posix()


__all__ = ["LintError", "LintOptions", "LintRun", "lint_paths"]

"""One lint run: discover, load, build the units, run the rules, apply policy.

The cross-file rules need the whole project, so the run always loads everything under the
project root as context and only then narrows the report to the paths the user named.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from k8slint.lint.config import Config, load_config
from k8slint.lint.discover import find_root, walk
from k8slint.lint.engine import EnabledRule, run_rules
from k8slint.lint.findings import ConfigError, Finding, LintError, LintResult
from k8slint.lint.load import YAML_SUFFIXES, Project
from k8slint.lint.model.k8s import K8sObject
from k8slint.lint.model.workspace import Unit, Workspace, k8s_objects, sorted_units
from k8slint.lint.policy import apply_suppressions, within
from k8slint.lint.rule import RuleModule
from k8slint.lint.suppress import Suppression, annotation_suppressions, comment_suppressions


@dataclass(frozen=True)
class LintOptions:
    config_path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    kubernetes_version: str | None = None
    buffers: Mapping[Path, str] = field(
        default_factory=dict
    )  # file path -> unsaved text (stdin, editor)
    root: Path | None = None  # the project root; found from the paths when None


@dataclass
class LintRun:
    """A finished run: the result plus what reporters need to show it."""

    result: LintResult
    root: Path
    project: Project
    workspace: Workspace


def lint_paths(paths: Sequence[Path], options: LintOptions | None = None) -> LintRun:
    """Lint the given files and directories; raises ConfigError on bad configuration."""
    options = options or LintOptions()
    root = options.root.resolve() if options.root else find_root(paths)
    config = load_config(root, options.config_path)
    if options.kubernetes_version:
        config = replace(config, kubernetes_version=options.kubernetes_version)
    project = Project(root, config.max_file_size)
    buffers = {_relative(root, path): text for path, text in options.buffers.items()}
    for rel, text in buffers.items():
        project.override(rel, text)
    files = sorted(set(walk(root, excludes=config.exclude)) | set(buffers))
    scopes = [_relative(root, p) for p in paths]
    ws = load_workspace(project, config, files)
    enabled = enabled_rules(config, options.select, options.ignore)
    findings, rule_errors = run_rules(ws, enabled)
    findings = apply_suppressions(findings, _suppressions(ws, findings), _aliases())
    findings = [f for f in findings if within(f.loc.path, scopes)]
    errors = [e for e in [*ws.errors, *project.skipped] if within(e.path, scopes)]
    errors.sort(key=lambda e: (e.path, e.line, e.message))
    in_scope = [f for f in ws.lintable_files() if within(f, scopes)]
    documents = sum(
        len(source.documents)
        for rel in ws.yaml_files()
        if within(rel, scopes) and (source := project.parse(rel)) is not None
    )
    result = LintResult(findings, errors + rule_errors, len(in_scope), documents)
    return LintRun(result, root, project, ws)


def load_workspace(project: Project, config: Config, files: Sequence[str]) -> Workspace:
    """Parse every YAML/JSON file and group the Kubernetes objects into deployment units."""
    ws = Workspace(project, config, tuple(files))
    objects: list[K8sObject] = []
    for rel in ws.yaml_files():
        source = project.parse(rel)
        if source is None:
            continue
        if source.error is not None:
            ws.errors.append(source.error)
            continue
        objects.extend(k8s_objects(source))
    ws.units = sorted_units([Unit("", tuple(objects))])
    return ws


def enabled_rules(
    config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[EnabledRule]:
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


def _suppressions(ws: Workspace, findings: Sequence[Finding]) -> list[Suppression]:
    paths = {f.loc.path for f in findings}
    found = []
    for rel in sorted(paths):
        text = ws.project.read_text(rel)
        if text is not None:
            found.extend(comment_suppressions(rel, text))
    found.extend(annotation_suppressions(_source_objects(ws, paths)))
    return found


def _source_objects(ws: Workspace, paths: set[str]) -> list[K8sObject]:
    """Objects as written in their files (not as built), for annotation spans."""
    objects = []
    for rel in sorted(paths):
        if rel.endswith((*YAML_SUFFIXES, ".json")):
            source = ws.project.parse(rel)
            if source is not None:
                objects.extend(k8s_objects(source))
    return objects


def _relative(root: Path, path: Path) -> str:
    rel = os.path.relpath(path.resolve(), root)
    return "" if rel == "." else Path(rel).as_posix()


__all__ = ["LintError", "LintOptions", "LintRun", "lint_paths"]

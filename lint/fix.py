"""Apply the fixes rules attach to their findings: `k8slint --fix` and `--unsafe-fixes`.

A fix is data: `Edit(loc, text)` spans that replace a scalar's exact text or insert text at
a point (`lint/findings.py`). They are applied as text edits, not by loading the file with
ruamel.yaml's round trip, modifying the tree and dumping it again. A dump re-emits the whole
file: it normalises sequence indentation to one style, re-wraps long scalars, may change quoting
and moves some comments; a span edit leaves every byte outside the span as written, so the diff
is exactly the lines the fix meant to change. The round trip still guards each write: the edited
text of a YAML file must load with ruamel.yaml (`typ="rt"`, the loader that keeps comments and
layout) or the file is left untouched and the fix reported as failed. Where a fix adds structure
(an `imagePullSecrets:` block) the rule computes the inserted lines from the indentation around
them, the one thing a dump would otherwise decide.

Each pass lints, picks the fixes (safe ones; all with `unsafe`), drops a fix that overlaps one
already taken (its finding comes back in the next pass if it still applies), writes each touched
file atomically (a temporary file in the same directory, fsync, `os.replace`, the mode kept),
and lints again; it stops when a pass changes nothing or after `MAX_PASSES`.
"""

from __future__ import annotations

import stat
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from k8slint.lint.atomic import replace_file
from k8slint.lint.findings import Finding, Fix
from k8slint.lint.locate import Edit, Loc, line_offsets
from k8slint.lint.runner import LintOptions, LintRun, lint_paths

MAX_PASSES = 4
"""A fix may reveal another finding (or conflict with one taken first); a few passes settle it."""

_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class FixReport:
    """What `fix_paths` did: the final lint run, and the fixes applied or given up."""

    run: LintRun
    fixed: int = 0
    files: list[str] = field(default_factory=list)  # root-relative paths written, sorted
    problems: list[str] = field(default_factory=list)  # fixes that could not be applied

    def summary(self, unsafe: bool) -> str:
        remaining = len(self.run.result.findings)
        text = f"Fixed {self.fixed} finding{'s' * (self.fixed != 1)} ({remaining} remaining)"
        hidden = sum(1 for f in self.run.result.findings if f.fix and not f.fix.safe)
        if hidden and not unsafe:
            text += f"; {hidden} more fixable with --unsafe-fixes"
        return text


def fix_paths(
    paths: Sequence[Path], options: LintOptions | None = None, *, unsafe: bool = False
) -> FixReport:
    """Lint `paths`, apply the fixes of the findings, repeat; return the last run."""
    options = options or LintOptions()
    if options.buffers:
        raise ValueError("fixing writes files; it cannot work on unsaved buffers")
    run = lint_paths(paths, options)
    report = FixReport(run)
    written: set[str] = set()
    problems: dict[str, None] = {}  # ordered, without repeats across passes
    for _pass in range(MAX_PASSES):
        chosen, _conflicts = choose_fixes(f.fix for f in run.result.findings if _wanted(f, unsafe))
        applied, failed = _apply(run, chosen)
        problems.update(dict.fromkeys(failed))
        if not applied:
            break
        report.fixed += len(applied)
        written.update(edit.loc.path for fix in applied for edit in fix.edits)
        run = lint_paths(paths, options)  # conflicting fixes come back here if still needed
        report.run = run
    report.files = sorted(written)
    report.problems = list(problems)
    return report


def _wanted(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and bool(finding.fix.edits) and (finding.fix.safe or unsafe)


def choose_fixes(fixes: Iterable[Fix | None]) -> tuple[list[Fix], list[str]]:
    """The fixes that can be applied together, in order; the titles of those left out.

    A fix applies whole or not at all. Edits identical to one already taken are shared (two
    containers of one pod missing the same pull secret get one `imagePullSecrets:`); a fix with
    an edit that overlaps a different one taken earlier waits for the next pass.
    """
    taken: dict[str, list[Edit]] = defaultdict(list)
    chosen: list[Fix] = []
    conflicts: list[str] = []
    for fix in fixes:
        if fix is None:
            continue
        if any(_overlaps(edit, other) for edit in fix.edits for other in taken[edit.loc.path]):
            conflicts.append(fix.title)
            continue
        for edit in fix.edits:
            if edit not in taken[edit.loc.path]:
                taken[edit.loc.path].append(edit)
        chosen.append(fix)
    return chosen, conflicts


def _overlaps(a: Edit, b: Edit) -> bool:
    if a == b:
        return False
    a_start, a_end = (a.loc.line, a.loc.col), (a.loc.end_line, a.loc.end_col)
    b_start, b_end = (b.loc.line, b.loc.col), (b.loc.end_line, b.loc.end_col)
    if a_start == a_end == b_start == b_end:
        return True  # two different insertions at one point: their order would be a guess
    return (a_start < b_end and b_start < a_end) or a_start == b_start


def _apply(run: LintRun, fixes: Sequence[Fix]) -> tuple[list[Fix], list[str]]:
    """Write the edits of `fixes` file by file; the fixes applied, and the problems met.

    Every file is prepared before any is written, so that a fix spanning two files is applied
    in both or in neither.
    """
    failed: dict[str, str] = {}
    while True:
        applied = [f for f in fixes if not any(e.loc.path in failed for e in f.edits)]
        by_path: dict[str, list[Edit]] = defaultdict(list)
        for fix in applied:
            for edit in fix.edits:
                if edit not in by_path[edit.loc.path]:
                    by_path[edit.loc.path].append(edit)
        prepared: dict[str, str] = {}
        for rel, edits in sorted(by_path.items()):
            outcome = _prepare(run, rel, edits)
            if isinstance(outcome, _Problem):
                failed[rel] = outcome.reason
            else:
                prepared[rel] = outcome
        if len(prepared) == len(by_path):
            break
    for rel, text in prepared.items():
        write_atomic(run.root / rel, text)
    return applied, [f"{rel}: {reason}" for rel, reason in sorted(failed.items())]


@dataclass(frozen=True)
class _Problem:
    reason: str


def _prepare(run: LintRun, rel: str, edits: Sequence[Edit]) -> str | _Problem:
    """The new text of one file (a UTF-8 BOM kept), or why it must be left alone."""
    if not run.project.inside(rel):
        return _Problem("outside the project root")
    try:
        data = (run.root / rel).read_bytes()
    except OSError as exc:
        return _Problem(f"cannot read: {exc.strerror or exc}")
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        return _Problem("not UTF-8 text")
    if text != run.project.read_text(rel):
        return _Problem("changed on disk since it was linted")
    try:
        fixed = apply_edits(text, edits)
    except ValueError as exc:
        return _Problem(str(exc))
    if rel.endswith(_YAML_SUFFIXES) and not _loads(fixed) and _loads(text):
        return _Problem("the fixed text would not be valid YAML; left unchanged")
    return ("\ufeff" if bom else "") + fixed


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """`text` with non-overlapping `edits` applied (1-based line/column spans, end exclusive)."""
    starts = line_offsets(text)
    spans = sorted(
        ((_offset(text, starts, e.loc, end=False), _offset(text, starts, e.loc, end=True), e.text))
        for e in edits
    )
    out: list[str] = []
    position = 0
    for start, end, new in spans:
        if start < position or end < start:
            raise ValueError("overlapping edits")
        out += [text[position:start], new]
        position = end
    out.append(text[position:])
    return "".join(out)


def _offset(text: str, starts: Sequence[int], loc: Loc, *, end: bool) -> int:
    line, col = (loc.end_line, loc.end_col) if end else (loc.line, loc.col)
    if not 1 <= line <= len(starts):
        raise ValueError(f"edit at {loc} is past the end of the file")
    first = starts[line - 1]
    stop = starts[line] if line < len(starts) else len(text)
    offset = first + col - 1
    if col < 1 or offset > stop:
        raise ValueError(f"edit at {loc} is past the end of its line")
    return offset


def _loads(text: str) -> bool:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        for _document in YAML(typ="rt").load_all(text):
            pass
    except YAMLError:
        return False
    return True


def write_atomic(path: Path, text: str) -> None:
    """Replace a user's file by `text`, durably and with its permission bits kept."""
    replace_file(path, text.encode("utf-8"), mode=stat.S_IMODE(path.stat().st_mode), durable=True)

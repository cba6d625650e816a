"""When the progress bar is drawn (the decision, not the drawing) and what the runner reports."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

import pytest

from k8slint.lint import forked
from k8slint.lint.progress import LARGE_TREE, ProgressBar, progress_allowed
from k8slint.lint.runner import LintOptions, lint_paths
from tests.ci_repo import grafana_repo


@pytest.mark.parametrize(
    ("fmt", "tty", "environ", "allowed"),
    [
        ("text", True, {}, True),
        ("text", True, {"CI": "false"}, True),
        ("text", True, {"CI": "0"}, True),
        ("text", True, {"TERM": "xterm-256color"}, True),
        ("text", True, {"CI": "true"}, False),  # GitHub Actions, GitLab CI, CircleCI, ...
        ("text", True, {"CI": "1"}, False),
        ("text", True, {"TERM": "dumb"}, False),
        ("text", False, {}, False),  # a pipe or a file
        ("json", True, {}, False),
        ("sarif", True, {}, False),
        ("github", True, {}, False),
        ("junit", True, {}, False),
    ],
)
def test_progress_allowed(fmt: str, tty: bool, environ: dict[str, str], allowed: bool) -> None:
    assert progress_allowed(fmt, tty, environ) is allowed


def test_bar_starts_only_for_a_large_tree() -> None:
    small = ProgressBar(io.StringIO())
    for done in range(LARGE_TREE):
        small(done, LARGE_TREE, "parsing")
    small(0, 5000, "checking")  # a later phase's total does not change the decision
    small.close()
    assert not small.started

    out = io.StringIO()
    large = ProgressBar(out)
    large(0, LARGE_TREE + 1, "parsing")
    large(0, 12, "checking")
    large(12, 12, "checking")
    assert large.started
    large.close()


def test_runner_reports_parsing_then_checking(tmp_path: Path) -> None:
    repo = grafana_repo(tmp_path / "repo", git=False)
    calls: list[tuple[int, int, str]] = []
    run = lint_paths([repo], LintOptions(root=repo), progress=lambda *c: calls.append(c))
    parsing = [c for c in calls if c[2] == "parsing"]
    checking = [c for c in calls if c[2] == "checking"]
    assert calls == parsing + checking
    assert parsing == [(0, 2, "parsing"), (1, 2, "parsing")]  # the two provisioning files
    rules = checking[0][1]
    assert checking == [(done, rules, "checking") for done in range(rules + 1)]
    without = lint_paths([repo], LintOptions(root=repo))
    assert run.result.findings == without.result.findings  # the same result either way
    assert len(run.result.findings) == 1


def test_the_bar_draws_without_a_thread_so_a_run_may_fork() -> None:
    """rich redraws from a thread of its own by default; a thread at fork time can leave a lock
    held forever in the child, so with one running, `forked.available()` turns forking off."""
    before = threading.active_count()
    bar = ProgressBar(io.StringIO())
    try:
        bar(0, LARGE_TREE + 1, "parsing")
        bar(LARGE_TREE + 1, LARGE_TREE + 1, "parsing")
        assert bar.started
        assert threading.active_count() == before
    finally:
        bar.close()


def test_no_fork_while_another_thread_runs() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("forked rule runs are Linux-only")
    assert forked.available()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.available()
    finally:
        stop.set()
        thread.join()
    assert forked.available()

"""Helpers of the hostile-input suite: a tiny repo with one healthy file beside the hostile one.

The healthy file has a known finding (a duplicated ConfigMap key), so every test can show that
the hostile file did not stop the others from being linted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from k8slint.lint.runner import LintRun
from tests.conftest import lint_repo

HEALTHY = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "1"\n  a: "2"\n'
HEALTHY_FINDING = ("duplicate-key", "k8s/app.yaml", 7, 3)


def make_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (text or bytes) and the healthy manifest under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in {"k8s/app.yaml": HEALTHY, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def lint_ok(repo: Path) -> LintRun:
    """Lint `repo`; the healthy file's finding is there and no rule crashed."""
    run = lint_repo(repo)
    found = [(f.rule, f.loc.path, f.loc.line, f.loc.col) for f in run.result.findings]
    assert HEALTHY_FINDING in found, found
    crashed = [e for e in run.result.errors if "crashed" in e.message]
    assert crashed == []
    return run


def errors_of(run: LintRun, path: str) -> list[str]:
    return [e.message for e in run.result.errors if e.path == path]


def run_cli(
    args: list[str], cwd: Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`k8slint ARGS` in a fresh interpreter: a segfault or a hang cannot take pytest down."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from k8slint.lint.cli import run; run()",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )

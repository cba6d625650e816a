"""Helpers for the tests that run k8slint the way CI and pre-commit do: a small git repository
with one real error, and a check for the network those installs need."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

DATASOURCES = "grafana/provisioning/datasources"
PROMETHEUS = """\
apiVersion: 1
datasources:
  - name: Prometheus
    type: prometheus
    url: http://prometheus:9090
    isDefault: true
"""
LOKI_DEFAULT = """\
apiVersion: 1
datasources:
  - name: Loki
    type: loki
    url: http://loki:3100
    isDefault: true
"""
LOKI_FIXED = LOKI_DEFAULT.replace("isDefault: true", "isDefault: false")
LOKI_FILE = f"{DATASOURCES}/02-loki.yaml"


def grafana_repo(root: Path, *, git: bool = True) -> Path:
    """A repository where two provisioning files both claim the default datasource: the
    `duplicate-default-datasource` error at 02-loki.yaml:6:16."""
    (root / DATASOURCES).mkdir(parents=True)
    (root / DATASOURCES / "01-prometheus.yaml").write_text(PROMETHEUS, encoding="utf-8")
    (root / LOKI_FILE).write_text(LOKI_DEFAULT, encoding="utf-8")
    (root / "README.md").write_text("# not linted\n", encoding="utf-8")
    if git:
        run_git(root, "init", "--quiet", "--initial-branch=main")
        run_git(root, "config", "user.email", "test@example.com")
        run_git(root, "config", "user.name", "test")
        run_git(root, "config", "commit.gpgsign", "false")
        run_git(root, "add", "--all")
        run_git(root, "commit", "--quiet", "--message", "init")
    return root


def run_git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60
    )
    return done.stdout


def pypi_reachable() -> bool:
    """Installing k8slint into a fresh environment downloads its dependencies from PyPI."""
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
    except OSError:
        return False
    return True


def snapshot(checkout: Path, dest: Path) -> Path:
    """Copy the checkout's working tree (tracked and untracked files, not ignored ones) to `dest`
    and commit it there, so that installs build from a clean, committed copy and never write
    build/ or *.egg-info into the checkout. Fixed dates give the same commit for the same tree."""
    listed = run_git(checkout, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in sorted(set(filter(None, listed.split("\0")))):
        source = checkout / rel
        if source.is_file() and not source.is_symlink():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    run_git(dest, "init", "--quiet", "--initial-branch=main")
    run_git(dest, "add", "--all")
    run_git(
        dest,
        "-c", "user.email=test@example.com", "-c", "user.name=test", "-c", "commit.gpgsign=false",
        "commit", "--quiet", "--message", "snapshot", "--date", "2000-01-01T00:00:00Z",
    )  # fmt: skip
    return dest

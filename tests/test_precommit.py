"""The pre-commit hook (.pre-commit-hooks.yaml), validated and run by the real pre-commit.

`pre-commit try-repo PATH` installs the hook from PATH's HEAD commit; with uncommitted changes
it commits only tracked, modified and staged files to a shadow clone (pre_commit/commands/
try_repo.py: `git add -u`), so untracked files would be left out, and it installs into a fresh
store every time (PRE_COMMIT_HOME is not used). The test therefore commits a snapshot of this
checkout's working tree to a temporary repository and tries the hook from there: the same on a
developer's tree and on a clean clone in CI. Each install fetches k8slint's dependencies from
PyPI (about a minute); the test is skipped when PyPI cannot be reached.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci_repo import LOKI_FILE, LOKI_FIXED, grafana_repo, pypi_reachable, run_git, snapshot

CHECKOUT = Path(__file__).resolve().parents[1]
HOOKS = CHECKOUT / ".pre-commit-hooks.yaml"


def _hook() -> dict[str, Any]:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hook, dict)
    return hook


def _pre_commit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(cwd.parent / "pre-commit-home")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_manifest_is_valid_and_runs_serially_on_the_given_files() -> None:
    pytest.importorskip("pre_commit")
    done = _pre_commit(CHECKOUT, "validate-manifest", str(HOOKS))
    assert done.returncode == 0, done.stdout + done.stderr
    hook = _hook()
    assert (hook["id"], hook["language"], hook["entry"]) == ("k8slint", "python", "k8slint check")
    assert hook["require_serial"] is True
    assert hook["pass_filenames"] is True


@pytest.mark.parametrize(
    ("path", "linted"),
    [
        ("k8s/deployment.yaml", True),
        ("k8s/deployment.yml", True),
        ("dashboards/datasources.json", True),
        ("docker-compose.yml", True),
        ("compose.override.yaml", True),
        ("overlays/prod/kustomization.yaml", True),
        ("overlays/prod/Kustomization", True),
        ("Kustomization", True),
        (".env", True),
        ("deploy/.env.production", True),
        ("overlays/prod/app.env", True),
        ("src/main/resources/application.properties", True),
        ("app/main.py", True),
        ("web/server.js", True),
        ("web/server.mjs", True),
        ("web/server.cjs", True),
        ("web/src/app.ts", True),
        ("web/src/app.mts", True),
        ("cmd/api/main.go", True),
        ("src/main/java/App.java", True),
        ("src/main/kotlin/App.kt", True),
        ("README.md", False),
        ("Dockerfile", False),
        ("Makefile", False),
        ("kustomization", False),
        ("docs/Kustomization.md", False),
        ("environment.sh", False),
        ("web/app.tsx", False),
        ("k8s/deployment.yaml.orig", False),
    ],
)
def test_files_pattern(path: str, linted: bool) -> None:
    assert bool(re.search(_hook()["files"], path)) is linted  # pre-commit uses re.search


@pytest.mark.network
def test_try_repo_fails_on_a_finding_and_passes_once_fixed(tmp_path: Path) -> None:
    if not pypi_reachable():
        pytest.skip("pre-commit installs k8slint and its dependencies from PyPI")
    pytest.importorskip("pre_commit")
    hooks = snapshot(CHECKOUT, tmp_path / "hooks")
    repo = grafana_repo(tmp_path / "repo")

    failed = _pre_commit(repo, "try-repo", str(hooks), "k8slint", "--all-files", "--color=never")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "k8slint..." in output and "Failed" in output
    assert (
        f"{LOKI_FILE}:6:16: error[duplicate-default-datasource] datasource 'Loki' is a second "
        "default in org 1"
    ) in output
    assert "- exit code: 1" in output, output  # a finding, not a crash or a bad input (2)

    # Staged-files mode, as in `git commit`: only the fixed file is passed, and it is clean.
    (repo / LOKI_FILE).write_text(LOKI_FIXED, encoding="utf-8")
    run_git(repo, "add", LOKI_FILE)
    passed = _pre_commit(repo, "try-repo", str(hooks), "k8slint", "--color=never")
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert re.search(r"^k8slint\.+Passed$", output, re.MULTILINE), output


def test_readme_config_names_the_hook() -> None:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n# \.pre-commit-config\.yaml\n(.*?)```", readme, re.DOTALL)
    assert block
    (repo,) = yaml.safe_load(block.group(1))["repos"]
    assert repo["repo"] == "https://github.com/k8slint/k8slint"
    assert [hook["id"] for hook in repo["hooks"]] == [_hook()["id"]]

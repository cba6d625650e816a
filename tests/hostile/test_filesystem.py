"""Hostile file-system entries: links, loops, special files, unreadable and oversized files."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from k8slint.lint.discover import walk
from k8slint.lint.load import Project
from k8slint.lint.runner import LintOptions, lint_paths
from tests.conftest import lint_repo
from tests.hostile._repo import HEALTHY, errors_of, lint_ok, make_repo, run_cli

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
is_root = hasattr(os, "geteuid") and os.geteuid() == 0


@needs_symlinks
def test_symlink_loops_end(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {})
    (repo / "k8s" / "self.yaml").symlink_to("self.yaml")  # ELOOP
    (repo / "k8s" / "a.yaml").symlink_to("b.yaml")
    (repo / "k8s" / "b.yaml").symlink_to("a.yaml")
    (repo / "k8s" / "up").symlink_to("..", target_is_directory=True)  # a directory cycle
    (repo / "k8s" / "here").symlink_to(".", target_is_directory=True)
    assert list(walk(repo)) == ["k8s/app.yaml"]
    assert lint_ok(repo).result.errors == []


@needs_symlinks
def test_symlinks_out_of_the_root_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_repo(outside, {"k8s/secret.yaml": HEALTHY})
    repo = make_repo(tmp_path / "repo", {})
    (repo / "k8s" / "linked.yaml").symlink_to(outside / "k8s" / "secret.yaml")
    (repo / "linked-dir").symlink_to(outside / "k8s", target_is_directory=True)
    (repo / "parent").symlink_to(tmp_path, target_is_directory=True)
    (repo / "kustomization.yaml").write_text("resources:\n  - k8s/linked.yaml\n")
    assert sorted(walk(repo)) == ["k8s/app.yaml", "kustomization.yaml"]
    project = Project(repo)
    assert project.read_text("k8s/linked.yaml") is None
    assert project.read_text("linked-dir/secret.yaml") is None
    assert project.read_text("../outside/k8s/secret.yaml") is None
    run = lint_ok(repo)
    assert {f.loc.path for f in run.result.findings} == {"k8s/app.yaml"}


@needs_symlinks
def test_symlinks_inside_the_root_are_listed_under_their_real_names(tmp_path: Path) -> None:
    """`alias -> k8s` sorts first: the file must still be linted (and reported) as k8s/app.yaml,
    the name pre-commit passes, and only once."""
    repo = make_repo(tmp_path, {})
    (repo / "alias").symlink_to("k8s", target_is_directory=True)
    (repo / "k8s" / "also.yaml").symlink_to("app.yaml")
    assert list(walk(repo)) == ["k8s/app.yaml"]
    run = lint_repo(repo)
    assert [(f.rule, f.loc.path) for f in run.result.findings] == [
        ("duplicate-key", "k8s/app.yaml")
    ]
    scoped = lint_paths([repo / "k8s" / "app.yaml"], LintOptions(root=repo))
    assert [f.loc.path for f in scoped.result.findings] == ["k8s/app.yaml"]
    assert Project(repo).read_text("alias/app.yaml") == HEALTHY  # kustomize may name it so


@needs_fifo
def test_fifos_are_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: in a subprocess with a timeout."""
    repo = make_repo(tmp_path, {})
    os.mkfifo(repo / "k8s" / "pipe.yaml")
    os.mkfifo(repo / "kustomization.yaml")
    os.mkfifo(repo / "main.py")
    assert list(walk(repo)) == ["k8s/app.yaml"]
    project = Project(repo)
    assert project.read_text("k8s/pipe.yaml") is None  # would block forever if it opened it
    assert project.parse("kustomization.yaml") is None
    out = run_cli(["--format", "json", ".", "k8s/pipe.yaml"], cwd=repo, timeout=60)
    assert out.returncode == 1, out.stderr
    assert [f["file"] for f in json.loads(out.stdout)["findings"]] == ["k8s/app.yaml"]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no UNIX sockets")
def test_unix_sockets_are_skipped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {})
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(repo / "k8s" / "agent.yaml"))
        assert list(walk(repo)) == ["k8s/app.yaml"]
        assert Project(repo).parse("k8s/agent.yaml") is None
        lint_ok(repo)
    finally:
        server.close()


def test_unreadable_files(tmp_path: Path) -> None:
    """chmod 000: an error for a YAML file, silence for an app source. Root reads anything
    (CI runs as root), so there the files are simply linted; both outcomes are checked."""
    repo = make_repo(tmp_path, {"k8s/locked.yaml": HEALTHY, "app/locked.py": "import os\n"})
    (repo / "k8s" / "locked.yaml").chmod(0)
    (repo / "app" / "locked.py").chmod(0)
    locked_dir = repo / "k8s" / "private"
    locked_dir.mkdir()
    (locked_dir / "x.yaml").write_text(HEALTHY)
    locked_dir.chmod(0)
    try:
        run = lint_ok(repo)
        if is_root:
            assert errors_of(run, "k8s/locked.yaml") == []
        else:
            assert errors_of(run, "k8s/locked.yaml") == ["cannot read: Permission denied"]
            assert errors_of(run, "app/locked.py") == []
            assert "k8s/private/x.yaml" not in {f.loc.path for f in run.result.findings}
    finally:
        locked_dir.chmod(0o755)


def test_files_over_the_size_limit_are_skipped_with_an_info(tmp_path: Path) -> None:
    big = HEALTHY + "".join(f"  k{i}: v\n" for i in range(200))
    repo = make_repo(
        tmp_path,
        {
            ".k8slint.yaml": "max-file-size: 1KB\n",
            "k8s/big.yaml": big,
            "app/big.py": "x = 1\n" * 300,
            "docs/big.png": b"\x89PNG" + b"\x00" * 5000,  # not a file k8slint reads: silent
        },
    )
    run = lint_ok(repo)
    assert run.result.errors == []
    infos = [(f.rule, f.severity.value, f.loc.path) for f in run.result.findings]
    assert ("file-skipped", "info", "app/big.py") in infos
    assert ("file-skipped", "info", "k8s/big.yaml") in infos
    assert "docs/big.png" not in {path for _r, _s, path in infos}
    assert not any(
        f.loc.path == "k8s/big.yaml" and f.rule != "file-skipped" for f in run.result.findings
    )
    out = run_cli(["--format", "json", "."], cwd=repo)
    assert out.returncode == 1, out.stderr  # the duplicate key; the infos alone would give 0
    report = json.loads(out.stdout)
    assert report["errors"] == []
    assert report["summary"]["infos"] == 2

"""The same input gives byte-identical JSON across runs, hash seeds, and sequential (`--jobs 1`)
or parallel (`--jobs 2`: units shared with a forked child, lint/engine.py) rule runs."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from k8slint.lint import engine, forked
from k8slint.lint.runner import lint_paths
from tests.conftest import CORPUS
from tests.hostile._repo import run_cli

FIXTURES = Path(__file__).parents[1] / "fixtures"
CORPUS_SUBSET = (
    "GoogleCloudPlatform__microservices-demo",  # kustomize components, many manifests
    "docker__awesome-compose",  # compose files, app sources
    "fluxcd__flux2-kustomize-helm-example",  # overlays
    "stefanprodan__dockprom",  # compose and Grafana provisioning
)
JOBS = ("1", "2")
SYNTH = Path(__file__).parents[2] / "bench" / "synth.py"


def _json(tree: Path, seed: str, jobs: str) -> str:
    out = run_cli(
        ["--format", "json", "--fail-on", "info", "--no-cache", "--jobs", jobs, "."],
        cwd=tree,
        timeout=600,
        env={"PYTHONHASHSEED": seed},
    )
    assert out.returncode in (0, 1, 2), out.stderr
    assert "internal error" not in out.stderr
    return out.stdout


def _assert_stable(tree: Path) -> None:
    runs = [_json(tree, seed, jobs) for jobs in JOBS for seed in ("0", "1", "4242")]
    assert json.loads(runs[0])["findings"], "a tree with findings, or the comparison proves little"
    for other in runs[1:]:
        assert other == runs[0]


def test_all_fixtures_as_one_tree(tmp_path: Path) -> None:
    tree = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, tree, symlinks=True)
    _assert_stable(tree)


def test_a_corpus_subset(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    tree = tmp_path / "corpus"
    for name in CORPUS_SUBSET:
        if (CORPUS / name).is_dir():
            shutil.copytree(CORPUS / name, tree / name, symlinks=True)
    _assert_stable(tree)


@pytest.mark.skipif(not forked.available(), reason="forked rule runs are Linux-only")
def test_a_tree_large_enough_to_fork(tmp_path: Path) -> None:
    """The benchmark's repository at a size whose overlays each hold enough objects for a
    child process, so `--jobs 2` really shares the units out."""
    spec = importlib.util.spec_from_file_location("synth", SYNTH)
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    apps = engine.MIN_FORKED_OBJECTS // 8 + 5  # about 8 objects per app in each overlay
    synth.write_repo(tmp_path / "synth", apps)
    units = lint_paths([tmp_path / "synth"]).workspace.units
    assert len(engine._share_units(units, 2)) == 2, "no unit was shared out: nothing is tested"
    _assert_stable(tmp_path / "synth")

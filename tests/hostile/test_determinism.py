"""The same input gives byte-identical JSON across runs and hash seeds.

The runner has no parallel mode yet; when one appears behind K8SLINT_JOBS, both the default and
K8SLINT_JOBS=1 are compared here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from k8slint.lint import runner
from tests.conftest import CORPUS
from tests.hostile._repo import run_cli

FIXTURES = Path(__file__).parents[1] / "fixtures"
CORPUS_SUBSET = (
    "GoogleCloudPlatform__microservices-demo",  # kustomize components, many manifests
    "docker__awesome-compose",  # compose files, app sources
    "fluxcd__flux2-kustomize-helm-example",  # overlays
    "stefanprodan__dockprom",  # compose and Grafana provisioning
)
JOBS = [None] + (["1"] if "K8SLINT_JOBS" in Path(runner.__file__).read_text() else [])


def _json(tree: Path, seed: str, jobs: str | None) -> str:
    env = {"PYTHONHASHSEED": seed}
    if jobs is not None:
        env["K8SLINT_JOBS"] = jobs
    out = run_cli(["--format", "json", "--fail-on", "info", "."], cwd=tree, timeout=600, env=env)
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

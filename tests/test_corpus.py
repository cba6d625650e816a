"""k8slint over ../shared/corpus (18 real repositories): no crash, and no unreviewed finding.

tests/corpus_findings.yaml lists every finding k8slint reports there, each with a one-line
judgement. A new finding fails this test until someone judges it: a true positive is added to
the list, a false positive is fixed in the rule (never special-cased for the corpus).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from k8slint.lint.runner import LintRun
from tests.conftest import CORPUS, lint_repo

REVIEWED = Path(__file__).parent / "corpus_findings.yaml"
BROKEN_UPSTREAM = {  # invalid YAML in the upstream repository (../shared/corpus/SOURCES.md)
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/configuring-the-gateway/llm-gateway.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/configuring-the-gateway/llm-httproute.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/hdml-static-pv-pvc.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/llm-service.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/producer-job.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/vllm-gemma-deployment.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/vllm-llama3-8b-instruct.yaml",
}


@cache
def _run() -> LintRun:
    return lint_repo(CORPUS)


@pytest.fixture
def run(corpus: Path) -> LintRun:
    return _run()


def test_only_really_broken_files_are_errors(run: LintRun) -> None:
    assert {e.path for e in run.result.errors} == BROKEN_UPSTREAM
    assert all(e.line > 0 for e in run.result.errors)


def test_every_finding_is_reviewed(run: LintRun) -> None:
    reviewed = YAML(typ="safe").load(REVIEWED) or []
    want = sorted((r["rule"], r["file"], r["line"]) for r in reviewed)
    got = sorted((f.rule, f.loc.path, f.loc.line) for f in run.result.findings)
    assert got == want
    assert all(r.get("judgement") for r in reviewed), "every finding carries a judgement"

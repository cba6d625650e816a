"""Shared test helpers: lint a directory as its own project root."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8slint.lint.runner import LintOptions, LintRun, lint_paths

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def lint_repo(repo: Path, **options: object) -> LintRun:
    """Lint `repo` as a project of its own (the checkout's .git must not make it a subfolder)."""
    return lint_paths([repo], LintOptions(root=repo, **options))  # type: ignore[arg-type]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS

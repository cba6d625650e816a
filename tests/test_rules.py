"""Every fixture case: the findings on bad*/ at their exact file, line and column; good*/ clean.

tests/fixtures/<rule-id>/expected.yaml lists, per case directory, every finding of every rule
in report order; a fixed twin's empty list is the false-positive guard.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _pytest.mark import ParameterSet
from ruamel.yaml import YAML

from tests.conftest import lint_repo

FIXTURES = Path(__file__).parent / "fixtures"


def _cases() -> Iterator[ParameterSet]:
    for spec in sorted(FIXTURES.glob("*/expected.yaml")):
        for case, expected in YAML(typ="safe").load(spec).items():
            yield pytest.param(spec.parent / case, expected or [], id=f"{spec.parent.name}/{case}")


@pytest.mark.parametrize(("repo", "expected"), list(_cases()))
def test_fixture(repo: Path, expected: list[dict[str, Any]]) -> None:
    result = lint_repo(repo).result
    assert result.errors == []
    got = [(f.rule, f.loc.path, f.loc.line, f.loc.col) for f in result.findings]
    assert got == [(e["rule"], e["file"], e["line"], e["col"]) for e in expected]
    for finding, want in zip(result.findings, expected, strict=True):
        assert want.get("message", "") in finding.message

"""The rule catalogue stays complete: modules, docs, fixtures and examples agree.

Each rule module is named after its id, documents itself in fixed sections, has a bad/good
fixture pair that exercises it, and its docstring Example fires while the Use instead, laid
over it, is silent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from k8slint.lint.docs import SECTIONS, explain, option_fields, rules_table, sections
from k8slint.rules import ALL
from tests.conftest import lint_repo

FIXTURES = Path(__file__).parent / "fixtures"
README = Path(__file__).parents[1] / "README.md"
RULE_IDS = [m.RULE.id for m in ALL]
_FILE_BLOCK = re.compile(r"```\w*\n(.*?)```", re.DOTALL)


def _module(rule_id: str):  # type: ignore[no-untyped-def]
    return next(m for m in ALL if m.RULE.id == rule_id)


def test_rules_are_sorted_and_unique() -> None:
    assert sorted(set(RULE_IDS)) == RULE_IDS


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_module_is_named_after_its_id(rule_id: str) -> None:
    assert _module(rule_id).__name__.rsplit(".", 1)[-1] == rule_id.replace("-", "_")


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_docs_have_the_sections_in_order(rule_id: str) -> None:
    rule = _module(rule_id).RULE
    found = [h for h in sections(rule) if h]
    required = [h for h in SECTIONS if h != "Fix safety" or rule.fix != "none"]
    assert found == required, f"{rule_id}: sections {found}, want {required}"
    assert sections(rule)[""], "a one-line summary opens the docstring"
    assert rule_id in explain(rule)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_options_are_documented(rule_id: str) -> None:
    module = _module(rule_id)
    for item in option_fields(getattr(module, "Options", None)):
        assert item.metadata.get("doc"), f"{rule_id} option {item.name} has no doc"
        assert f"`{item.name.replace('_', '-')}`" in explain(module.RULE, module.Options)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_fixture_pairs_that_fire(rule_id: str) -> None:
    spec = FIXTURES / rule_id / "expected.yaml"
    assert spec.is_file(), f"tests/fixtures/{rule_id}/expected.yaml is missing"
    cases = YAML(typ="safe").load(spec)
    dirs = {p.name for p in spec.parent.iterdir() if p.is_dir()}
    assert dirs == set(cases), "every case directory is listed in expected.yaml, and only those"
    bad = [c for c in cases if c.startswith("bad")]
    assert bad, "at least one bad case"
    for case in bad:
        assert "good" + case[3:] in cases, f"{case} has no fixed twin"
        assert any(f["rule"] == rule_id for f in cases[case]), f"{rule_id} does not fire in {case}"
    for case, expected in cases.items():
        if case.startswith("good"):
            assert not any(f["rule"] == rule_id for f in expected or []), f"{case} must be clean"


def _example_files(block: str) -> dict[str, str]:
    files: dict[str, str] = {}
    current = None
    for code in _FILE_BLOCK.findall(block):
        for line in code.splitlines(keepends=True):
            marker = re.match(r"\s*(?:#|//)\s*file:\s*(\S+)", line)
            if marker:
                current = marker.group(1)
                files[current] = ""
            elif current is not None:
                files[current] += line
    return files


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_example_fires_and_use_instead_is_silent(rule_id: str, tmp_path: Path) -> None:
    docs = sections(_module(rule_id).RULE)
    example = _example_files(docs["Example"])
    assert example, "the Example names its files with `# file:` lines"
    for rel, text in example.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    fired = lint_repo(tmp_path).result.findings
    assert any(f.rule == rule_id for f in fired), f"the Example does not trigger {rule_id}"
    for rel, text in _example_files(docs["Use instead"]).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    after = lint_repo(tmp_path).result.findings
    assert not any(f.rule == rule_id for f in after), "the Use instead still triggers the rule"


def test_readme_rules_table_is_current() -> None:
    text = README.read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    assert start in text and end in text
    current = text.split(start, 1)[1].split(end, 1)[0]
    assert current == rules_table([m.RULE for m in ALL]), (
        "README rules table is stale: run `k8slint rules --format markdown` and paste it"
    )

"""Alias bombs are bounded by the node budget; ordinary anchors, aliases and merge keys work."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8slint.lint import yamlpos
from k8slint.lint.yamlpos import YamlError, parse_documents
from tests.hostile._repo import errors_of, lint_ok, make_repo


def billion_laughs(levels: int = 9, fan: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * fan) + "]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_an_error_for_that_file(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path, {"k8s/bomb.yaml": billion_laughs(), "compose.yaml": billion_laughs()}
    )
    run = lint_ok(repo)
    for path in ("k8s/bomb.yaml", "compose.yaml"):
        (message,) = set(errors_of(run, path))  # compose.yaml's is listed twice: see below
        assert "YAML bomb" in message
    lines = {e.path: e.line for e in run.result.errors}
    assert lines["k8s/bomb.yaml"] > 0  # points into the file


def test_a_broken_compose_file_is_reported_once(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"compose.yaml": billion_laughs()})
    assert len(errors_of(lint_ok(repo), "compose.yaml")) == 1


def test_the_node_budget_is_what_bounds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    text = billion_laughs(levels=4)  # ~66,000 nodes once expanded
    ((document,), _) = parse_documents(text, "ok.yaml")
    assert document.root["a4"][8][8][8][8][8] == "lol"
    assert document.root["a4"][0] is document.root["a4"][8]  # aliases share, never copy
    monkeypatch.setattr(yamlpos, "MAX_EXPANDED_NODES", 50_000)
    with pytest.raises(YamlError, match="past 50,000 extra nodes"):
        parse_documents(text, "bomb.yaml")


def test_the_budget_is_per_file_not_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules walk every document: many documents just under a per-document budget would take
    minutes to lint, so the budget is the whole file's."""
    monkeypatch.setattr(yamlpos, "MAX_EXPANDED_NODES", 10_000)
    doc = "a: &a [" + ", ".join(["x"] * 100) + "]\nb: [" + ", ".join(["*a"] * 60) + "]\n"
    parse_documents(doc, "one.yaml")  # 6,100 nodes: fine alone
    with pytest.raises(YamlError, match="YAML bomb"):
        parse_documents("---\n".join([doc] * 3), "three.yaml")


def test_a_file_without_aliases_is_never_a_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlpos, "MAX_EXPANDED_NODES", 0)
    text = "items:\n" + "".join(f"  - {{name: n{i}, value: {i}}}\n" for i in range(2_000))
    ((document,), _) = parse_documents(text, "big.yaml")
    assert len(document.root["items"]) == 2_000


def test_self_referencing_anchors_are_an_error() -> None:
    for text in ("a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x {<<: *x}\n", "&x [*x, *x, *x, *x]\n"):
        with pytest.raises(YamlError):
            parse_documents(text, "loop.yaml")


COMPOSE = """\
x-common: &common
  restart: unless-stopped
  environment: &env
    LOG_LEVEL: info
    TZ: UTC
  logging:
    driver: json-file

services:
  api:
    <<: *common
    image: acme/api:1.4.2
    environment:
      <<: *env
      LOG_LEVEL: debug
  worker:
    <<: [*common]
    image: acme/worker:1.4.2
    restart: "no"
"""


def test_compose_anchors_and_merge_keys_still_work(tmp_path: Path) -> None:
    ((document,), duplicates) = parse_documents(COMPOSE, "compose.yaml")
    assert duplicates == []
    api, worker = document.root["services"]["api"], document.root["services"]["worker"]
    assert api["restart"] == "unless-stopped" and api["logging"] == {"driver": "json-file"}
    assert api["environment"] == {"LOG_LEVEL": "debug", "TZ": "UTC"}  # explicit keys win
    assert worker["restart"] == "no"  # explicit key over the merged one
    assert worker["environment"] == {"LOG_LEVEL": "info", "TZ": "UTC"}
    assert api.key_loc("image").line == 12
    assert api.value_loc("restart").line == 2  # a merged value points at its anchor's text
    repo = make_repo(tmp_path, {"compose.yaml": COMPOSE})
    assert lint_ok(repo).result.errors == []

"""The loader keeps the position of every key and value, and refuses hostile documents."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest

from k8slint.lint.kustomize.nodes import clone
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YamlError, YMap, YSeq, parse_documents

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: "api:1.0"
          ports: [{containerPort: 8080}]
---
---
kind: ConfigMap
"""


def test_every_key_and_value_has_its_position() -> None:
    documents, duplicates = parse_documents(MANIFEST, "k8s/api.yaml")
    assert duplicates == []
    assert [d.index for d in documents] == [0, 2]  # the empty middle document is skipped
    container = documents[0].root["spec"]["template"]["spec"]["containers"][0]
    assert container.key_loc("image") == Loc("k8s/api.yaml", 10, 11, 10, 16)
    assert container.value_loc("image") == Loc("k8s/api.yaml", 10, 18, 10, 27)
    assert container["image"] == "api:1.0"
    ports = container["ports"]
    assert isinstance(ports, YSeq) and ports.item_loc(0).line == 11
    assert ports[0]["containerPort"] == 8080
    assert documents[0].root["spec"]["template"]["spec"]["containers"].item_loc(0).col == 11


def test_merge_keys_resolve_and_explicit_keys_win() -> None:
    text = """\
x-common: &common
  restart: always
  environment: {A: "1"}
services:
  api:
    <<: *common
    restart: "no"
"""
    (document,), _ = parse_documents(text, "compose.yaml")
    api = document.root["services"]["api"]
    assert api["restart"] == "no"
    assert api["environment"] == {"A": "1"}
    assert api.key_loc("environment").line == 3  # merged keys point at the anchor's definition


def test_duplicate_keys_keep_the_last_and_are_recorded() -> None:
    text = "env:\n  - {name: A}\nenv:\n  - {name: B}\n"
    (document,), duplicates = parse_documents(text, "d.yaml")
    assert document.root["env"][0]["name"] == "B"
    assert [(d.key, d.first.line, d.second.line) for d in duplicates] == [("env", 1, 3)]


def test_scalars_resolve_like_kubernetes_reads_them() -> None:
    text = "a: 1\nb: true\nc: null\nd: 2024-01-01\ne: 1.5\nf: '08'\ng: =\n"
    (document,), _ = parse_documents(text, "s.yaml")
    assert document.root == {
        "a": 1,
        "b": True,
        "c": None,
        "d": "2024-01-01",
        "e": 1.5,
        "f": "08",
        "g": "=",
    }


def test_custom_tags_are_kept() -> None:
    text = "services:\n  web:\n    ports: !override []\n    image: !reset null\n"
    (document,), _ = parse_documents(text, "compose.override.yaml")
    web = document.root["services"]["web"]
    assert web["ports"].tag == "!override"
    assert isinstance(web, YMap) and web.tags == {"ports": "!override", "image": "!reset"}


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    with pytest.raises(YamlError, match="YAML bomb"):
        parse_documents("\n".join(lines) + "\n", "bomb.yaml")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(YamlError):
        parse_documents(text, "deep.yaml")


def test_syntax_errors_carry_the_line() -> None:
    with pytest.raises(YamlError) as caught:
        parse_documents("a: 1\nb: [1, 2\nc: 3\n", "broken.yaml")
    assert caught.value.line == 3


def test_json_is_read_with_positions() -> None:
    (document,), _ = parse_documents(
        '{\n  "kind": "Service",\n  "apiVersion": "v1"\n}\n', "svc.json"
    )
    assert document.root.value_loc("kind") == Loc("svc.json", 2, 11, 2, 20)


HERE = Loc("patch.yaml", 1, 1, 1, 2)


def _positions(value: Any) -> Any:
    """Every Loc of a tree, as plain data."""
    if isinstance(value, YMap):
        items = {k: (value.key_loc(k), value.value_loc(k), _positions(v)) for k, v in value.items()}
        return (value.loc, items)
    if isinstance(value, YSeq):
        return (value.loc, [(value.item_loc(i), _positions(v)) for i, v in enumerate(value)])
    return value


_WRITERS: dict[str, Callable[[YMap], None]] = {
    "set_located": lambda c: c.set_located("image", "api:2.0", HERE, HERE),
    "drop_located": lambda c: c.drop_located("image"),
    "map locate_all_at": lambda c: c.locate_all_at(HERE),
    "append_located": lambda c: c["ports"].append_located({}, HERE),
    "seq set_located": lambda c: c["ports"].set_located(0, {}, HERE),
    "insert_located": lambda c: c["ports"].insert_located(0, {}, HERE),
    "delete_located": lambda c: c["ports"].delete_located(0),
    "clear_located": lambda c: c["ports"].clear_located(),
    "seq locate_all_at": lambda c: c["ports"].locate_all_at(HERE),
}


@pytest.mark.parametrize("writer", _WRITERS.values(), ids=_WRITERS.keys())
def test_copies_share_positions_until_one_of_them_changes(writer: Callable[[YMap], None]) -> None:
    documents, _ = parse_documents(MANIFEST, "k8s/api.yaml")
    original = documents[0].root["spec"]["template"]["spec"]["containers"][0]
    parsed = _positions(original)
    copy = clone(original)
    assert copy.key_locs is original.key_locs  # shared, not copied
    assert copy["ports"].item_locs is original["ports"].item_locs
    copy_of_copy = clone(copy)

    writer(copy)  # a changed copy leaves its source and the other copies alone...
    changed = _positions(copy)
    assert changed != parsed
    assert _positions(original) == parsed
    assert _positions(copy_of_copy) == parsed

    writer(original)  # ...and a changed source leaves its copies alone
    assert _positions(copy) == changed
    assert _positions(copy_of_copy) == parsed

    restored = pickle.loads(pickle.dumps(copy_of_copy))
    writer(restored)
    assert _positions(copy_of_copy) == parsed


def test_remembered_tags_keep_quoted_and_plain_scalars_apart() -> None:
    """The loader remembers each plain scalar's resolved tag; a quoted `'true'` is the same text
    but a string, and must stay one on the second parse as on the first."""
    text = "a: true\nb: 'true'\nc: \"8080\"\nd: 8080\ne: yes\nf: ~\ng: 1.5\n"
    for _ in range(2):
        documents, _duplicates = parse_documents(text, "x.yaml")
        assert documents[0].root == {
            "a": True, "b": "true", "c": "8080", "d": 8080, "e": True, "f": None, "g": 1.5
        }  # fmt: skip

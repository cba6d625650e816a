"""validate_kustomization: the vendored SchemaStore schema, at the failing key or value."""

from __future__ import annotations

from k8slint.lint.kustomize.schema import validate_kustomization
from k8slint.lint.yamlpos import YMap, parse_documents


def _doc(text: str) -> YMap:
    root = parse_documents(text, "k8s/kustomization.yaml")[0][0].root
    assert isinstance(root, YMap)
    return root


def test_unknown_field_sits_on_the_key() -> None:
    found = validate_kustomization(_doc("resource:\n  - web.yaml\nnamePrefix: dev-\n"))
    assert [(loc.line, loc.col) for loc, _ in found] == [(1, 1)]
    assert "unknown field 'resource'" in found[0][1]


def test_wrong_type_sits_on_the_value() -> None:
    found = validate_kustomization(_doc("resources: web.yaml\ncommonLabels:\n  tier: 3\n"))
    assert sorted((loc.line, loc.col) for loc, _ in found) == [(1, 12), (3, 9)]


def test_fields_newer_than_the_schema_and_nulls_are_accepted() -> None:
    text = (
        "resources:\n  - web.yaml\ncomponents:\n"
        "patches:\n  - path: p.yaml\n    options:\n      allowNameChange: true\n"
        "images:\n  - name: web\n    tagSuffix: -dev\n"
        "sortOptions:\n  order: fifo\n"
    )
    assert validate_kustomization(_doc(text)) == []

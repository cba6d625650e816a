"""A kustomization file against the vendored SchemaStore schema (schemas/kustomization.json).

`validate_kustomization(doc)` returns each violation as (Loc, message), the message in the
rules' style (fault; fix), so schema-invalid can report kustomizations as it reports compose
files. The compiled validator is built once per process; jsonschema-rs is imported on first use.

The SchemaStore schema lags kustomize 5: fields kustomize accepts but the schema does not list
(`sortOptions`, `patches[].options`, `images[].tagSuffix`, `labels[].includeTemplates`, newer
`helmCharts` keys, a var's `objref.namespace`) are not reported, since a false "unknown field"
would send users to delete a working setting; nor are null values (`components:` with every entry
commented out), which kustomize reads as unset.
"""

from __future__ import annotations

from typing import Any

from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap

SCHEMA = "kustomization.json"
_LATER_FIELDS: dict[tuple[str, ...], frozenset[str]] = {  # (path with "*" for indexes) -> keys
    (): frozenset({"sortOptions"}),
    ("images", "*"): frozenset({"tagSuffix"}),
    ("labels", "*"): frozenset({"includeTemplates"}),
    ("patches", "*"): frozenset({"options"}),
    ("patchesJson6902", "*"): frozenset({"options"}),
    ("vars", "*", "objref"): frozenset({"namespace"}),
    ("helmCharts", "*"): frozenset(
        {
            "additionalValuesFiles",
            "apiVersions",
            "debug",
            "kubeVersion",
            "nameTemplate",
            "skipHooks",
            "skipTests",
        }
    ),
}


def validate_kustomization(doc: YMap) -> list[tuple[Loc, str]]:
    """Every schema violation of one parsed kustomization (Kustomization or Component)."""
    from k8slint.lint import kubernetes
    from k8slint.rules import _schema  # the shared error-to-message translation

    validator = kubernetes.vendored_validator(SCHEMA)

    def lookup(error: Any) -> Any:
        return validator.schema_at(error.absolute_keyword_location, error.schema_path)

    found = []

    def unset(error: Any) -> bool:
        return error.instance is None and error.kind.name == "type"

    for issue in _schema.issues(validator.validator, doc, lookup, unset):
        if issue.at_key and _later_field(issue.path):
            continue
        loc = _schema.locate(doc, issue, doc.loc)
        found.append((loc, f"{issue.message} (kustomization schema)"))
    return found


def _later_field(path: tuple[str | int, ...]) -> bool:
    if not path:
        return False
    parent = tuple("*" if isinstance(p, int) else p for p in path[:-1])
    return path[-1] in _LATER_FIELDS.get(parent, frozenset())


__all__ = ["SCHEMA", "validate_kustomization"]

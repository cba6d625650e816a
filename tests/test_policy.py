"""Suppressions by comment and annotation, and the given-paths filter."""

from __future__ import annotations

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.load import parse_text
from k8slint.lint.locate import Loc
from k8slint.lint.model.workspace import k8s_objects
from k8slint.lint.policy import apply_suppressions, within
from k8slint.lint.suppress import annotation_suppressions, comment_suppressions

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  annotations:
    k8slint.io/ignore: "plaintext-secret, empty-secret-value"
data:
  DB_PASSWORD: ""
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    # k8slint: ignore=mutable-image-tag
    - image: nginx:latest
      name: web  # k8slint: ignore=probe-port-mismatch,old-id
"""


def _finding(rule: str, line: int) -> Finding:
    return Finding(rule, Severity.ERROR, Loc("k8s/app.yaml", line, 5, line, 9), "m")


def _suppressions() -> list:  # type: ignore[type-arg]
    found = list(comment_suppressions("k8s/app.yaml", MANIFEST))
    found += annotation_suppressions(k8s_objects(parse_text("k8s/app.yaml", MANIFEST)))
    return found


def test_comment_alone_covers_the_next_line_and_trailing_covers_its_own() -> None:
    by_line = {s.first_line: s.rule_ids for s in comment_suppressions("k8s/app.yaml", MANIFEST)}
    assert by_line == {17: ("mutable-image-tag",), 18: ("probe-port-mismatch", "old-id")}


def test_findings_are_dropped_only_for_the_named_rule_and_place() -> None:
    findings = [
        _finding("empty-secret-value", 8),  # annotation on the ConfigMap
        _finding("plaintext-secret", 8),  # annotation
        _finding("missing-configmap", 8),  # not named: kept
        _finding("mutable-image-tag", 17),  # comment above
        _finding("mutable-image-tag", 18),  # the comment only covers line 17
        _finding("probe-port-mismatch", 18),  # trailing comment
        _finding("renamed-rule", 18),  # reached through the alias old-id
        _finding("plaintext-secret", 14),  # outside the annotated object
    ]
    kept = apply_suppressions(findings, _suppressions(), {"old-id": "renamed-rule"})
    assert [(f.rule, f.loc.line) for f in kept] == [
        ("missing-configmap", 8),
        ("mutable-image-tag", 18),
        ("plaintext-secret", 14),
    ]


def test_within_given_paths() -> None:
    assert within("k8s/app.yaml", ["k8s"])
    assert within("k8s/app.yaml", ["k8s/app.yaml"])
    assert within("k8s/app.yaml", [""])
    assert not within("k8s-old/app.yaml", ["k8s"])
    assert not within("compose.yaml", ["k8s"])

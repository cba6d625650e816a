"""A key is given twice in one YAML mapping; the file's consumer silently keeps the last one.

## What it finds
A key that appears twice in the same mapping of a Kubernetes manifest, a kustomization, a
docker-compose file, a Grafana provisioning file or a Helm values file. The finding sits on
the second key and points at the first.
## Why it breaks
A Deployment listed `env:` twice after a merge. The tool that applied it kept the second
block, so `DATABASE_URL` from the first one silently disappeared and the pod started without
it. Which of the two a tool keeps, or whether it refuses the file ("mapping key already
defined"), depends on its YAML library and version (kubectl, Helm, kustomize, docker compose
and Grafana have each changed over time): either way the file does not say what it means.
## Silent when
YAML merge keys (`<<: *defaults`) that an explicit key overrides: that is how they are meant
to be used. YAML files that are none of the above (CI workflows, OpenAPI documents, app
configuration), whose readers may treat duplicates differently.
## Example
```yaml
# file: k8s/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: acme/api:1.2.0
          env:
            - name: DATABASE_URL
              value: postgresql://api@db:5432/api
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
```
## Use instead
```yaml
# file: k8s/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: acme/api:1.2.0
          env:
            - name: DATABASE_URL
              value: postgresql://api@db:5432/api
            - name: LOG_LEVEL
              value: info
          ports:
            - containerPort: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.load import SourceFile
from k8slint.lint.locate import Loc
from k8slint.lint.model.compose import is_compose_file
from k8slint.lint.model.grafana import is_provisioning_document, is_values_file
from k8slint.lint.model.workspace import (
    Workspace,
    is_k8s_object,
    is_kustomization_document,
    is_kustomization_file,
)
from k8slint.lint.rule import NoOptions, Rule
from k8slint.lint.yamlpos import DuplicateKey, ParsedDocument, YMap

RULE = Rule(id="duplicate-key", severity=Severity.ERROR, doc=__doc__, scope="workspace")
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for rel in ws.yaml_files():
        source = ws.source(rel)
        if source is None or not source.duplicates:
            continue
        for duplicate in source.duplicates:
            consumer = _consumer(rel, _document_of(source, duplicate.second))
            if consumer is not None:
                yield _finding(duplicate, consumer)


def _finding(duplicate: DuplicateKey, consumer: str) -> Finding:
    return RULE.finding(
        duplicate.second,
        f"key {duplicate.key!r} is given twice in this mapping (first at line"
        f" {duplicate.first.line}): {consumer} rejects the file or silently keeps only this"
        " one, depending on its version; merge the two into one key",
        related=(Related(duplicate.first, f"first {duplicate.key!r}, dropped"),),
    )


def _document_of(source: SourceFile, loc: Loc) -> ParsedDocument | None:
    """The document of the file that holds `loc`."""
    for document in source.documents:
        start, end = document.loc, document.loc
        if (start.line, start.col) <= (loc.line, loc.col) <= (end.end_line, end.end_col):
            return document
    return None


def _consumer(rel: str, document: ParsedDocument | None) -> str | None:
    """Who reads the document (named in the message), or None when it is not one of ours."""
    if document is None:
        return None
    root: Any = document.root
    if is_kustomization_file(rel) or is_kustomization_document(root):
        return "kustomize"
    if is_k8s_object(root):
        return "kubectl"
    if (
        is_compose_file(rel)
        and isinstance(root, YMap)
        and ("services" in root or "include" in root)
    ):
        return "docker compose"
    if is_provisioning_document(root):
        return "Grafana"
    if is_values_file(rel) and isinstance(root, YMap):
        return "Helm"
    return None

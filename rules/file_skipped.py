"""A file k8slint would lint is larger than `max-file-size`, so it was skipped.

## What it finds
A manifest, kustomization, compose, Grafana or app source file over the size limit (5 MiB by
default, `max-file-size` in the configuration). The file is not read at all, so no other rule
sees it; this info says so instead of staying silent.
## Why it breaks
A generated 8 MB bundle of CustomResourceDefinitions sat next to the manifests. A linter that
reads every file whole would spend seconds and hundreds of megabytes on it; one that skips it
silently lets a reviewer believe that the Services and Deployments in it were checked.
## Silent when
The file is under the limit, is excluded by `exclude`, or is not a file k8slint reads (images,
archives, binaries). Only an info: it never fails a run unless `--fail-on info`.
## Example
```yaml
# file: .k8slint.yaml
max-file-size: 200
# file: k8s/crds.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
```
## Use instead
```yaml
# file: .k8slint.yaml
max-file-size: 200
exclude: [k8s/crds.yaml]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.locate import Loc
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="file-skipped", severity=Severity.INFO, doc=__doc__, scope="workspace")
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    limit = ws.project.max_file_size
    for rel in sorted(ws.lintable_files()):
        size = ws.project.oversized(rel)
        if size is not None:
            yield RULE.finding(
                Loc.point(rel, 1),
                f"not linted: {size:,} bytes is over max-file-size ({limit:,} bytes); raise "
                "max-file-size in the configuration or add the file to exclude",
            )

"""Part of a kustomization is not built offline, so the checks cannot see what it adds.

## What it finds
What k8slint's offline kustomize build leaves out, on the line that asks for it: remote
resources, components, patches, generator inputs, configurations and plugin files (`https://...`,
`github.com/org/repo//dir?ref=v1`), `helmCharts` and `helmChartInflationGenerator`, exec and
KRM-function plugins under `generators`/`transformers`, `validators`, the OpenAPI schemas of
`crds`, Go templates listed as resources, and a patch whose target may come from one of those.
Also a patch whose target selects nothing although everything was built: kustomize applies it as
a no-op, so the patch changes nothing (often a typo in the target, or objects another tool adds
later, like `flux bootstrap`'s controllers). Each note is reported once, however many overlays
include it.
## Why it breaks
Nothing breaks by itself: this is a notice. The objects a remote base or a Helm chart adds are not
in the build, so a Secret that the chart defines looks missing and a typo inside the chart goes
unseen. Knowing which parts were skipped tells you what the other findings could not check;
`k8slint render DIR` shows what was built.
## Silent when
Every part of the kustomization is local and built in: files, directories, generators, patches
and the built-in transformers; and every patch target selects an object.
## Example
```yaml
# file: k8s/kustomization.yaml
resources:
  - https://github.com/prometheus-operator/kube-prometheus//manifests?ref=v0.13.0
  - web.yaml
# file: k8s/web.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  LOG_LEVEL: info
```
## Use instead
```yaml
# file: k8s/kustomization.yaml
resources:
  - web.yaml
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.kustomize.build import NoteKind
from k8slint.lint.locate import Loc
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="kustomize-not-rendered", severity=Severity.INFO, doc=__doc__, scope="workspace")
Options = NoOptions
_KINDS = (NoteKind.NOT_RENDERED, NoteKind.NO_EFFECT)


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    seen: set[tuple[Loc, str]] = set()
    for built in ws.builds:
        for note in built.notes:
            if note.kind in _KINDS and (note.loc, note.message) not in seen:
                seen.add((note.loc, note.message))
                yield RULE.finding(note.loc, note.message)

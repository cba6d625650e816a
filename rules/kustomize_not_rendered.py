"""Part of a kustomization is not built offline, so the checks cannot see what it adds.

## What it finds
What k8slint's offline kustomize build leaves out, on the line that asks for it: remote
resources, components and patches (`https://...`, `github.com/org/repo//dir?ref=v1`), `helmCharts`
and `helmChartInflationGenerator`, exec and KRM-function plugins under `generators`/
`transformers`, `validators`, Go templates listed as resources, and a patch whose target may come
from one of those. Each note is reported once, however many overlays include it.
## Why it breaks
Nothing breaks by itself: this is a notice. The objects a remote base or a Helm chart adds are not
in the build, so a Secret that the chart defines looks missing and a typo inside the chart goes
unseen. Knowing which parts were skipped tells you what the other findings could not check;
`k8slint render DIR` shows what was built.
## Silent when
Every part of the kustomization is local and built in: files, directories, generators, patches
and the built-in transformers.
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
from k8slint.lint.kustomize.build import is_remote
from k8slint.lint.locate import Loc
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="kustomize-not-rendered", severity=Severity.INFO, doc=__doc__, scope="workspace")
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    seen: set[tuple[Loc, str]] = set()
    for built in ws.builds:
        notes = [(n.loc, n.message) for n in built.notes if n.severity is Severity.INFO]
        notes += [  # a remote patch or generator input: the builder looked for a local file
            (m.loc, f"remote {m.field} entry {m.target} not fetched (offline build)")
            for m in built.missing
            if is_remote(m.target)
        ]
        for loc, message in notes:
            if (loc, message) in seen:
                continue
            seen.add((loc, message))
            if ";" not in message:
                message += "; the objects it adds are not checked"
            yield RULE.finding(loc, message)

"""Two Grafana datasources are the default for one organization.

## What it finds
A second `isDefault: true` in one orgId (1 when unset) among the datasources one Grafana loads
together: the provisioning files of one directory; the `*.yaml` data keys of the ConfigMaps and
Secrets of one namespace (the `grafana_datasource` sidecar convention, or a mounted ConfigMap);
one Helm values file (the grafana chart's `datasources:` block, kube-prometheus-stack's
`grafana.additionalDataSources` and `grafana.sidecar.datasources.isDefaultDatasource`, the same
under an umbrella chart's subchart key). The finding sits on the extra default's `isDefault`
value and names the one that was already default.
## Why it breaks
Grafana crash-looped after kube-prometheus-stack and loki-stack were installed side by side:
both provisioned a datasource with `isDefault: true`, and Grafana refuses to start with two
("Only one datasource per organization can be marked as default").
## Silent when
One default per orgId; defaults in different orgIds; `deleteDatasources` entries; defaults that
different Grafanas load (provisioning files in different directories, objects in different
namespaces, different values files); a chart's implicit default that the file does not spell.
## Example
```yaml
# file: grafana/provisioning/datasources/prometheus.yaml
apiVersion: 1
datasources:
  - name: Prometheus
    type: prometheus
    url: http://prometheus:9090
    isDefault: true
# file: grafana/provisioning/datasources/loki.yaml
apiVersion: 1
datasources:
  - name: Loki
    type: loki
    url: http://loki:3100
    isDefault: true
```
## Use instead
```yaml
# file: grafana/provisioning/datasources/loki.yaml
apiVersion: 1
datasources:
  - name: Loki
    type: loki
    url: http://loki:3100
    isDefault: false
```
## Fix safety
Unsafe: the fix unsets the later default; which datasource stays the default is the team's
call, and dashboards without an explicit datasource follow it.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Fix, Related
from k8slint.lint.model.grafana import Datasource, grafana_datasources
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule, Severity

RULE = Rule(
    id="duplicate-default-datasource",
    severity=Severity.ERROR,
    doc=__doc__,
    fix="unsafe",
    scope="workspace",
)
Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    first: dict[tuple[tuple[str, ...], int], Datasource] = {}
    reported: set[tuple[object, ...]] = set()
    for ds in grafana_datasources(ws):  # ordered by file, then line
        if not ds.default or ds.is_default is None:
            continue
        kept = first.setdefault((ds.group, ds.org_id), ds)
        if kept is ds or kept.is_default is None:
            continue
        key = (ds.is_default.loc, kept.is_default.loc)
        if key in reported:  # one object seen by several kustomize builds
            continue
        reported.add(key)
        where = "" if kept.origin == ds.origin else f" in {kept.origin}"
        yield RULE.finding(
            ds.is_default.loc,
            f"datasource {ds.name!r} is a second default in org {ds.org_id}"
            f" ({kept.name!r} is already default{where}); set isDefault: false on one of them",
            related=(Related(kept.is_default.loc, f"{kept.name!r} is the first default"),),
            fix=Fix.unsafe("set isDefault: false", ds.is_default.replace("false"))
            if ds.exact
            else None,
        )

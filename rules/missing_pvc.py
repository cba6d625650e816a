"""A pod mounts a PersistentVolumeClaim that nothing in the manifests makes.

## What it finds
A pod volume `persistentVolumeClaim.claimName` (containers and initContainers mount it alike)
naming a claim that the deployment unit defines neither as a PersistentVolumeClaim nor
through a StatefulSet `volumeClaimTemplates` entry. A template `data` of StatefulSet `db`
makes the claims `data-db-0`, `data-db-1` ...: another workload (a backup Job) may mount
those by name. A claim resolves in the workload's namespace; one without a namespace lands in
the apply-time one and matches any. The message names a close claim name when there is one,
and the namespace a same-named claim sits in.
## Why it breaks
The pod stays `Pending` (`persistentvolumeclaim "db-data" not found`) and never schedules.
## Silent when
The claim is defined in the unit; the name is a template (`{{ .Release.Name }}-data`); a
StatefulSet's pod volume naming one of its own `volumeClaimTemplates` (the template wins); a
claim that an operator's custom resource of the same repository probably makes (its name is
part of the claim's), or that another workload's command or args name.
## Example
```yaml
# file: k8s/backup.yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: db-backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: busybox:1.36
              command: ["sh", "-c", "tar czf /backup/db.tgz /data"]
              volumeMounts:
                - name: data
                  mountPath: /data
                - name: backup
                  mountPath: /backup
          volumes:
            - name: data
              persistentVolumeClaim:
                claimName: db-data
            - name: backup
              persistentVolumeClaim:
                claimName: backups
# file: k8s/backups-pvc.yaml
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: backups
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 5Gi
```
## Use instead
```yaml
# file: k8s/db-data-pvc.yaml
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: db-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 10Gi
```
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.locate import Loc
from k8slint.lint.model.k8s import K8sObject, child, located_str, mapping, maps_in, sequence
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._refs import made_at_run_time, namespace_matches, templated

RULE = Rule(id="missing-pvc", severity=Severity.ERROR, doc=__doc__)

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    claims = [obj for obj in ws.objects if obj.kind == "PersistentVolumeClaim" and obj.name]
    templates = _claim_templates(ws)
    for workload, pod in ws.workloads():
        own = {name for sts, name, _loc in templates if sts is workload}
        for _index, volume in maps_in(sequence(pod.body, "volumes")):
            claim = located_str(mapping(volume, "persistentVolumeClaim"), "claimName")
            if claim is None or templated(claim.value) or claim.value in own:
                continue
            name, namespace = claim.value, workload.namespace
            if any(c.name == name and namespace_matches(namespace, c.namespace) for c in claims):
                continue
            if any(
                _made_by_template(name, sts, tpl)
                for sts, tpl, _loc in templates
                if namespace_matches(namespace, sts.namespace)
            ):
                continue
            if made_at_run_time(ws, "PersistentVolumeClaim", name, workload):
                continue
            hint, related = _hint(name, namespace, claims)
            yield RULE.finding(
                claim.loc,
                f"PersistentVolumeClaim {name!r} mounted by volume {volume.get('name')!r} of"
                f" {workload.kind} {workload.name!r} is defined nowhere in these manifests"
                f"{hint}; fix the claim name or add the PersistentVolumeClaim (or a"
                f" StatefulSet volumeClaimTemplate)",
                related=related,
            )


def _claim_templates(ws: Workspace) -> list[tuple[K8sObject, str, Loc]]:
    found = []
    for obj in ws.of_kind("StatefulSet"):
        for _index, template in maps_in(sequence(obj.body, "spec", "volumeClaimTemplates")):
            name = child(template, "metadata", "name")
            if isinstance(name, str) and name:
                found.append((obj, name, template.loc))
    return found


def _made_by_template(claim: str, sts: K8sObject, template: str) -> bool:
    """StatefulSet `sts` makes `<template>-<sts>-<ordinal>` for each replica."""
    return re.fullmatch(rf"{re.escape(template)}-{re.escape(sts.name)}-\d+", claim) is not None


def _hint(name: str, namespace: str | None, claims: list[K8sObject]) -> tuple[str, list[Related]]:
    elsewhere = [c for c in claims if c.name == name]
    if elsewhere:
        other = elsewhere[0]
        return (
            f"; a claim {name!r} exists in namespace {other.namespace!r}, not in"
            f" {namespace or 'default'!r}, and pods only mount claims of their own namespace",
            [Related(other.name_loc, f"PersistentVolumeClaim in namespace {other.namespace!r}")],
        )
    usable = {c.name: c for c in claims if namespace_matches(namespace, c.namespace)}
    close = difflib.get_close_matches(name, list(usable), n=1, cutoff=0.8)
    if close:
        return f"; did you mean {close[0]!r}?", [
            Related(usable[close[0]].name_loc, f"PersistentVolumeClaim {close[0]!r}")
        ]
    return "", []

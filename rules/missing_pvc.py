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

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._refs import object_findings

RULE = Rule(id="missing-pvc", severity=Severity.ERROR, doc=__doc__)

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    yield from object_findings(ws, RULE, "PersistentVolumeClaim", out_of_band=False)

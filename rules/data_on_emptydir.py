"""A database or StatefulSet keeps its data on a volume that dies with the pod.

## What it finds
A path that a container is told to keep its data in, on an `emptyDir` volume or on no volume
at all (the container's writable layer), in a StatefulSet or in a database image:
- an env value or a consumed ConfigMap value under `PGDATA`, `*_DATA_DIR`, `*_DATADIR`;
- the data directory of a database image when the env does not move it: postgres (and
  postgis, timescaledb) `/var/lib/postgresql/data`, mysql/mariadb/percona `/var/lib/mysql`,
  mongo `/data/db`, the bitnami images' `/bitnami/<db>`; redis `/data` only in a StatefulSet
  or when its args turn persistence on (`--appendonly yes`, `--save ...`), since a redis
  Deployment without a volume is a cache by design. A data-directory flag in the args
  (`--datadir`, `--dbpath`, `--dir`, `-D`) replaces the default.
The finding sits on the `emptyDir` of the volume, on the path value when nothing is mounted
there, or on the image of a database whose default directory is not mounted.
## Why it breaks
The observer pod wrote its data to `/opt/platform/runtime/observer/data` (ConfigMap key
`OBSERVER_DATA_DIR`) but the PVC was mounted elsewhere: every restart started from an empty
directory, and the data was gone. An emptyDir lives exactly as long as the pod: a reschedule,
a node drain or a rollout deletes a database's files.
## Silent when
A PersistentVolumeClaim, a StatefulSet `volumeClaimTemplates` entry, a hostPath or any other
non-emptyDir volume is mounted at the path or above it; init containers (scratch work);
workloads that are neither StatefulSets nor databases; values that are not absolute paths.
## Example
```yaml
# file: k8s/postgres.yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
spec:
  serviceName: postgres
  selector:
    matchLabels: {app: postgres}
  template:
    metadata:
      labels: {app: postgres}
    spec:
      containers:
        - name: postgres
          image: postgres:16.4
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
      volumes:
        - name: data
          emptyDir: {}
```
## Use instead
```yaml
# file: k8s/postgres.yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
spec:
  serviceName: postgres
  selector:
    matchLabels: {app: postgres}
  template:
    metadata:
      labels: {app: postgres}
    spec:
      containers:
        - name: postgres
          image: postgres:16.4
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 10Gi
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.locate import Loc
from k8slint.lint.model.k8s import (
    Container,
    K8sObject,
    PodSpec,
    child,
    mapping,
    namespaces_meet,
    sequence,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="data-on-emptydir", severity=Severity.WARNING, doc=__doc__)

Options = NoOptions

DATA_DIR_KEY = re.compile(r"PGDATA|(?:[A-Z0-9]+_)*DATA_?DIR")
"""Env/ConfigMap keys that tell an app where to keep its data."""

DATABASES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"bitnami/postgresql(?:-repmgr)?"), "postgresql", "/bitnami/postgresql"),
    (re.compile(r"bitnami/mysql"), "mysql", "/bitnami/mysql"),
    (re.compile(r"bitnami/mariadb(?:-galera)?"), "mariadb", "/bitnami/mariadb"),
    (re.compile(r"bitnami/mongodb"), "mongodb", "/bitnami/mongodb"),
    (re.compile(r"bitnami/redis"), "redis", "/bitnami/redis/data"),
    (
        re.compile(r"(?:.*/)?(?:postgres|postgis|timescaledb(?:-ha)?|pgvector)"),
        "postgres",
        "/var/lib/postgresql/data",
    ),
    (
        re.compile(r"(?:.*/)?(?:mysql|mysql-server|mariadb|percona(?:-server)?)"),
        "mysql",
        "/var/lib/mysql",
    ),
    (re.compile(r"(?:.*/)?mongo(?:db)?"), "mongo", "/data/db"),
    (re.compile(r"(?:.*/)?redis(?:-stack-server)?"), "redis", "/data"),
)
"""(image repository, database, data directory) of the images whose data the rule knows."""

_DIR_FLAGS = re.compile(r"(?:--datadir|--dbpath|--dir|-D)(?:=|\s+|$)(\S*)")


@dataclass(frozen=True)
class DataPath:
    path: str
    loc: Loc  # where the container is told so (or its image)
    told: str  # "PGDATA", "the postgres image's default data directory"


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for workload, pod in ws.workloads():
        for container in pod.containers:
            if container.init:
                continue
            database = _database(container)
            if workload.kind != "StatefulSet" and database is None:
                continue
            for data in _data_paths(ws, workload, container, database):
                yield from _judge(workload, pod, container, data)


def _database(container: Container) -> tuple[str, str] | None:
    ref = container.image_ref
    if ref is None:
        return None
    for pattern, name, directory in DATABASES:
        if pattern.fullmatch(ref.repository):
            return name, directory
    return None


def _data_paths(
    ws: Workspace, workload: K8sObject, container: Container, database: tuple[str, str] | None
) -> Iterator[DataPath]:
    told = list(_told_paths(ws, workload, container))
    yield from told
    if database is None:
        return
    name, directory = database
    if not _runs_server(container, name):
        return  # the image as a client: `command: ["sleep", "3600"]`, psql, mysqldump...
    if name == "postgres" and any(d.told == "PGDATA" for d in told):
        return
    flag = _dir_flag(container)
    if flag is not None:
        yield flag
        return
    if name in ("redis",) and workload.kind != "StatefulSet" and not _redis_persists(container):
        return
    image = container.image
    if image is not None:
        yield DataPath(directory, image.loc, f"the {name} image's data directory")


def _told_paths(ws: Workspace, workload: K8sObject, container: Container) -> Iterator[DataPath]:
    seen: set[str] = set()
    for var in container.env:
        if (
            var.value is not None
            and DATA_DIR_KEY.fullmatch(var.name)
            and var.value.value.startswith("/")
            and var.name not in seen
        ):
            seen.add(var.name)
            yield DataPath(var.value.value.rstrip("/") or "/", var.value.loc, var.name)
        selector = mapping(var.value_from, "configMapKeyRef")
        if selector is not None and DATA_DIR_KEY.fullmatch(var.name):
            found = _configmap_value(ws, workload, child(selector, "name"), child(selector, "key"))
            if found is not None and var.name not in seen:
                seen.add(var.name)
                yield DataPath(found[0], found[1], var.name)
    for source in container.env_from():
        name = child(source, "configMapRef", "name")
        if not isinstance(name, str):
            continue
        prefix = child(source, "prefix")
        prefix = prefix if isinstance(prefix, str) else ""
        configmap = _configmap(ws, workload, name)
        if configmap is None:
            continue
        for entry in configmap.data_entries:
            var = prefix + entry.key
            if DATA_DIR_KEY.fullmatch(var) and var not in seen and (entry.value or "")[:1] == "/":
                seen.add(var)
                yield DataPath((entry.value or "").rstrip("/") or "/", entry.loc, var)


def _configmap(ws: Workspace, workload: K8sObject, name: object) -> K8sObject | None:
    if not isinstance(name, str):
        return None
    for obj in ws.find_any_namespace("ConfigMap", name):
        if namespaces_meet(workload.namespace, obj.namespace):
            return obj
    return None


def _configmap_value(
    ws: Workspace, workload: K8sObject, name: object, key: object
) -> tuple[str, Loc] | None:
    configmap = _configmap(ws, workload, name)
    if configmap is None:
        return None
    for entry in configmap.data_entries:
        if entry.key == key and entry.value and entry.value.startswith("/"):
            return entry.value.rstrip("/") or "/", entry.loc
    return None


def _dir_flag(container: Container) -> DataPath | None:
    for key in ("command", "args"):
        items = sequence(container.body, key)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                continue
            match = _DIR_FLAGS.search(item)
            if match is None:
                continue
            value = match[1]
            loc = items.item_loc(index)
            if not value and index + 1 < len(items) and isinstance(items[index + 1], str):
                value, loc = items[index + 1], items.item_loc(index + 1)
            if value.startswith("/"):
                return DataPath(value.rstrip("/") or "/", loc, "its data-directory flag")
            return None
    return None


SERVERS = {
    "postgres": ("postgres", "pg_ctl", "patroni", "docker-entrypoint"),
    "postgresql": ("postgres", "run.sh", "entrypoint"),
    "mysql": ("mysqld", "mariadbd", "docker-entrypoint"),
    "mariadb": ("mysqld", "mariadbd", "run.sh", "entrypoint"),
    "mongo": ("mongod", "docker-entrypoint"),
    "mongodb": ("mongod", "run.sh", "entrypoint"),
    "redis": ("redis-server", "docker-entrypoint", "run.sh", "entrypoint"),
}
"""Words of a `command` that still start the database server."""


def _runs_server(container: Container, database: str) -> bool:
    """Whether the container runs the image's server: no `command`, or one that names it."""
    command = sequence(container.body, "command")
    if not command:
        return True
    words = " ".join(str(item) for item in command)
    return any(server in words for server in SERVERS.get(database, ()))


def _redis_persists(container: Container) -> bool:
    words = " ".join(
        str(item) for key in ("command", "args") for item in sequence(container.body, key)
    )
    if re.search(r"--appendonly\s+yes", words):
        return True
    save = re.search(r"--save\s+(\"\"|''|\S+)", words)
    return save is not None and save[1] not in ('""', "''")


def _judge(
    workload: K8sObject, pod: PodSpec, container: Container, data: DataPath
) -> Iterator[Finding]:
    mounts = [
        m
        for m in container.volume_mounts
        if data.path == m.path.rstrip("/")
        or data.path.startswith(m.path.rstrip("/") + "/")
        or m.path.startswith(data.path + "/")
    ]
    where = f"container {container.name!r} of {workload.kind} {workload.name!r}"
    if not mounts:
        yield RULE.finding(
            data.loc,
            f"{where} keeps its data in {data.path} ({data.told}), on no volume: the files"
            f" vanish when the container restarts; mount a PersistentVolumeClaim there"
            f"{' (volumeClaimTemplates)' if workload.kind == 'StatefulSet' else ''}",
        )
        return
    for mount in mounts:
        volume = pod.volumes.get(mount.name)
        if volume is None or "emptyDir" not in volume:
            continue
        yield RULE.finding(
            volume.key_loc("emptyDir"),
            f"volume {mount.name!r} is an emptyDir, and {where} keeps its data in"
            f" {data.path} ({data.told}) on it: the files vanish with the pod; use a"
            f" PersistentVolumeClaim"
            f"{' (volumeClaimTemplates)' if workload.kind == 'StatefulSet' else ''}",
            related=(Related(mount.loc, f"mounted at {mount.path}"), Related(data.loc, data.told)),
        )
        return

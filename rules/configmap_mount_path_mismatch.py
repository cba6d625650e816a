"""A path the container is configured with does not match its volume mounts.

## What it finds
- A ConfigMap value the container reads (env `configMapKeyRef`, `envFrom.configMapRef`) or a
  literal env value that is an absolute path under none of the container's volumeMounts, when
  a mount shares the path's leading directory (`/opt/platform/...` against a mount at
  `/opt/platform/observer/data`), or when the key names a data, log or config directory
  (`OBSERVER_DATA_DIR`, `LOG_PATH`) and the container mounts a writable data volume elsewhere.
  The finding sits on the value (the ConfigMap data line or the env value), with the nearest
  mountPath as the other end.
- A `configMap` volume, or projected `configMap` source, whose `items[].key` the ConfigMap
  does not have.
- A `subPath` naming a key the mounted ConfigMap does not have (a `configMap` volume without
  `items`, whose keys are the files).
- Two volumeMounts of one container at the same mountPath (on the second, naming the first).
## Why it breaks
The observer pod wrote its data to `/opt/platform/runtime/observer/data` (ConfigMap key
`OBSERVER_DATA_DIR`) but the PVC was mounted at another path, so the data lived in the
container's writable layer and vanished on every restart; the runbook had to cross-check every
path by hand. A missing `items` or `subPath` key leaves the pod stuck in ContainerCreating, and
a doubled mountPath is rejected by the API server.
## Silent when
The path lies under (or is) a mountPath of a container of the pod that reads it; paths inside
the image (`/usr`, `/etc`, `/app`, `/bin`, `/tmp`, ... when nothing is mounted beside them);
values that are not a single absolute path (URLs, `a:b` lists, `$(VAR)` references, text);
a path that is a parent of a mount; ConfigMaps not defined in the deployment unit or without
visible keys; volumes and references marked `optional: true`.
## Example
```yaml
# file: k8s/observer.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: observer-config
data:
  OBSERVER_DATA_DIR: /opt/platform/runtime/observer/data
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: observer
spec:
  selector:
    matchLabels: {app: observer}
  template:
    metadata:
      labels: {app: observer}
    spec:
      containers:
        - name: observer
          image: registry.example.com/observer:1.4.2
          envFrom:
            - configMapRef: {name: observer-config}
          volumeMounts:
            - name: data
              mountPath: /opt/platform/observer/data
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: observer-data}
```
## Use instead
```yaml
# file: k8s/observer.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: observer-config
data:
  OBSERVER_DATA_DIR: /opt/platform/observer/data
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: observer
spec:
  selector:
    matchLabels: {app: observer}
  template:
    metadata:
      labels: {app: observer}
    spec:
      containers:
        - name: observer
          image: registry.example.com/observer:1.4.2
          envFrom:
            - configMapRef: {name: observer-config}
          volumeMounts:
            - name: data
              mountPath: /opt/platform/observer/data
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: observer-data}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.findings import Finding, Related
from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.k8s import (
    Container,
    K8sObject,
    PodSpec,
    VolumeMount,
    located_str,
    mapping,
    maps_in,
    sequence,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule, Severity
from k8slint.rules._env import FromData, container_env, env_source
from k8slint.rules._refs import keys_of

RULE = Rule(id="configmap-mount-path-mismatch", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions

_PATH = re.compile(r"^/[A-Za-z0-9._@+=~-]+(?:/[A-Za-z0-9._@+=~-]+)*/?$")
_DATA_DIR_KEY = re.compile(
    r"(?:^|_)(?:DATA|LOGS?|CONFIG|CONF|CFG|STATE|STORAGE)_(?:DIR|DIRECTORY|PATH|ROOT|HOME|LOCATION)$",
    re.I,
)
_IMAGE_DIRS = frozenset(
    {"usr", "etc", "app", "bin", "sbin", "lib", "lib64", "tmp", "dev", "proc", "sys", "run"}
)
"""Top directories that hold the image's own files (or the kernel's), not the team's data."""
_IMAGE_SUBDIRS = frozenset({("var", "run"), ("var", "tmp"), ("var", "cache")})
_SHARED_TREES = frozenset({("var", "lib"), ("usr", "local"), ("usr", "share")})
"""Directories many unrelated programs share: relate two paths one level deeper."""
_CONFIG_VOLUMES = frozenset({"configMap", "secret", "projected", "downwardAPI"})


@dataclass(frozen=True, slots=True)
class _PathValue:
    key: str
    value: str
    loc: Loc
    via: Loc  # where the container reads it (the env entry or envFrom reference)


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    reported: set[Loc] = set()
    for obj, pod in ws.workloads():
        yield from _items_keys(ws, obj, pod)
        yield from _unmounted_paths(ws, obj, pod, reported)
        for container in pod.containers:
            yield from _duplicate_mounts(container)
            yield from _subpath_keys(ws, obj, pod, container)


# -- (a) configured paths outside every mount -------------------------------------------------


def _unmounted_paths(
    ws: Workspace, obj: K8sObject, pod: PodSpec, reported: set[Loc]
) -> Iterator[Finding]:
    candidates: dict[Loc, list[tuple[Container, _PathValue]]] = {}
    for container in pod.containers:
        for value in _path_values(ws, obj, container):
            candidates.setdefault(value.loc, []).append((container, value))
    for loc, readers in candidates.items():
        if loc in reported:
            continue
        # a sidecar importing the same ConfigMap need not mount the app's data directory
        if any(_under_any(value.value, c.volume_mounts) for c, value in readers):
            continue
        for container, value in readers:
            nearest = _fires(value, container, pod)
            if nearest is None:
                continue
            reported.add(loc)
            yield _path_finding(container, value, nearest)
            break


def _fires(value: _PathValue, container: Container, pod: PodSpec) -> VolumeMount | None:
    """The mount to name when the path should be on one of the container's volumes, else None.

    Evidence is a mount beside the path (same two leading directories), or a key naming a data, log
    or config directory while the container mounts a writable data volume elsewhere. Inside
    the image's own directories only a directory key counts: `/etc/nginx/nginx.conf` next to
    a mounted `/etc/nginx/conf.d` is the image's file, on purpose.
    """
    path = value.value.rstrip("/") or "/"
    mounts = container.volume_mounts
    if any(m.path.startswith(path + "/") for m in mounts):  # a parent of a mount: ambiguous
        return None
    data_key = bool(_DATA_DIR_KEY.search(value.key))
    in_image = _in_image(path)
    anchor = _anchor(path)
    near = [m for m in mounts if anchor and _anchor(m.path.rstrip("/")) == anchor]
    if near and (data_key or not in_image):
        return max(near, key=lambda m: _common_depth(path, m.path))
    if in_image or not data_key:
        return None
    data_mounts = [m for m in mounts if not m.read_only and _is_data_volume(pod, m)]
    if not data_mounts:
        return None
    return max(data_mounts, key=lambda m: _common_depth(path, m.path))


def _path_finding(container: Container, value: _PathValue, nearest: VolumeMount) -> Finding:
    related = [
        Related(nearest.loc, f"nearest volumeMount {nearest.path!r}"),
        Related(value.via, f"container {container.name!r} reads {value.key} here"),
    ]
    return RULE.finding(
        value.loc,
        f"{value.key} {value.value!r} lies under no volumeMount of container"
        f" {container.name!r} (nearest: {nearest.path!r}); point it into the mounted volume"
        " or mount one there",
        related=[r for r in related if r.loc != value.loc],
    )


def _path_values(ws: Workspace, obj: K8sObject, container: Container) -> Iterator[_PathValue]:
    names = {var.name: var.loc for var in container.env}
    for name, value in container_env(ws, obj, container).values.items():
        if isinstance(value, Located):
            if _is_path(value.value):
                yield _PathValue(name, value.value, value.loc, names.get(name, value.loc))
        elif isinstance(value, FromData) and value.source.kind == "ConfigMap":
            text = value.entry.value
            if text is not None and _is_path(text):
                yield _PathValue(name, text, value.entry.loc, value.via)


def _is_path(value: str) -> bool:
    """One absolute path (no URL, no `a:b` list, no `$(VAR)`); the key only weighs evidence."""
    return bool(_PATH.match(value)) and value != "/" and "//" not in value


def _under_any(path: str, mounts: list[VolumeMount]) -> bool:
    path = path.rstrip("/")
    for mount in mounts:
        base = mount.path.rstrip("/")
        if not base or path == base or path.startswith(base + "/"):
            return True
    return False


def _in_image(path: str) -> bool:
    parts = path.strip("/").split("/")
    return parts[0] in _IMAGE_DIRS or tuple(parts[:2]) in _IMAGE_SUBDIRS


def _anchor(path: str) -> tuple[str, ...]:
    """The leading directories that relate two paths: /opt/platform for /opt/platform/x.

    Two levels (one is too coarse: `/vt/config` and `/vt/vtdataroot` are unrelated), three
    under the shared trees `/var/lib`, `/usr/local`, `/usr/share`; () when the path is no
    deeper than its anchor.
    """
    parts = tuple(p for p in path.split("/") if p)
    depth = 3 if parts[:2] in _SHARED_TREES else 2
    return parts[:depth] if len(parts) > depth else ()


def _common_depth(a: str, b: str) -> int:
    depth = 0
    for x, y in zip(a.strip("/").split("/"), b.strip("/").split("/"), strict=False):
        if x != y:
            break
        depth += 1
    return depth


def _is_data_volume(pod: PodSpec, mount: VolumeMount) -> bool:
    volume = pod.volumes.get(mount.name)
    if volume is None:  # a StatefulSet volumeClaimTemplate
        return True
    return not any(kind in volume for kind in _CONFIG_VOLUMES)


# -- ConfigMap lookup ---------------------------------------------------------------------------


def _keys(ws: Workspace, obj: K8sObject, name: str) -> frozenset[str] | None:
    """The keys of the ConfigMap, or None when it is not defined (once) with visible keys."""
    found = env_source(ws, obj, "ConfigMap", name)
    return keys_of(found) if found is not None else None


# -- (b) items keys, (c) subPath keys, (d) doubled mountPaths ---------------------------------


def _items_keys(ws: Workspace, obj: K8sObject, pod: PodSpec) -> Iterator[Finding]:
    for volume in pod.volumes.values():
        sources = [mapping(volume, "configMap")]
        sources += [
            mapping(s, "configMap") for _i, s in maps_in(sequence(volume, "projected", "sources"))
        ]
        for source in sources:
            name = located_str(source, "name")
            if source is None or name is None or source.get("optional") is True:
                continue
            keys = _keys(ws, obj, name.value)
            if keys is None:
                continue
            for _index, item in maps_in(sequence(source, "items")):
                key = located_str(item, "key")
                if key is not None and key.value not in keys:
                    yield RULE.finding(
                        key.loc,
                        f"volume {volume.get('name')!r} projects key {key.value!r} that ConfigMap"
                        f" {name.value!r} lacks (it has {_listing(keys)}); use one of its keys"
                        " or add it to the ConfigMap",
                        related=(Related(name.loc, f"ConfigMap {name.value!r}"),),
                    )


def _subpath_keys(
    ws: Workspace, obj: K8sObject, pod: PodSpec, container: Container
) -> Iterator[Finding]:
    for mount in container.volume_mounts:
        if mount.sub_path is None:
            continue
        source = mapping(pod.volumes.get(mount.name), "configMap")
        name = located_str(source, "name")
        if source is None or name is None or "items" in source or source.get("optional") is True:
            continue
        keys = _keys(ws, obj, name.value)
        first = mount.sub_path.strip("/").split("/", 1)[0]
        if keys is None or not first or first in keys:
            continue
        yield RULE.finding(
            mount.body.value_loc("subPath"),
            f"subPath {mount.sub_path!r} names no key of ConfigMap {name.value!r} mounted by"
            f" volume {mount.name!r} (it has {_listing(keys)}); use one of its keys",
            related=(Related(name.loc, f"ConfigMap {name.value!r}"),),
        )


def _duplicate_mounts(container: Container) -> Iterator[Finding]:
    seen: dict[str, VolumeMount] = {}
    for mount in container.volume_mounts:
        path = mount.path.rstrip("/") or "/"
        first = seen.setdefault(path, mount)
        if first is mount:
            continue
        yield RULE.finding(
            mount.loc,
            f"mountPath {mount.path!r} of volume {mount.name!r} is already used by volume"
            f" {first.name!r} in container {container.name!r}; mount one of them elsewhere",
            related=(Related(first.loc, f"first mount of {first.path!r}"),),
        )


def _listing(keys: set[str]) -> str:
    shown = sorted(keys)
    text = ", ".join(repr(k) for k in shown[:5])
    return text + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")

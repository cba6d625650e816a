"""Read-only views of Kubernetes objects: workloads, pod specs, containers, ConfigMaps, Secrets.

Views wrap the parsed `YMap` and never copy it; a missing or mistyped field reads as None or
empty, so rules don't need to guard every access. Values a rule reports on come back as
`Located` (value + span).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.images import ImageRef, parse_image
from k8slint.lint.yamlpos import YMap, YSeq

POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
"""Where each built-in kind keeps its pod spec; kustomize's field specs are derived from it."""
PROBE_KINDS = ("livenessProbe", "readinessProbe", "startupProbe")
_V = TypeVar("_V")


class lazy_property(Generic[_V]):
    """`functools.cached_property` without its lock: before Python 3.12 every first read takes
    a lock, a third of the cost of the hundreds of thousands of first reads of a large run's
    views. The views are read from one thread; the value is stored in the instance's
    `__dict__`, where later reads find it without calling this descriptor."""

    def __init__(self, compute: Callable[[Any], _V]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> lazy_property[_V]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _V: ...

    def __get__(self, instance: object, owner: type | None = None) -> _V | lazy_property[_V]:
        if instance is None:
            return self
        value = instance.__dict__[self._name] = self._compute(instance)
        return value


def child(node: Any, *keys: str | int) -> Any:
    """Walk mappings/sequences by key or index; None as soon as a step is missing."""
    for key in keys:
        if isinstance(node, YMap) and isinstance(key, str):
            node = node.get(key)
        elif isinstance(node, YSeq) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def mapping(node: Any, *keys: str | int) -> YMap | None:
    found = child(node, *keys)
    return found if isinstance(found, YMap) else None


def sequence(node: Any, *keys: str | int) -> YSeq:
    found = child(node, *keys)
    return found if isinstance(found, YSeq) else YSeq(getattr(node, "loc", _NOWHERE))


def located(node: YMap | None, key: str) -> Located[Any] | None:
    """The value under `key` with its span, or None when the key is absent."""
    if node is None or key not in node:
        return None
    return Located(node[key], node.value_loc(key))


def located_str(node: YMap | None, key: str) -> Located[str] | None:
    """Like `located`, for scalar values read as strings (numbers and booleans included)."""
    if node is None:
        return None
    value = node.get(key)
    if value is None or isinstance(value, _COLLECTIONS):
        return None
    text = (
        value
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )
    return Located(text, node.value_loc(key))


def maps_in(seq: YSeq) -> Iterator[tuple[int, YMap]]:
    for index, item in enumerate(seq):
        if isinstance(item, YMap):
            yield index, item


_NOWHERE = Loc("", 0, 0, 0, 0)
_COLLECTIONS = (YMap, YSeq)


@dataclass(frozen=True, eq=False)
class K8sObject:
    """One Kubernetes object (a document, an item of a `kind: List`, or a built object)."""

    body: YMap

    @lazy_property
    def api_version(self) -> str:
        value = self.body.get("apiVersion")
        return value if isinstance(value, str) else ""

    @lazy_property
    def kind(self) -> str:
        value = self.body.get("kind")
        return value if isinstance(value, str) else ""

    @lazy_property
    def metadata(self) -> YMap | None:
        value = self.body.get("metadata")
        return value if isinstance(value, YMap) else None

    @lazy_property
    def name(self) -> str:
        value = self._metadata_field("name")
        return value if isinstance(value, str) else ""

    @lazy_property
    def namespace(self) -> str | None:
        """The explicit namespace, or None (the context's default at apply time)."""
        value = self._metadata_field("namespace")
        return value if isinstance(value, str) and value else None

    def _metadata_field(self, key: str) -> Any:
        metadata = self.metadata
        return metadata.get(key) if metadata is not None else None

    @property
    def loc(self) -> Loc:
        return self.body.loc

    @lazy_property
    def path(self) -> str:
        return self.body.loc.path

    @property
    def name_loc(self) -> Loc:
        meta = self.metadata
        return meta.value_loc("name") if meta is not None and "name" in meta else self.loc

    @property
    def kind_loc(self) -> Loc:
        return self.body.value_loc("kind")

    @lazy_property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    def annotations(self) -> dict[str, str]:
        return _str_map(mapping(self.metadata, "annotations"))

    @property
    def effective_namespace(self) -> str:
        """The namespace the object lands in when applied without `-n`: its own, else
        "default". Only where "default" is really meant; to ask whether two objects can meet,
        use `namespaces_meet`."""
        return self.namespace or "default"

    @lazy_property
    def data_entries(self) -> tuple[DataEntry, ...]:
        """The entries of a ConfigMap (data, binaryData) or Secret (data decoded, stringData),
        as the API server keeps them: a Secret's stringData key overrides its data key. Empty
        for other kinds. Read once per object (objects are never changed once built)."""
        return _data_entries(self)

    @lazy_property
    def pod_spec(self) -> PodSpec | None:
        path = POD_SPEC_PATHS.get(self.kind)
        spec = mapping(self.body, *path) if path else None
        return PodSpec(self, spec) if spec is not None else None

    def __repr__(self) -> str:
        return f"<{self.kind} {self.namespace or ''}/{self.name} at {self.loc}>"


def _str_map(node: YMap | None) -> dict[str, str]:
    if node is None:
        return {}
    return {str(k): v if isinstance(v, str) else str(v) for k, v in node.items()}


@dataclass(frozen=True, eq=False)
class PodSpec:
    """The pod template of a workload (or a bare Pod's spec)."""

    owner: K8sObject
    body: YMap

    @lazy_property
    def containers(self) -> tuple[Container, ...]:
        found: list[Container] = []
        for key in ("initContainers", "containers"):
            for _index, body in maps_in(sequence(self.body, key)):
                found.append(Container(self, body, init=key == "initContainers"))
        return tuple(found)

    @property
    def service_account(self) -> Located[str] | None:
        return located_str(self.body, "serviceAccountName") or located_str(
            self.body, "serviceAccount"
        )

    @property
    def service_account_name(self) -> str:
        account = self.service_account
        return account.value if account and account.value else "default"

    def image_pull_secrets(self) -> list[Located[str]]:
        return list_names(sequence(self.body, "imagePullSecrets"))

    @lazy_property
    def volumes(self) -> dict[str, YMap]:
        return {
            str(v.get("name")): v
            for _i, v in maps_in(sequence(self.body, "volumes"))
            if v.get("name")
        }

    @lazy_property
    def template_metadata(self) -> YMap | None:
        """The metadata of the pod template (a bare Pod's own metadata); None when absent or
        when the owner is not a built-in workload kind."""
        if self.owner.kind == "Pod":
            return self.owner.metadata
        path = POD_SPEC_PATHS.get(self.owner.kind)
        return mapping(self.owner.body, *path[:-1], "metadata") if path else None


def list_names(seq: YSeq) -> list[Located[str]]:
    """The `name:` of each mapping of a list (`imagePullSecrets`, `secrets`), with its span."""
    names = []
    for _index, item in maps_in(seq):
        name = located_str(item, "name")
        if name is not None:
            names.append(name)
    return names


@dataclass(frozen=True, slots=True)
class ContainerPort:
    number: int | None
    name: str | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    loc: Loc  # the `name:` value
    value: Located[str] | None  # a literal `value:`
    value_from: YMap | None


@dataclass(frozen=True, slots=True)
class VolumeMount:
    name: str
    path: str
    sub_path: str | None
    read_only: bool
    loc: Loc  # the mountPath value
    body: YMap


@dataclass(frozen=True, eq=False)
class Container:
    pod: PodSpec
    body: YMap
    init: bool = False

    @property
    def owner(self) -> K8sObject:
        return self.pod.owner

    @property
    def name(self) -> str:
        value = self.body.get("name")
        return value if isinstance(value, str) else ""

    @property
    def sidecar(self) -> bool:
        """A native sidecar: an init container with `restartPolicy: Always`, running alongside."""
        return self.init and self.body.get("restartPolicy") == "Always"

    @property
    def runs_with_app(self) -> bool:
        """Whether the container runs alongside the app (a regular container or a native
        sidecar), not once before it (a plain init container)."""
        return not self.init or self.sidecar

    @property
    def loc(self) -> Loc:
        return self.body.loc

    @property
    def image(self) -> Located[str] | None:
        return located_str(self.body, "image")

    @lazy_property
    def image_ref(self) -> ImageRef | None:
        image = self.image
        return parse_image(image.value) if image and image.value else None

    @property
    def pull_policy(self) -> Located[str] | None:
        return located_str(self.body, "imagePullPolicy")

    @lazy_property
    def ports(self) -> list[ContainerPort]:
        ports = []
        for _index, port in maps_in(sequence(self.body, "ports")):
            number = port.get("containerPort")
            name = port.get("name")
            ports.append(
                ContainerPort(
                    number if isinstance(number, int) else None,
                    name if isinstance(name, str) else None,
                    port.value_loc("containerPort") if "containerPort" in port else port.loc,
                )
            )
        return ports

    @lazy_property
    def env(self) -> list[EnvVar]:
        found = []
        for _index, item in maps_in(sequence(self.body, "env")):
            name = item.get("name")
            if not isinstance(name, str):
                continue
            value_from = item.get("valueFrom")
            found.append(
                EnvVar(
                    name,
                    item.value_loc("name"),
                    located_str(item, "value"),
                    value_from if isinstance(value_from, YMap) else None,
                )
            )
        return found

    def env_from(self) -> list[YMap]:
        return [item for _index, item in maps_in(sequence(self.body, "envFrom"))]

    @lazy_property
    def volume_mounts(self) -> list[VolumeMount]:
        mounts = []
        for _index, item in maps_in(sequence(self.body, "volumeMounts")):
            path = item.get("mountPath")
            name = item.get("name")
            if not isinstance(path, str):
                continue
            sub_path = item.get("subPath")
            mounts.append(
                VolumeMount(
                    name if isinstance(name, str) else "",
                    path,
                    sub_path if isinstance(sub_path, str) else None,
                    item.get("readOnly") is True,
                    item.value_loc("mountPath"),
                    item,
                )
            )
        return mounts

    def probes(self) -> Iterator[tuple[str, YMap]]:
        for kind in PROBE_KINDS:
            probe = mapping(self.body, kind)
            if probe is not None:
                yield kind, probe

    def mentions(self, number: int) -> bool:
        """Whether the container's command, args or literal env values name the number (a
        port set by flag or variable)."""
        words = [str(w) for key in ("command", "args") for w in sequence(self.body, key)]
        words += [var.value.value for var in self.env if var.value is not None]
        return any(str(number) in re.findall(r"\d+", word) for word in words)

    def declares_port(self, port: int | str) -> bool:
        if isinstance(port, int):
            return any(p.number == port for p in self.ports)
        return any(p.name == port for p in self.ports)


@dataclass(frozen=True, slots=True)
class DataEntry:
    """One key of a ConfigMap's or Secret's data, decoded to text when possible."""

    key: str
    value: str | None  # None: binary or undecodable
    loc: Loc  # the value's span
    key_loc: Loc
    encoded: bool  # read from Secret `data` (base64): positions inside the value are unknown


def _data_entries(obj: K8sObject) -> tuple[DataEntry, ...]:
    """See `K8sObject.data_entries`: plain entries first, then the encoded ones."""
    if obj.kind not in ("ConfigMap", "Secret"):
        return ()
    plain, encoded = ("data", "binaryData") if obj.kind == "ConfigMap" else ("stringData", "data")
    entries: list[DataEntry] = []
    plain_keys = {str(name) for name in mapping(obj.body, plain) or ()}
    for key, is_encoded in ((plain, False), (encoded, True)):
        block = mapping(obj.body, key)
        if block is None:
            continue
        for name, value in block.items():
            if not is_encoded:
                text = value if isinstance(value, str) else None if value is None else str(value)
            elif str(name) in plain_keys:
                continue  # a Secret's stringData key overrides its data key
            else:
                text = decode_base64(value) if obj.kind == "Secret" else None
            entries.append(
                DataEntry(str(name), text, block.value_loc(name), block.key_loc(name), is_encoded)
            )
    return tuple(entries)


def decode_base64(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


# -- ports -------------------------------------------------------------------------------------

PORT_NAME = re.compile(r"(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")
"""A valid port name (IANA_SVC_NAME): what the kubelet and the endpoints controller look up."""


def port_value(value: Any) -> int | str | None:
    """A port reference as the API server reads it: a number (a numeric string is one), a
    name, or None for anything else (a boolean, a mapping)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int | str) else None


def describe_ports(ports: Iterable[tuple[int | str | None, str | None]]) -> str:
    """Ports as findings list them: "8080 (http), 9090, grpc", each once."""
    shown: list[str] = []
    for number, name in ports:
        text = (
            f"{number} ({name})"
            if number is not None and name
            else str(number)
            if number is not None
            else name or ""
        )
        if text and text not in shown:
            shown.append(text)
    return ", ".join(shown)


# -- names and namespaces --------------------------------------------------------------------

TEMPLATED = re.compile(r"\{\{|\$\{|\$\(|<[^>]*>|%[({]|__[A-Z0-9_]+__|^\$[A-Za-z_]")
"""A value a tool fills in before apply: Helm `{{ }}`, envsubst `${X}` / `$X`, `$(X)`,
`<name>`, `%(name)s`, `__NAME__`."""


def templated(value: str) -> bool:
    """Whether a name or value holds a placeholder that a tool fills in before apply."""
    return bool(TEMPLATED.search(value))


def namespaces_meet(a: str | None, b: str | None) -> bool:
    """Whether objects with these explicit namespaces can meet: an object without a namespace
    (None) lands wherever it is applied, so it meets any; two explicit ones must be equal."""
    return a is None or b is None or a == b

"""Credentials in the linted files: which names hold one, which values are placeholders.

`empty-secret-value`, `plaintext-secret` and the masker (`lint/mask.py`) read the same entries:
ConfigMap and Secret data (keys nested in an embedded YAML, JSON or properties document
included), literal container `env` values, and compose `environment` values. Each entry keeps
the span of its value in the file a human edits. Registry credentials of a `.dockerconfigjson`
are read by `registry_credentials`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from k8slint.lint.load import Project
from k8slint.lint.locate import Loc
from k8slint.lint.model.embedded import locator, parse_embedded
from k8slint.lint.model.images import parse_image
from k8slint.lint.model.k8s import DataEntry, K8sObject, decode_base64
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.yamlpos import YMap, YSeq

Origin = Literal["configmap", "secret-data", "secret-string", "env", "compose"]

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SMALL_NUMBER = re.compile(r"\d{1,5}")

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "jwt",
        "private",
        "credential",
        "credentials",
        # lower-case compounds that word splitting cannot separate
        "apikey",
        "secretkey",
        "privatekey",
        "accesskey",
        "accesstoken",
        "authtoken",
        "clientsecret",
        "jwtsecret",
        "dbpassword",
        "adminpassword",
        "rootpassword",
    }
)
"""Words that make a name a credential on their own (PASSWORD, DB_PASSWD, jwtSecret)."""

CERT_WORDS = frozenset({"cert", "certificate", "crt", "pem"})
"""Certificates: a key pair's public half. Empty breaks TLS; in clear it is no leak."""

NOT_SECRET_KEY_MODIFIERS = frozenset(
    {
        "sort",
        "partition",
        "primary",
        "foreign",
        "cache",
        "routing",
        "group",
        "label",
        "hash",
        "shard",
        "lookup",
        "map",
        "row",
        "column",
        "idempotency",
        "dedup",
        "message",
        "object",
        "bucket",
        "index",
        "metric",
        "tag",
        "hot",
        "lock",
        "range",
        "unique",
        "field",
        "attribute",
        "header",
        "query",
        "param",
        "annotation",
        "selector",
        "topology",
        "node",
        "sharding",
        "join",
        "dict",
        "json",
        "yaml",
        "config",
        "the",
        "match",
        "feature",
        "flag",
        "id",
        "user",
        "public",
    }
)
"""Words before KEY that make it a lookup key, not a credential (SORT_KEY, ROUTING_KEY)."""

QUALIFIERS = frozenset(
    {
        "url",
        "uri",
        "urls",
        "endpoint",
        "host",
        "hostname",
        "port",
        "name",
        "names",
        "namespace",
        "ref",
        "path",
        "paths",
        "file",
        "files",
        "filename",
        "dir",
        "directory",
        "location",
        "mount",
        "prefix",
        "suffix",
        "enabled",
        "enable",
        "disabled",
        "disable",
        "required",
        "optional",
        "type",
        "kind",
        "algorithm",
        "alg",
        "algo",
        "length",
        "len",
        "size",
        "bits",
        "min",
        "max",
        "ttl",
        "expiry",
        "expiration",
        "expires",
        "expire",
        "lifetime",
        "duration",
        "timeout",
        "interval",
        "days",
        "seconds",
        "age",
        "issuer",
        "audience",
        "mode",
        "method",
        "format",
        "version",
        "provider",
        "store",
        "manager",
        "policy",
        "rotation",
        "strategy",
        "scheme",
        "header",
        "field",
        "env",
        "var",
        "variable",
        "user",
        "username",
        "usr",
        "login",
        "count",
        "source",
        "sources",
        "selector",
        "label",
        "labels",
        "annotation",
        "generator",
        "hint",
        "help",
        "description",
        "regex",
        "pattern",
        "template",
        "mountpath",
        "secretname",
        "reset",
        "resets",
        "complexity",
        "encoding",
        "charset",
        "validation",
        "validity",
        "created",
        "updated",
        "id",
        "ids",
        "arn",
        "in",
        "at",
        "after",
        "claim",
        "claims",
        "leeway",
        "key",  # handled separately: `SECRET_KEY` is a secret, `SECRET_NAME` is not
    }
) - {"key"}
"""Last words that make a credential-like name describe a credential instead of holding it."""

ALLOW_EMPTY = re.compile(r"allow_?empty|allow_?no_?password|host_?auth_?method", re.IGNORECASE)

PLACEHOLDER_WORDS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "replace_me",
        "replaceme",
        "replace-me",
        "todo",
        "tbd",
        "fixme",
        "placeholder",
        "none",
        "null",
        "nil",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "enabled",
        "disabled",
        "required",
        "optional",
        "secret",
        "secrets",
        "password",
        "passwd",
        "pass",
        "pwd",
        "token",
        "apikey",
        "api-key",
        "api_key",
        "key",
        "test",
        "testing",
        "example",
        "sample",
        "demo",
        "dummy",
        "fake",
        "default",
        "redacted",
        "hidden",
        "masked",
        "unset",
        "empty",
        "undefined",
        "admin",
        "root",
        "user",
        "username",
        "login",
        "guest",
    }
)
"""Whole values that stand for no real credential (or are the common demo default)."""

_PLACEHOLDER = re.compile(
    r"^\$\{.*\}$|^\$\(.*\)$|^\$[A-Za-z_]\w*$|\{\{.*\}\}|^<.*>$|^\[.*\]$|^%\(.*\)s?$"
    r"|^(.)\1{3,}$|^x{3,}$|^\*{3,}$|^\.{3,}$|^-+$|^_+$|^#+$"
    r"|change[-_ ]?(it|me|this)|replace[-_ ]?(me|this|with)|^your|[-_]here$"
    r"|^my[-_]?(secret|password|token)|^(put|insert|enter|add|set)[-_ ]|^example[-_]"
    r"|^(sample|dummy|fake|test)[-_]?(secret|password|token|key)"
    r"|^REPLACE|^TODO|^FIXME|^CHANGE|^\{.*\}$"
    r"|^(a|an|my|some|super|root|your|the|db|admin|user|test|demo|example|sample|default)?[-_]?"
    r"(password|passwd|pass|secret|pwd|token)[-_]?\d*$",
    re.IGNORECASE,
)
_NAMED_PLACEHOLDER = re.compile(
    r"^[A-Z][A-Z0-9_]*$|(^|[^A-Za-z])[A-Z]*(KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Z]*([^A-Za-z]|$)"
)
"""Upper-case names standing in for the value (`HF_TOKEN`, `GOOGLE_API_KEY_VAL`, `nvapi-NVKEY`)."""


def words(name: str) -> list[str]:
    """`jwt_key.public` -> [jwt, key, public]; `clientSecret` -> [client, secret]."""
    return [w.lower() for w in _WORD.findall(name)]


@lru_cache(maxsize=4096)  # every object of an app repeats the same few names
def credential_words(name: str, *, certificates: bool, any_key: bool) -> bool:
    """Whether a (dotted) name holds a credential.

    `certificates`: CERT/CRT count (empty-secret-value: an empty certificate breaks TLS).
    `any_key`: KEY alone counts unless a lookup word precedes it (SORT_KEY); otherwise KEY
    needs a credential word before it (API_KEY, tls.key, SIGNING_KEY).
    """
    parts = words(name)
    if not parts or parts[-1] in QUALIFIERS:
        return False
    if parts == ["pwd"]:  # the shell's working directory
        return False
    if not any_key and "public" in parts:  # a public key is no secret
        return False
    for index, part in enumerate(parts):
        if not any_key and part in ("jwt", "private"):
            continue  # JWT_ISSUER, PRIVATE_REGISTRY: only their KEY/SECRET/TOKEN is a secret
        if part in SECRET_WORDS:
            return True
        if certificates and part in CERT_WORDS:
            return True
        if part == "key":
            before = parts[index - 1] if index else ""
            if any_key and before not in NOT_SECRET_KEY_MODIFIERS:
                return True
            if before in _KEY_MODIFIERS:
                return True
    return False


_KEY_MODIFIERS = frozenset(
    {
        "api",
        "access",
        "secret",
        "private",
        "encryption",
        "encrypt",
        "signing",
        "sign",
        "signature",
        "master",
        "auth",
        "client",
        "app",
        "application",
        "license",
        "licence",
        "jwt",
        "session",
        "hmac",
        "tls",
        "ssl",
        "ssh",
        "deploy",
        "account",
        "storage",
        "subscription",
        "crypto",
        "cipher",
        "aes",
        "gpg",
        "pgp",
        "rsa",
        "service",
        "webhook",
        "cookie",
        "admin",
    }
)


def is_placeholder(value: str) -> bool:
    """A value that is a reference or a stand-in, not a credential (`${DB_PASSWORD}`, `<token>`)."""
    text = value.strip().strip("'\"")
    if len(text) < 4:
        return True  # too short to be anyone's secret ("a", "sst"); the masker skips them too
    if text.lower() in PLACEHOLDER_WORDS:
        return True
    if _PLACEHOLDER.search(text) or _NAMED_PLACEHOLDER.search(text):
        return True
    if text.startswith(("/", "./", "../", "~/", "file:", "vault:", "arn:", "secret://")):
        return True  # a path or a reference to where the secret lives
    return bool(_SMALL_NUMBER.fullmatch(text))  # a port, a length, a count


@dataclass(frozen=True)
class Entry:
    """One named value that may hold a credential."""

    name: str  # as the user reads it: `DB_PASSWORD`, `auth.yaml: jwt_key.public` (nested: dotted)
    key: str  # the name judged: the key, or for a nested key its leaf (see `leaf_name`)
    value: str | None  # None: binary, undecodable, or not a scalar
    loc: Loc  # the value's span (the enclosing value when positions inside are unknown)
    origin: Origin
    owner: str  # `ConfigMap auth-config`, `container api of Deployment api`, `compose service db`
    allow_empty: bool = False  # a sibling says an empty password is deliberate
    interpolated: bool = False  # compose: the value came from `${VAR}`
    context: frozenset[str] = frozenset()  # lower-cased names and sibling values around it
    source: K8sObject | None = None  # the ConfigMap, Secret or workload (None: compose)

    def is_demo_default(self) -> bool:
        """The value repeats a name next to it (`POSTGRES_PASSWORD: gitea` beside
        `POSTGRES_USER: gitea`, `MINIO_ACCESS_KEY: minio` in the minio container, a folder of
        its path): a sample's default, which anyone reading the sample can guess."""
        value = (self.value or "").strip().lower()
        return value in self.context or value in _folder_words(self.loc.path)


@lru_cache(maxsize=4096)
def _folder_words(path: str) -> frozenset[str]:
    """The folders of a file's path and the words of each, lower case (`apps/my-db/x.yaml`:
    apps, my-db, my, db); kept per path, since every entry of a file asks."""
    folders = path.lower().split("/")[:-1]
    return frozenset(folders).union(*(_NOT_ALNUM.split(folder) for folder in folders))


def entries(ws: Workspace) -> Iterator[Entry]:
    """Every ConfigMap/Secret entry (nested ones too), literal env value and compose value
    (origin "compose"), in that order.

    Computed once per unit and shared by the rules and the masker that read them."""
    return iter(ws.memo("secrets.entries", lambda: list(_entries(ws))))


def _entries(ws: Workspace) -> Iterator[Entry]:
    for obj in ws.objects:
        if obj.kind in ("ConfigMap", "Secret"):
            yield from object_entries(ws, obj)
    for obj, pod in ws.workloads():
        for container in pod.containers:
            values = {e.name: e.value.value for e in container.env if e.value is not None}
            allow = _allows_empty(values)
            owner = f"container {container.name} of {obj.kind} {obj.name}"
            image = container.image_ref
            around = _Surroundings(values, [container.name, obj.name, image.name if image else ""])
            for env in container.env:
                if env.value is not None and env.value_from is None:
                    value = env.value
                    context = around.context(env.name)
                    yield Entry(
                        env.name,
                        env.name,
                        value.value,
                        value.loc,
                        "env",
                        owner,
                        allow,
                        context=context,
                        source=obj,
                    )
    for project in ws.compose_projects():
        for service in project.services.values():
            values = {k: v.value for k, v in service.environment.items()}
            allow = _allows_empty(values)
            image = parse_image(service.image.value).name if service.image else ""
            around = _Surroundings(values, [service.name, image, project.name])
            for name, located in service.environment.items():
                if located.loc.path not in project.files:
                    continue  # from an env_file: a file meant to stay out of git
                yield Entry(
                    name,
                    name,
                    located.value,
                    located.loc,
                    "compose",
                    f"compose service {service.name}",
                    allow,
                    located.loc in project.interpolated,
                    around.context(name),
                )


def object_entries(ws: Workspace, obj: K8sObject) -> Iterator[Entry]:
    owner = f"{obj.kind} {obj.name}"
    found = obj.data_entries
    values = {e.key: e.value for e in found}
    allow = _allows_empty(values)
    around = _Surroundings(values, [obj.name])
    for entry in found:
        if obj.kind == "ConfigMap":
            origin: Origin = "configmap"
        else:
            origin = "secret-data" if entry.encoded else "secret-string"
        context = around.context(entry.key)
        yield Entry(
            entry.key, entry.key, entry.value, entry.loc, origin, owner, allow, False, context, obj
        )
        if entry.value:
            for path, value, loc in embedded_entries(ws, entry.key, entry.value, entry.loc):
                name = f"{entry.key}: {'.'.join(path)}"
                judged = leaf_name(path)
                yield Entry(name, judged, value, loc, origin, owner, allow, False, context, obj)


class _Surroundings:
    """What surrounds the entries of one object, container or compose service: its names, and
    the values of its entries that are no credentials (each judged once, not once per entry)."""

    def __init__(self, values: dict[str, str | None], names: list[str]) -> None:
        found = {n.lower() for n in names if n}
        found |= {part for n in names for part in _NOT_ALNUM.split(n.lower()) if len(part) > 3}
        self._names = frozenset(found)
        self._plain = {
            name: value.strip().lower()
            for name, value in values.items()
            if value and not credential_words(name, certificates=False, any_key=False)
        }

    def context(self, own: str) -> frozenset[str]:
        """The context of the entry named `own`: the names, and its siblings' plain values."""
        return self._names.union(value for name, value in self._plain.items() if name != own)


def _allows_empty(values: dict[str, str | None]) -> bool:
    return any(
        ALLOW_EMPTY.search(name) and (value or "").strip().lower() in _ALLOWING
        for name, value in values.items()
    )


_ALLOWING = frozenset({"yes", "true", "1", "on", "trust"})

# -- documents embedded in a data value -------------------------------------------------------

GENERIC_LEAVES = frozenset(
    {"public", "private", "value", "pem", "content", "contents", "data", "key", "secret", "crt"}
)


def embedded_entries(
    ws: Workspace, key: str, value: str, loc: Loc
) -> Iterator[tuple[tuple[str, ...], str | None, Loc]]:
    """The scalar leaves of a YAML, JSON or properties document held in a data value."""
    lower = key.lower()
    if lower.endswith((".yaml", ".yml")):
        documents = parse_embedded(value, loc, ws.project)
        for document in documents or ():
            yield from _yaml_leaves(document.root, ())
    elif lower.endswith(".json"):
        yield from _json_leaves(value, loc, ws.project)
    elif lower.endswith((".properties", ".env")) or lower in (".env", "env"):
        yield from _property_leaves(value, loc, ws.project)


def leaf_name(path: tuple[str, ...]) -> str:
    """The name to judge a nested key by: the leaf, with its parent for generic leaves
    (`jwt_key.public`)."""
    if len(path) > 1 and path[-1].lower() in GENERIC_LEAVES:
        return ".".join(path[-2:])
    return path[-1] if path else ""


def _yaml_leaves(
    node: Any, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str | None, Loc]]:
    if isinstance(node, YMap):
        for key, child in node.items():
            here = (*path, str(key))
            if isinstance(child, YMap | YSeq):
                yield from _yaml_leaves(child, here)
            elif child is None or isinstance(child, str):
                yield here, child, node.value_loc(key)
    elif isinstance(node, YSeq):
        for child in node:
            if isinstance(child, YMap | YSeq):
                yield from _yaml_leaves(child, path)


def _json_leaves(
    value: str, loc: Loc, project: Project
) -> Iterator[tuple[tuple[str, ...], str | None, Loc]]:
    try:
        document = json.loads(value)
    except ValueError:
        return
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(child, dict | list):
                    walk(child, (*path, str(key)))
                elif isinstance(child, str):
                    found.append(((*path, str(key)), child))
        elif isinstance(node, list):
            for child in node:
                walk(child, path)

    walk(document, ())
    locate = locator(value, loc, project)
    for path, text in found:
        if not _may_hold_a_secret(path, text):
            continue  # a Grafana dashboard holds thousands of leaves; locate only candidates
        pattern = re.escape(json.dumps(path[-1])) + r"\s*:\s*" + re.escape(json.dumps(text))
        match = re.search(pattern, value)
        span = (match.end() - len(json.dumps(text)), match.end()) if match else None
        yield path, text, locate(span)


_PROPERTY = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][\w.\-]*)[ \t]*[=:][ \t]*(.*?)[ \t]*$")


def _property_leaves(
    value: str, loc: Loc, project: Project
) -> Iterator[tuple[tuple[str, ...], str | None, Loc]]:
    offset = 0
    locate = locator(value, loc, project)
    for line in value.split("\n"):
        match = _PROPERTY.match(line)
        if match and not line.lstrip().startswith(("#", "!")):
            raw = match.group(2)
            text = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" else raw
            start = offset + match.start(2)
            span = (start, start + len(raw))
            yield (match.group(1),), text, locate(span)
        offset += len(line) + 1


def _may_hold_a_secret(path: tuple[str, ...], text: str) -> bool:
    """The widest test any reader of the entries applies: a credential name, or a PEM key."""
    name = leaf_name(path)
    return credential_words(name, certificates=True, any_key=True) or "PRIVATE KEY" in text


# -- registry credentials ---------------------------------------------------------------------

DOCKER_CONFIG_KEYS = (".dockerconfigjson", ".dockercfg")


@dataclass(frozen=True, slots=True)
class RegistryCredential:
    """One registry's entry in a Secret's docker config (`.dockerconfigjson`, `.dockercfg`)."""

    entry: DataEntry  # the Secret's data entry holding the docker config
    host: str
    password: str  # `password`, else `identitytoken`, as written ("" when neither is)
    written: tuple[str, ...]  # `password`, `identitytoken` and `auth` as written (when strings)
    auth_password: str  # the password half of the decoded `auth` ("" when none)

    @property
    def literals(self) -> tuple[str, ...]:
        """Every secret text of the entry, as written and decoded."""
        return tuple(t for t in (*self.written, self.auth_password) if t)

    @property
    def committed(self) -> bool:
        """Whether a real password (no placeholder) is written, in clear or in `auth`."""
        return any(
            text and not is_placeholder(text) for text in (self.password, self.auth_password)
        )


_REGISTRY_SECRET_FIELDS = ("password", "identitytoken", "auth")


def registry_credentials(obj: K8sObject) -> Iterator[RegistryCredential]:
    """The registry entries of a Secret's docker config data."""
    if obj.kind != "Secret":
        return
    for entry in obj.data_entries:
        if entry.key not in DOCKER_CONFIG_KEYS or not entry.value:
            continue
        for host, auth in registry_auths(entry.value):
            password = auth.get("password") or auth.get("identitytoken")
            written = tuple(
                value for f in _REGISTRY_SECRET_FIELDS if isinstance(value := auth.get(f), str)
            )
            yield RegistryCredential(
                entry,
                host,
                password if isinstance(password, str) else "",
                written,
                decode_auth(auth.get("auth"))[1],
            )


def registry_auths(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(registry, entry) of a docker config JSON (`{"auths": {...}}` or the older flat map)."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    auths = document.get("auths", document)
    if not isinstance(auths, dict):
        return []
    return [(str(host), auth) for host, auth in auths.items() if isinstance(auth, dict)]


def decode_auth(value: Any) -> tuple[str, str]:
    """(user, password) of a docker config `auth`: base64 of `user:password`."""
    text = decode_base64(value) if isinstance(value, str) and value else None
    if text is None:
        return "", ""
    user, _, secret = text.partition(":")
    return user, secret

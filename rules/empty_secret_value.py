"""A key, token, password or certificate is set to an empty value.

## What it finds
ConfigMap and Secret entries (`data`, `stringData`, and `data` after base64 decoding), and
literal container `env` values, whose name says they hold a credential (its words include JWT,
KEY, SECRET, TOKEN, PASSWORD, PASSWD, PWD, PRIVATE, CERT, CRT: `jwt_key.private`,
`API_KEY`, `clientSecret`, `tls.crt`) and whose value is empty. Keys nested in a YAML, JSON,
`.properties` or `.env` document held in a data value (`app.yaml: |`) are read too, at their
own line.
## Why it breaks
The API pod crash-looped with `JwtStrategy requires a secret or key`: `jwt_key.public` and
`jwt_key.private` were empty strings in the ConfigMap. An empty credential is accepted by
Kubernetes and only fails when the app reads it.
## Silent when
The name uses KEY as a lookup key (`SORT_KEY`, `ROUTING_KEY`, `CACHE_KEY`) or describes a
credential instead of holding it (`SECRET_NAME`, `TOKEN_URL`, `KEY_PREFIX`, `PASSWORD_FILE`,
`KEYCLOAK_URL`, `CERT_MANAGER_NAMESPACE`); words only contain the letters (`MONKEY`,
`cacert`); a sibling says an empty password is deliberate (`ALLOW_EMPTY_PASSWORD: "yes"`,
`POSTGRES_HOST_AUTH_METHOD: trust`); a comment on the line (or the line above) says when the
value is needed (`# required if using key auth`, `# optional`): a knob left unset; a Secret
whose every value is empty (a shell that a controller such as cert-manager or an admission
webhook fills at runtime); env values set
through `valueFrom`; compose files (an empty `environment` value there is often passed through
from the shell).
## Example
```yaml
# file: k8s/auth-config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: auth-config
data:
  jwt_key.private: ""
  jwt_key.issuer: shop-api
```
## Use instead
```yaml
# file: k8s/auth-config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: auth-config
data:
  jwt_key.issuer: shop-api
# file: k8s/auth-keys.yaml
apiVersion: v1
kind: Secret
metadata:
  name: auth-keys
type: Opaque
data:
  jwt_key.private: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.k8s import K8sObject
from k8slint.lint.model.secrets import Entry, credential_words, entries
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="empty-secret-value", severity=Severity.ERROR, doc=__doc__, scope="workspace")

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    shells = _runtime_filled_secrets(ws)
    seen: set[tuple[object, ...]] = set()
    for entry in entries(ws):
        if entry.origin == "compose" or not _is_empty(entry) or entry.allow_empty:
            continue
        if entry.source is not None and _object_key(entry.source) in shells:
            continue
        if not credential_words(entry.key, certificates=True, any_key=True):
            continue
        if _documented_as_conditional(ws, entry):
            continue
        key = (entry.loc, entry.name)
        if key in seen:
            continue
        seen.add(key)
        yield RULE.finding(entry.loc, _message(entry))


def _is_empty(entry: Entry) -> bool:
    return entry.value is not None and entry.value.strip() == ""


def _message(entry: Entry) -> str:
    where = entry.owner
    if entry.origin == "env":
        return (
            f"env {entry.name} of {where} is empty; set the value, or read it from a Secret"
            " with valueFrom.secretKeyRef"
        )
    return (
        f"{entry.name!r} in {where} is empty; put the real value in a Secret"
        " (or remove the key so the app's own default applies)"
    )


_CONDITIONAL = re.compile(
    r"#.*\b(optional|if|unless|when|not needed|only|leave (it )?(empty|blank)|fallback)\b",
    re.IGNORECASE,
)


def _documented_as_conditional(ws: Workspace, entry: Entry) -> bool:
    """A comment on the value's line or the line before says when the value is needed
    (`# required if using key auth (not needed with workload identity)`): an optional knob."""
    for line in (entry.loc.line, entry.loc.line - 1):
        text = ws.line_text(entry.loc.path, line) if line > 0 else None
        if text and _CONDITIONAL.search(text):
            return True
    return False


def _runtime_filled_secrets(ws: Workspace) -> set[tuple[str, str, str | None, str]]:
    """Secrets whose every value is empty: shells a controller fills (webhook certs)."""
    shells = set()
    for obj in ws.of_kind("Secret"):
        found = obj.data_entries
        if found and all(e.value is not None and not e.value.strip() for e in found):
            shells.add(_object_key(obj))
    return shells


def _object_key(obj: K8sObject) -> tuple[str, str, str | None, str]:
    """(kind, file, namespace, name): two Secrets of one name in different files are two."""
    return obj.kind, obj.path, obj.namespace, obj.name

"""A password, token or key is committed in clear text.

## What it finds
A value under a password/token-like name (PASSWORD, PASSWD, PWD, PASSPHRASE, SECRET, TOKEN,
CREDENTIALS, and KEY after API, ACCESS, SECRET, PRIVATE, SIGNING, ENCRYPTION, TLS...), or a
PEM private key under any name, written as a literal:

- in a ConfigMap (keys nested in an embedded YAML, JSON or properties document included);
- in a Secret's `stringData`, and in its `data`: base64 is an encoding, anyone with the
  repository decodes it (GitHub push protection scans both);
- in a container's literal `env` value;
- in a compose service's `environment`;
- in a `.dockerconfigjson` (or `.dockercfg`) whose `auths` hold a `password` or an `auth`.
## Why it breaks
GitHub push protection blocked a push that had a registry password in a manifest; had it
gone through, the password would have been public, in every clone and in the history.
## Silent when
The value is a reference or a stand-in: empty, `${VAR}`, `$(VAR)`, `{{ .Values.x }}`,
`<password>`, `changeme`, `REPLACE_ME`, `xxx`, `TODO`, `your-password`, a path to a mounted
file, a port or count, or a bare word such as `password`, `secret`, `admin` (a demo default,
not a leak); the name describes the credential rather than holding it (`SECRET_NAME`,
`TOKEN_URL`, `PASSWORD_FILE`, `DB_USER`); public keys and certificates; compose values that
come from `${VAR}` interpolation or from an `env_file`; SealedSecrets (encrypted).
## Example
```yaml
# file: k8s/api-config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  DB_HOST: db
  DB_PASSWORD: s3cr3t-Pa55w0rd
```
## Use instead
```yaml
# file: k8s/api-config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  DB_HOST: db
```
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.k8s import DataEntry, K8sObject
from k8slint.lint.model.secrets import (
    DOCKER_CONFIG_KEYS,
    Entry,
    credential_words,
    entries,
    is_placeholder,
    registry_credentials,
)
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="plaintext-secret", severity=Severity.WARNING, doc=__doc__, scope="workspace")

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    seen: set[tuple[object, ...]] = set()
    for entry in entries(ws):
        message = _judge(entry)
        if message is None or (entry.loc, entry.name) in seen:
            continue
        seen.add((entry.loc, entry.name))
        yield RULE.finding(entry.loc, message)
    for obj in ws.of_kind("Secret"):
        yield from _registry_passwords(obj, seen)


def _judge(entry: Entry) -> str | None:
    value = entry.value
    if value is None or entry.interpolated or entry.key in DOCKER_CONFIG_KEYS:
        return None
    if is_private_key(value):
        return _message(entry, "a private key")
    if not credential_words(entry.key, certificates=False, any_key=False):
        return None
    if is_placeholder(value) or is_certificate(value) or entry.is_demo_default():
        return None
    return _message(entry, repr(entry.name))


def _message(entry: Entry, what: str) -> str:
    if entry.origin == "compose":
        return (
            f"{entry.owner} sets {what} to a literal; read it from `${{{entry.key}}}` in an"
            " untracked .env or a compose secret"
        )
    if entry.origin == "env":
        return (
            f"env {entry.name} of {entry.owner} holds a literal credential; read it from a"
            " Secret with valueFrom.secretKeyRef"
        )
    if entry.origin == "configmap":
        return (
            f"{entry.owner} holds {what} in clear text; move it to a Secret kept out of git"
            " (SealedSecret, ExternalSecret, or created by the pipeline)"
        )
    encoding = " (base64 is no encryption)" if entry.origin == "secret-data" else ""
    return (
        f"{entry.owner} commits {what} in clear text{encoding}; keep the value out of git"
        " (SealedSecret, ExternalSecret, or created by the pipeline)"
    )


def is_private_key(value: str) -> bool:
    return "-----BEGIN" in value and "PRIVATE KEY-----" in value and len(value) > 100


def is_certificate(value: str) -> bool:
    return value.lstrip().startswith("-----BEGIN") and "PRIVATE KEY" not in value


def _registry_passwords(obj: K8sObject, seen: set[tuple[object, ...]]) -> Iterator[Finding]:
    committed: dict[DataEntry, list[str]] = {}
    for credential in registry_credentials(obj):
        if credential.committed:
            committed.setdefault(credential.entry, []).append(credential.host)
    for entry, hosts in committed.items():
        if (entry.loc, entry.key) in seen:
            continue
        seen.add((entry.loc, entry.key))
        yield RULE.finding(
            entry.loc,
            f"Secret {obj.name} commits the registry password for {', '.join(hosts)} in"
            f" {entry.key}; create the pull secret in the cluster (kubectl create secret"
            " docker-registry) or from a SealedSecret/ExternalSecret",
        )

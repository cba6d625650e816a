"""A compose Kafka or Redpanda broker advertises no address, or localhost, to its clients.

## What it finds
In a docker-compose project, a Kafka service (an image named like kafka: bitnami/kafka,
confluentinc/cp-kafka, apache/kafka ...) or a Redpanda service:

- that listens on 0.0.0.0 (`KAFKA_LISTENERS` / `KAFKA_CFG_LISTENERS`, or Redpanda's
  `--kafka-addr`) but advertises no address (`KAFKA_ADVERTISED_LISTENERS` /
  `KAFKA_CFG_ADVERTISED_LISTENERS`, or `--advertise-kafka-addr`); the finding sits on the
  listeners value;
- that advertises localhost on the listener that another service of the project connects to
  (its environment, command or entrypoint names `<broker>:<port>`), or only localhost
  addresses while other services depend on it; the finding sits on the advertised value.
## Why it breaks
A Kafka client only uses the bootstrap address for its first request: the broker answers with
the addresses it advertises and the client connects to those. 0.0.0.0 is not an address
anyone can connect to (Kafka refuses to start with it, older Redpanda hands it out), and
localhost inside another container is that container itself. Clients failed with "the
controller broker is 0, but did not reply with that broker in the broker list" and timed out.
## Silent when
The listener that other services use advertises the service name (`PLAINTEXT://kafka:29092`);
a second listener that advertises localhost for clients on the host (`PLAINTEXT_HOST://
localhost:9092`) while the containers use the first one; brokers that bind a named interface
or an empty host (Kafka then advertises the container's host name); non-broker images of the
Kafka ecosystem (UIs, Connect, Schema Registry).
## Example
```yaml
# file: compose.yaml
services:
  kafka:
    image: bitnami/kafka:3.7.0
    environment:
      KAFKA_CFG_NODE_ID: "0"
      KAFKA_CFG_PROCESS_ROLES: controller,broker
      KAFKA_CFG_CONTROLLER_QUORUM_VOTERS: 0@kafka:9093
      KAFKA_CFG_LISTENERS: PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093
      KAFKA_CFG_CONTROLLER_LISTENER_NAMES: CONTROLLER
  orders:
    image: acme/orders:1.0.0
    environment:
      KAFKA_BOOTSTRAP_SERVERS: kafka:9092
    depends_on: [kafka]
```
## Use instead
```yaml
# file: compose.yaml
services:
  kafka:
    image: bitnami/kafka:3.7.0
    environment:
      KAFKA_CFG_NODE_ID: "0"
      KAFKA_CFG_PROCESS_ROLES: controller,broker
      KAFKA_CFG_CONTROLLER_QUORUM_VOTERS: 0@kafka:9093
      KAFKA_CFG_LISTENERS: PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093
      KAFKA_CFG_ADVERTISED_LISTENERS: PLAINTEXT://kafka:9092
      KAFKA_CFG_CONTROLLER_LISTENER_NAMES: CONTROLLER
  orders:
    image: acme/orders:1.0.0
    environment:
      KAFKA_BOOTSTRAP_SERVERS: kafka:9092
    depends_on: [kafka]
```
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.locate import Loc, Located
from k8slint.lint.model.compose import ComposeProject, ComposeService
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.lint.yamlpos import YMap, YSeq
from k8slint.rules._connection import is_local_host

RULE = Rule(
    id="compose-advertised-listener", severity=Severity.WARNING, doc=__doc__, scope="workspace"
)
Options = NoOptions

LISTENERS = ("KAFKA_LISTENERS", "KAFKA_CFG_LISTENERS")
ADVERTISED = ("KAFKA_ADVERTISED_LISTENERS", "KAFKA_CFG_ADVERTISED_LISTENERS")
REDPANDA_LISTEN = "--kafka-addr"
REDPANDA_ADVERTISE = "--advertise-kafka-addr"
ANY_ADDRESS = frozenset({"0.0.0.0", "[::]", "::"})
_ADDRESS = re.compile(
    r"^(?:(?P<name>[A-Za-z0-9_-]+)://)?(?P<host>\[[^\]]*\]|[^:/]*):(?P<port>\d+)$"
)
# images of the Kafka ecosystem that are not brokers; they never set the broker's listeners,
# but a few share its variable names in their own configuration
NOT_BROKER_WORDS = frozenset(
    {
        "ui",
        "console",
        "connect",
        "schema",
        "registry",
        "rest",
        "ksql",
        "ksqldb",
        "exporter",
        "proxy",
    }
)
BROKER_IMAGES = frozenset({"cp-server"})  # Confluent Server: Kafka with commercial features


@dataclass(frozen=True)
class _Address:
    name: str  # the listener name as written; "" when the address has none
    host: str
    port: int


@dataclass(frozen=True)
class _Setting:
    """A broker's listeners or advertised listeners, where they are written."""

    addresses: tuple[_Address, ...]
    loc: Loc
    label: str  # "KAFKA_CFG_LISTENERS", "--kafka-addr"


@dataclass(frozen=True)
class _Broker:
    service: ComposeService
    listeners: _Setting | None
    advertised: _Setting | None


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for project in ws.compose_projects():
        for service in project.services.values():
            broker = _broker(service)
            if broker is not None:
                yield from _broker_findings(project, broker)


def _broker_findings(project: ComposeProject, broker: _Broker) -> Iterator[Finding]:
    name = broker.service.name
    listeners, advertised = broker.listeners, broker.advertised
    if advertised is None:
        if listeners is None:
            return
        bound = [a for a in listeners.addresses if a.host in ANY_ADDRESS]
        if bound:
            key = "--advertise-kafka-addr" if listeners.label == REDPANDA_LISTEN else ADVERTISED[0]
            if listeners.label == "KAFKA_CFG_LISTENERS":
                key = "KAFKA_CFG_ADVERTISED_LISTENERS"
            yield RULE.finding(
                listeners.loc,
                f"compose service {name!r} listens on {_show(bound[0])} but advertises no"
                f" address, so clients are told to connect to 0.0.0.0; set {key} to"
                f" {_suggest(name, bound[0])}",
            )
        return
    users = _users(project, broker.service)
    if not users:
        return
    for port, (user, loc) in sorted(users.items(), key=lambda i: (i[0] is None, i[0] or 0)):
        if port is not None:
            address = _advertised_for(port, listeners, advertised)
        elif all(is_local_host(a.host) for a in advertised.addresses):
            address = next(iter(advertised.addresses), None)
        else:
            address = None
        if address is None or not is_local_host(address.host):
            continue
        uses = f"{name}:{port}" if port else name
        yield RULE.finding(
            advertised.loc,
            f"compose service {name!r} advertises {_show(address)} to the clients of"
            f" {uses} such as service {user!r}, where localhost is that client's own"
            f" container; advertise {_suggest(name, address)} on that listener",
            related=(Related(loc, f"service {user} uses {uses}"),),
        )
        return


def _show(address: _Address) -> str:
    prefix = f"{address.name}://" if address.name else ""
    return f"{prefix}{address.host}:{address.port}"


def _suggest(service: str, address: _Address) -> str:
    return _show(_Address(address.name, service, address.port))


def _advertised_for(port: int, listeners: _Setting | None, advertised: _Setting) -> _Address | None:
    """The advertised address of the listener that accepts connections on `port`."""
    if listeners is not None:
        for bound in listeners.addresses:
            if bound.port == port:
                for address in advertised.addresses:
                    if address.name.upper() == bound.name.upper():
                        return address
                return None
    return next((a for a in advertised.addresses if a.port == port), None)


# --- reading the broker -----------------------------------------------------------------------


def _is_broker_image(service: ComposeService) -> bool:
    if service.image_ref is None:
        return False
    last = service.image_ref.name.lower()
    if last in BROKER_IMAGES:
        return True
    words = set(re.split(r"[-_.]", last))
    return ("kafka" in last or "redpanda" in last) and not words & NOT_BROKER_WORDS


def _broker(service: ComposeService) -> _Broker | None:
    if not _is_broker_image(service):
        return None
    listeners = _env_setting(service, LISTENERS)
    advertised = _env_setting(service, ADVERTISED)
    if listeners is None and advertised is None:
        listeners = _flag_setting(service, REDPANDA_LISTEN)
        advertised = _flag_setting(service, REDPANDA_ADVERTISE)
    if listeners is None and advertised is None:
        return None
    return _Broker(service, listeners, advertised)


def _env_setting(service: ComposeService, names: tuple[str, ...]) -> _Setting | None:
    for name in names:
        value = service.environment.get(name)
        if value is not None and value.value is not None:
            return _Setting(_addresses(value.value), value.loc, name)
    return None


def _flag_setting(service: ComposeService, flag: str) -> _Setting | None:
    for value in _command_values(service.body, "command", flag):
        return _Setting(_addresses(value.value), value.loc, flag)
    return None


def _command_values(body: YMap, key: str, flag: str) -> Iterator[Located[str]]:
    """Values of `flag` in a command (`--flag value` or `--flag=value`), at their item."""
    tokens = list(_command_tokens(body, key))
    for index, (token, loc) in enumerate(tokens):
        if token == flag and index + 1 < len(tokens):
            yield Located(tokens[index + 1][0], tokens[index + 1][1])
        elif token.startswith(flag + "="):
            yield Located(token[len(flag) + 1 :], loc)


def _command_tokens(body: YMap, key: str) -> Iterator[tuple[str, Loc]]:
    command = body.get(key)
    if isinstance(command, str):
        for token in _split(command):
            yield token, body.value_loc(key)
    elif isinstance(command, YSeq):
        for index, item in enumerate(command):
            if isinstance(item, str | int):
                for token in _split(str(item)):
                    yield token, command.item_loc(index)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: plain words will do
        return text.split()


def _addresses(text: str) -> tuple[_Address, ...]:
    found = []
    for part in text.split(","):
        match = _ADDRESS.match(part.strip())
        if match is not None:
            found.append(_Address(match["name"] or "", match["host"], int(match["port"])))
    return tuple(found)


# --- who uses the broker ----------------------------------------------------------------------


def _users(project: ComposeProject, broker: ComposeService) -> dict[int | None, tuple[str, Loc]]:
    """Ports of the broker that other services connect to (None: they only depend on it)."""
    names = {broker.name}
    container_name = broker.body.get("container_name")
    if isinstance(container_name, str) and container_name:
        names.add(container_name)
    mention = re.compile(
        r"(?<![\w.-])(?:" + "|".join(re.escape(n) for n in sorted(names)) + r"):(\d+)(?!\d)"
    )
    found: dict[int | None, tuple[str, Loc]] = {}
    for other in sorted(project.services.values(), key=lambda s: s.name):
        if other is broker:
            continue
        for text, loc in _texts(other):
            for match in mention.finditer(text):
                found.setdefault(int(match[1]), (other.name, loc))
        depends = other.body.get("depends_on")
        if isinstance(depends, YMap | YSeq) and broker.name in depends:
            loc = (
                depends.key_loc(broker.name)
                if isinstance(depends, YMap)
                else depends.item_loc(depends.index(broker.name))
            )
            found.setdefault(None, (other.name, loc))
    return found


def _texts(service: ComposeService) -> Iterator[tuple[str, Loc]]:
    for value in service.environment.values():
        if value.value:
            yield value.value, value.loc
    for key in ("command", "entrypoint"):
        yield from _command_tokens(service.body, key)

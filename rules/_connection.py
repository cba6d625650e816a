"""Connection settings: which variables name a database/cache/broker, and where they point.

Shared by the rules that judge where an app connects (localhost-database-url). A setting is
recognised by its value (a URL with a database, cache or broker scheme) or by its name
(DATABASE_URL, REDIS_HOST, KAFKA_BOOTSTRAP_SERVERS ...). `endpoints()` reads the hosts and
ports out of the forms these settings take: URLs (also `jdbc:` and SQLAlchemy `+driver`
schemes, and multi-host MongoDB lists), bare `host[:port]` lists, libpq `host=... port=...`
strings and Go MySQL DSNs (`user:pass@tcp(host:3306)/db`).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from k8slint.lint.model.images import SERVER_PORTS

SCHEME_PORTS: dict[str, int] = {
    "postgres": 5432,
    "postgresql": 5432,
    "pgsql": 5432,
    "cockroachdb": 26257,
    "mysql": 3306,
    "mariadb": 3306,
    "mongodb": 27017,
    "mongodb+srv": 27017,
    "redis": 6379,
    "rediss": 6379,
    "valkey": 6379,
    "amqp": 5672,
    "amqps": 5671,
    "kafka": 9092,
    "nats": 4222,
    "memcached": 11211,
    "memcache": 11211,
    "sqlserver": 1433,
    "mssql": 1433,
    "clickhouse": 9000,
    "cassandra": 9042,
    "neo4j": 7687,
    "bolt": 7687,
}
"""Database, cache and broker URL schemes and the port a URL without one connects to."""

FAMILY_PORTS: dict[str, int | None] = {
    "DB": None,
    "DATABASE": None,
    "SQL": None,
    "POSTGRES": 5432,
    "POSTGRESQL": 5432,
    "PG": 5432,
    "PSQL": 5432,
    "MYSQL": 3306,
    "MARIADB": 3306,
    "MONGO": 27017,
    "MONGODB": 27017,
    "REDIS": 6379,
    "VALKEY": 6379,
    "CACHE": None,
    "MEMCACHE": 11211,
    "MEMCACHED": 11211,
    "RABBIT": 5672,
    "RABBITMQ": 5672,
    "AMQP": 5672,
    "MQ": None,
    "BROKER": None,
    "KAFKA": 9092,
    "NATS": 4222,
    "MSSQL": 1433,
    "CLICKHOUSE": 9000,
    "CASSANDRA": 9042,
}
"""Name words that make `<WORD>_HOST` a connection setting, with the service's usual port."""


CLOUD_SQL_PROXY = (
    "cloud-sql-proxy",
    "cloudsql-proxy",
    "cloudsql-docker/gce-proxy",
    "alloydb-auth-proxy",
)
"""Image name parts of the Google Cloud SQL/AlloyDB proxies that apps reach on localhost."""

_HOST_SUFFIXES = frozenset(
    {"HOST", "HOSTS", "HOSTNAME", "SERVER", "SERVERS", "ADDR", "ADDRESS", "ADDRS"}
)
_URL_SUFFIXES = frozenset({"URL", "URI", "URLS", "DSN", "CONNECTION", "CONN"})
_NOT_CLIENT = frozenset({"LISTEN", "LISTENER", "LISTENERS", "BIND", "ADVERTISED"})
_EXACT_NAMES = frozenset(
    {
        "DSN",
        "PGHOST",
        "KAFKA_BOOTSTRAP_SERVERS",
        "BOOTSTRAP_SERVERS",
        "KAFKA_BROKERS",
        "KAFKA_BROKER",
    }
)
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_URL = re.compile(r"^(?:jdbc:)?(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)
_LIBPQ_HOST = re.compile(r"(?:^|\s)host\s*=\s*'?(?P<host>[^\s']+)")
_LIBPQ_PORT = re.compile(r"(?:^|\s)port\s*=\s*'?(?P<port>\d+)")
_GO_MYSQL = re.compile(r"@(?:tcp|unix)\((?P<address>[^)]*)\)")
_HOST_PORT = re.compile(r"^(?P<host>\[[^\]]*\]|[^:/\s\[\]]+)(?::(?P<port>\d+))?$")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One host a connection setting names; `port` is None when neither it nor the scheme says."""

    host: str
    port: int | None

    @property
    def is_local(self) -> bool:
        return is_local_host(self.host)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port is not None else host


def base_scheme(scheme: str) -> str:
    """`postgresql+asyncpg` -> `postgresql`; `mongodb+srv` stays (a scheme of its own)."""
    scheme = scheme.lower()
    return scheme if scheme in SCHEME_PORTS else scheme.split("+", 1)[0]


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^A-Z0-9]+", name.upper()) if w]


def name_port(name: str) -> int | None:
    """The usual port of the service a setting's name points at (REDIS_HOST -> 6379)."""
    for word in _words(name):
        port = FAMILY_PORTS.get(word)
        if port is not None:
            return port
    return 5432 if name.upper() == "PGHOST" else None


def is_connection_name(name: str) -> bool:
    """Whether a variable's name says it holds a database/cache/broker address."""
    upper = name.upper()
    if upper in _EXACT_NAMES:
        return True
    words = _words(upper)
    if len(words) < 2 or _NOT_CLIENT & set(words):
        return False
    last = words[-1]
    if last == "DSN" and words[-2] != "SENTRY":
        return True
    family = any(word in FAMILY_PORTS for word in words[:-1])
    if last in _URL_SUFFIXES:
        return family or words[-2] == "BROKER"
    return last in _HOST_SUFFIXES and family


def endpoints(name: str, value: str) -> list[Endpoint]:
    """The hosts a connection setting points at; [] when it is not one or cannot be read."""
    text = value.strip()
    if not text:
        return []
    match = _URL.match(text)
    if match is not None:
        scheme = base_scheme(match.group("scheme"))
        if scheme not in SCHEME_PORTS:
            return []
        return _url_endpoints(match.group("rest"), SCHEME_PORTS[scheme])
    if not is_connection_name(name):
        return []
    default_port = name_port(name)
    libpq = _LIBPQ_HOST.search(text)
    if libpq is not None:
        port = _LIBPQ_PORT.search(text)
        return _host_list(
            libpq.group("host"), int(port.group("port")) if port else default_port or 5432
        )
    go_mysql = _GO_MYSQL.search(text)
    if go_mysql is not None:
        return _host_list(go_mysql.group("address"), default_port or 3306)
    return _host_list(text, default_port)


def _url_endpoints(rest: str, default_port: int) -> list[Endpoint]:
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    authority = authority.rpartition("@")[2]  # credentials never leave this function
    return _host_list(authority, default_port)


def _host_list(text: str, default_port: int | None) -> list[Endpoint]:
    found = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        match = _HOST_PORT.match(part)
        if match is None:
            bare = part.strip("[]")
            if _is_ipv6(bare):  # ::1 without brackets
                found.append(Endpoint(bare, default_port))
            continue
        host = match.group("host").strip("[]")
        port = match.group("port")
        found.append(Endpoint(host, int(port) if port else default_port))
    return found


def _is_ipv6(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def is_local_host(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1 and 0.0.0.0: inside a container, the container itself."""
    host = host.strip().strip("[]").lower().rstrip(".")
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def local_endpoints(name: str, value: str) -> list[Endpoint]:
    return [endpoint for endpoint in endpoints(name, value) if endpoint.is_local]


def image_ports(image_name: str) -> frozenset[int]:
    """Ports a server image listens on by default (empty for images that are not servers)."""
    return SERVER_PORTS.get(image_name.lower(), frozenset())


def is_cloud_sql_proxy(image: str) -> bool:
    return any(part in image.lower() for part in CLOUD_SQL_PROXY)

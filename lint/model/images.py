"""Container image references, split the way the Docker reference grammar splits them."""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

OFFICIAL_IMAGES = frozenset(
    {
        *("postgres", "mysql", "mariadb", "mongo", "redis", "memcached", "cassandra", "couchdb"),
        *("elasticsearch", "kibana", "logstash", "influxdb", "telegraf", "neo4j", "solr"),
        *("rabbitmq", "zookeeper", "nats", "eclipse-mosquitto", "consul", "vault", "registry"),
        *("nginx", "httpd", "caddy", "traefik", "haproxy", "kong", "tomcat", "jetty"),
        *("busybox", "alpine", "ubuntu", "debian", "fedora", "centos", "amazonlinux"),
        *("node", "python", "golang", "openjdk", "eclipse-temurin", "ruby", "php", "rust"),
        *("wordpress", "ghost", "drupal", "joomla", "nextcloud", "adminer", "sonarqube"),
        *("mongo-express", "phpmyadmin", "percona", "clickhouse", "minio", "jenkins"),
    }
)
"""Common Docker Hub official images (the `library/` namespace): a bare name outside this set
names no pushable repository, so it is a locally built image (`kind load`, `minikube image
load`); and a workload pulls these as they are, even when a compose service of the same name
builds a customised one (`redis` built FROM redis:7 for local development)."""


SERVER_PORTS: dict[str, frozenset[int]] = {
    "postgres": frozenset({5432}),
    "postgresql": frozenset({5432}),
    "postgis": frozenset({5432}),
    "pgbouncer": frozenset({5432, 6432}),
    "mysql": frozenset({3306}),
    "mariadb": frozenset({3306}),
    "mongo": frozenset({27017}),
    "mongodb": frozenset({27017}),
    "redis": frozenset({6379}),
    "redis-stack-server": frozenset({6379}),
    "valkey": frozenset({6379}),
    "memcached": frozenset({11211}),
    "rabbitmq": frozenset({5672, 5671}),
    "kafka": frozenset({9092}),
    "cp-kafka": frozenset({9092}),
    "redpanda": frozenset({9092}),
    "nats": frozenset({4222}),
    "mssql-server": frozenset({1433}),
    "clickhouse-server": frozenset({9000}),
    "cassandra": frozenset({9042}),
    "neo4j": frozenset({7687}),
    "cockroach": frozenset({26257}),
}
"""Images (last path segment) of servers, and the ports they listen on out of the box."""

OWN_SERVER_IMAGES = frozenset(SERVER_PORTS) | frozenset(
    {
        *("alertmanager", "busybox", "caddy", "consul", "couchdb", "elasticsearch", "envoy"),
        *("etcd", "grafana", "haproxy", "httpd", "influxdb", "jaeger", "keycloak", "kibana"),
        *("loki", "minio", "nginx", "nginx-unprivileged", "node-exporter", "opensearch"),
        *("prometheus", "pushgateway", "registry", "tempo", "traefik", "vault", "zookeeper"),
    }
)
"""Images (last path segment) that ship their own server, with its own documented endpoints
(health checks included): what they serve is not the repository's app. Every server of
`SERVER_PORTS` is one; `OFFICIAL_IMAGES` overlaps but is another notion (Docker's `library/`
namespace, base images such as `python` included)."""


LOCAL_REGISTRY = re.compile(
    r"(?:localhost|127\.0\.0\.1|\[::1\]|host\.docker\.internal|kind-registry)(?::\d+)?"
)
"""Registry hosts that stand for the developer's machine (or kind's local registry): only a
local push fills them, and no pull secret is needed."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    registry: str | None  # host[:port]; None for Docker Hub short names ("postgres", "org/app")
    repository: str  # path after the registry: "library/postgres" is kept as written ("postgres")
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The last path segment: what people call the image ("dashboard" in "org/dashboard:1")."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def effective_tag(self) -> str:
        return self.tag or ("" if self.digest else "latest")

    @property
    def on_docker_hub(self) -> bool:
        return self.registry is None or self.registry in DOCKER_HUB_HOSTS

    @property
    def without_tag(self) -> str:
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def familiar(self) -> str:
        """The repository as people write it, Docker Hub's implicit parts dropped and lower
        case: "postgres" for docker.io/library/postgres, "acme/app" for index.docker.io/acme/app,
        "ghcr.io/acme/app" as it is."""
        if self.on_docker_hub:
            return self.repository.removeprefix("library/").lower()
        return self.without_tag.lower()

    @property
    def full(self) -> str:
        """The repository with Docker Hub spelled out: "docker.io/library/postgres",
        "docker.io/acme/app" (whichever Docker Hub host was written), "ghcr.io/acme/app"."""
        if self.on_docker_hub:
            path = self.repository if "/" in self.repository else f"library/{self.repository}"
            return f"docker.io/{path}"
        return self.without_tag

    @property
    def local_registry(self) -> bool:
        """Whether the registry is the developer's machine (`localhost:5000/app`)."""
        return self.registry is not None and LOCAL_REGISTRY.fullmatch(self.registry) is not None

    @property
    def local_only(self) -> bool:
        """A bare Docker Hub name (`dashboard`) that is no official image: it names no
        pushable repository (the `library/` namespace is Docker's own), so the image can only
        have been built or loaded locally (`kind load`, `minikube image load`)."""
        return (
            self.registry is None
            and "/" not in self.repository
            and self.repository not in OFFICIAL_IMAGES
        )


def parse_image(text: str) -> ImageRef:
    """Split `[registry/]path[:tag][@digest]`; a first segment with '.' or ':' or 'localhost'
    is a registry host, as in the Docker reference grammar."""
    rest, _, digest = text.strip().partition("@")
    registry: str | None = None
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first.lower(), remainder
    repository, tag = rest, None
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > last_slash:
        repository, tag = rest[:colon], rest[colon + 1 :] or None
    return ImageRef(registry, repository, tag, digest or None)

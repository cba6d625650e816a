"""Container image references, split the way the Docker reference grammar splits them."""

from __future__ import annotations

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

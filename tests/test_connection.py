"""Connection settings: the hosts and ports read out of the forms apps configure them in."""

from __future__ import annotations

import pytest

from k8slint.rules._connection import endpoints, is_connection_name, is_local_host


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DATABASE_URL", "postgresql+asyncpg://bot:pw@localhost:5432/bot", ["localhost:5432"]),
        ("SPRING_DATASOURCE_URL", "jdbc:postgresql://localhost/orders", ["localhost:5432"]),
        (
            "ANYTHING",
            "mongodb://a:b@127.0.0.1:27017,db-1:27018/x",
            ["127.0.0.1:27017", "db-1:27018"],
        ),
        ("CACHE_URL", "redis://[::1]:6379/0", ["[::1]:6379"]),
        ("REDIS_HOST", "localhost", ["localhost:6379"]),
        ("DB_HOST", "127.0.0.1", ["127.0.0.1"]),
        ("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092,kafka:9092", ["localhost:9092", "kafka:9092"]),
        ("APP_DSN", "host=localhost port=6432 dbname=app", ["localhost:6432"]),
        ("MYSQL_DSN", "app:pw@tcp(127.0.0.1:3306)/app", ["127.0.0.1:3306"]),
        ("SENTRY_DSN", "http://key@localhost:9000/1", []),
        ("API_URL", "http://localhost:8080", []),
        ("REDIS_PORT", "6379", []),
        ("REDIS_BIND_ADDRESS", "127.0.0.1", []),
        ("DATABASE_URL", "sqlite:////data/app.db", []),
    ],
)
def test_endpoints(name: str, value: str, expected: list[str]) -> None:
    assert [str(e) for e in endpoints(name, value)] == expected


def test_credentials_never_reach_the_endpoint() -> None:
    (found,) = endpoints("DATABASE_URL", "postgres://app:s3cr3t@localhost/app")
    assert "s3cr3t" not in str(found)


@pytest.mark.parametrize(
    ("host", "local"),
    [("localhost", True), ("127.0.0.53", True), ("::1", True), ("0.0.0.0", True), ("db", False)],
)
def test_is_local_host(host: str, local: bool) -> None:
    assert is_local_host(host) is local


@pytest.mark.parametrize(
    ("name", "connection"),
    [
        ("DATABASE_URL", True),
        ("ORDERS_DB_URL", True),
        ("PGHOST", True),
        ("MONGODB_URI", True),
        ("CELERY_BROKER_URL", True),
        ("DB_PORT", False),
        ("SENTRY_DSN", False),
        ("API_HOST", False),
    ],
)
def test_is_connection_name(name: str, connection: bool) -> None:
    assert is_connection_name(name) is connection

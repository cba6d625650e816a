from __future__ import annotations

import pytest

from k8slint.lint.model.images import ImageRef, parse_image


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgres", ImageRef(None, "postgres", None, None)),
        ("postgres:16", ImageRef(None, "postgres", "16", None)),
        ("acme/api:1.2", ImageRef(None, "acme/api", "1.2", None)),
        ("ghcr.io/acme/api:1.2", ImageRef("ghcr.io", "acme/api", "1.2", None)),
        ("localhost:5000/api", ImageRef("localhost:5000", "api", None, None)),
        ("localhost/api:dev", ImageRef("localhost", "api", "dev", None)),
        (
            "reg.example.com:443/team/api@sha256:abc",
            ImageRef("reg.example.com:443", "team/api", None, "sha256:abc"),
        ),
        ("gcr.io/p/app:v1@sha256:abc", ImageRef("gcr.io", "p/app", "v1", "sha256:abc")),
    ],
)
def test_parse_image(text: str, expected: ImageRef) -> None:
    assert parse_image(text) == expected


def test_name_and_default_tag() -> None:
    ref = parse_image("ghcr.io/acme/dashboard")
    assert ref.name == "dashboard"
    assert ref.effective_tag == "latest"
    assert not ref.on_docker_hub
    assert parse_image("docker.io/library/redis:7").on_docker_hub


def test_docker_hub_spellings_meet() -> None:
    for text in (
        "postgres",
        "library/postgres",
        "docker.io/postgres",
        "index.docker.io/library/postgres",
    ):
        assert parse_image(text).familiar == "postgres"
        assert parse_image(text).full == "docker.io/library/postgres"
    assert parse_image("index.docker.io/acme/app:1").full == "docker.io/acme/app"
    assert parse_image("ghcr.io/Acme/app").familiar == "ghcr.io/acme/app"
    assert parse_image("ghcr.io/acme/app:1").full == "ghcr.io/acme/app"


def test_local_images() -> None:
    assert parse_image("localhost:5000/app").local_registry
    assert parse_image("kind-registry:5000/app").local_registry
    assert not parse_image("ghcr.io/acme/app").local_registry
    assert parse_image("dashboard:latest").local_only
    assert not parse_image("postgres").local_only  # an official image
    assert not parse_image("acme/dashboard").local_only  # a pushable Docker Hub repository

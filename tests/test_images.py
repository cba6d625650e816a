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

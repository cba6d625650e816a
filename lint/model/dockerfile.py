"""What rules read of a Dockerfile: the images it builds FROM and the variables it sets with ENV.

Read once per file and run (`dockerfile`), whichever rule asks first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k8slint.lint.model.workspace import Workspace

DOCKERFILE_NAME = re.compile(r"^(?:Dockerfile(?:\.[\w.-]+)?|[\w.-]+\.[Dd]ockerfile)$")
"""Dockerfile, Dockerfile.dev, api.Dockerfile, api.dockerfile."""
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?([^\s$]+)", re.IGNORECASE)
_ENV = re.compile(r"^\s*ENV\s+(.*)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Dockerfile:
    from_images: tuple[str, ...]  # as written, in order (a stage name included: `FROM build`)
    env_names: frozenset[str]  # variables set with ENV (`ENV A=1 B=2` and legacy `ENV A 1`)


def is_dockerfile(name: str) -> bool:
    """Whether a file name (no directory) is a Dockerfile's."""
    return DOCKERFILE_NAME.match(name) is not None


def parse_dockerfile(text: str) -> Dockerfile:
    images: list[str] = []
    names: set[str] = set()
    for line in text.replace("\\\n", " ").splitlines():
        if (match := _FROM.match(line)) is not None:
            images.append(match[1])
        elif (match := _ENV.match(line)) is not None:
            words = match[1].split()
            if words and "=" not in words[0]:  # legacy `ENV NAME value`
                names.add(words[0])
            else:
                names.update(word.split("=", 1)[0] for word in words if "=" in word)
    return Dockerfile(tuple(images), frozenset(names))


def dockerfile(ws: Workspace, rel: str) -> Dockerfile | None:
    """The Dockerfile at `rel`, read once per run; None when it cannot be read."""

    def read() -> Dockerfile | None:
        text = ws.project.read_text(rel)
        return parse_dockerfile(text) if text is not None else None

    return ws.memo_shared_each("dockerfile", rel, read)

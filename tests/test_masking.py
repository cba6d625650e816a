"""No secret literal of a fixture reaches any report format.

The literals are gathered here, independently of `lint/mask.py`, by reading the fixture files
with a plain YAML loader: every value of a Secret (`stringData`, `data` as written and
decoded), and every value under a password/token/key-like name anywhere in a manifest or a
compose file (env lists, ConfigMap data, embedded YAML documents, compose `environment`).
Each fixture repository is linted with every rule and rendered in every format the CLI offers,
through the CLI's own rendering (frames with source lines included).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8slint.lint.cli import _render
from k8slint.lint.report import FORMATS
from tests.conftest import lint_repo

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    p for p in FIXTURES.glob("*/*") if p.is_dir() and (p.parent / "expected.yaml").is_file()
)

_SECRET_NAME = re.compile(
    r"pass(word|wd)?|pwd|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|credential",
    re.IGNORECASE,
)
_NOT_A_VALUE = re.compile(
    r"(name|ref|file|path|url|uri|host|user|username|id|type|namespace|endpoint)$", re.IGNORECASE
)
_STAND_INS = {"password", "secret", "changeme", "admin", "root", "true", "false", "token"}


def _wanted(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    return (
        len(text) >= 4
        and text.lower() not in _STAND_INS
        and not text.startswith(("${", "$(", "<", "{{", "/"))
    )


def _decoded(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _named_values(node: Any) -> Iterator[str]:
    """Values under secret-like names, in mappings, env lists, `K=V` lists and embedded YAML."""
    if isinstance(node, dict):
        name = node.get("name")
        if isinstance(name, str) and "value" in node and _is_secret_name(name):  # env entry
            yield from _leaf(node["value"])
        for key, value in node.items():
            if isinstance(value, str) and str(key).endswith((".yaml", ".yml")) and "\n" in value:
                with contextlib.suppress(yaml.YAMLError):
                    yield from _named_values(yaml.safe_load(value))
            elif _is_secret_name(str(key)):
                yield from _leaf(value)
            yield from _named_values(value)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                if _is_secret_name(key):
                    yield from _leaf(value)
            else:
                yield from _named_values(item)


def _is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _NOT_A_VALUE.search(name)


def _leaf(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value


def fixture_secrets(repo: Path) -> set[str]:
    found: set[str] = set()
    for path in repo.rglob("*"):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue
        for document in documents:
            if isinstance(document, dict) and document.get("kind") == "Secret":
                for value in (document.get("stringData") or {}).values():
                    found.add(value)
                for value in (document.get("data") or {}).values():
                    found.add("".join(value.split()) if isinstance(value, str) else value)
                    found.add(_decoded(value))  # type: ignore[arg-type]
            found.update(_named_values(document))
    literals = set()
    for value in found:
        if not _wanted(value):
            continue
        if "\n" in value.strip():  # a PEM key or a document: its lines show up in frames
            if "PRIVATE KEY" in value:
                literals.update(line.strip() for line in value.splitlines() if _wanted(line))
            continue
        literals.add(value.strip())
    return literals


def _render_all(repo: Path) -> dict[str, str]:
    run = lint_repo(repo)
    return {fmt: _render(fmt, run, False) for fmt in FORMATS}


@pytest.mark.parametrize("repo", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_no_secret_literal_in_any_format(repo: Path) -> None:
    secrets = fixture_secrets(repo)
    if not secrets:
        pytest.skip("no secret literal in this fixture")
    for fmt, text in _render_all(repo).items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{fmt} output shows secret literal(s) {leaked}"


def test_masked_frame_keeps_two_characters() -> None:
    """The check above is not vacuous: the text frame of a plaintext-secret finding draws the
    offending line, and shows the password masked."""
    repo = FIXTURES / "plaintext-secret" / "bad-configmap-password"
    assert "Vq7-mT2r-Lx9w" in fixture_secrets(repo)
    text = _render_all(repo)["text"]
    assert "DB_PASSWORD: Vq****" in text
    assert "Vq7-mT2r-Lx9w" not in text


def test_masker_replaces_every_literal() -> None:
    from k8slint.lint.mask import Masker

    mask = Masker(["hunter22", "s3cr3t-token"])
    assert mask("postgres://app:hunter22@db/app") == "postgres://app:hu****@db/app"
    assert mask("token=s3cr3t-token; again s3cr3t-token") == "token=s3****; again s3****"
    assert mask("hunter222 stays") == "hunter222 stays"  # another word that merely contains it
    assert Masker()("nothing to hide") == "nothing to hide"

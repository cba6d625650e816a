"""Shared test helpers: lint a directory as its own project root."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from k8slint.lint.runner import LintOptions, LintRun, lint_paths

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# every property test draws the same examples on every run and machine (tests are
# deterministic), and none writes an example database into the checkout
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")


def lint_repo(repo: Path, **options: object) -> LintRun:
    """Lint `repo` as a project of its own (the checkout's .git must not make it a subfolder)."""
    return lint_paths([repo], LintOptions(root=repo, **options))  # type: ignore[arg-type]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


# -- no network ------------------------------------------------------------------------------
# k8slint is offline: any test that opens an internet socket in this process fails. UNIX
# sockets and loopback stay allowed (tests may bind one); subprocesses (the CLI, the language
# server, pre-commit's own pip install) are separate processes and not affected.


class NetworkAccessError(AssertionError):
    """A test tried to reach the network."""


def _local(address: object) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else None
    return host in ("localhost", "127.0.0.1", "::1", "", None)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Fail any test that reaches the network, except those marked `network`: the two that
    install k8slint from PyPI the way pre-commit and the GitHub Action do."""
    import socket

    if request.node.get_closest_marker("network") is not None:
        return

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if self.family != getattr(socket, "AF_UNIX", None) and not _local(address):
            raise NetworkAccessError(f"test opened a network connection to {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family != getattr(socket, "AF_UNIX", None) and not _local(address):
            raise NetworkAccessError(f"test opened a network connection to {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not _local((host,)):
            raise NetworkAccessError(f"test looked up the host {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


# -- no real user cache ------------------------------------------------------------------------
# The CLI caches finished runs under $XDG_CACHE_HOME/k8slint (lint/cache.py). No test may read
# or write the user's cache: every test, and every CLI subprocess it starts (they inherit the
# environment), sees one temporary cache directory for the whole session.


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def isolated_cache(monkeypatch: pytest.MonkeyPatch, _session_cache: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(_session_cache))

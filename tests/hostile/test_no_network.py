"""The suite's no-network guard (tests/conftest.py `no_network`) really refuses connections."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import NetworkAccessError


def test_connecting_out_fails() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkAccessError):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed anyway
        with pytest.raises(NetworkAccessError):
            sock.connect_ex(("192.0.2.1", 443))
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("example.com", 443), timeout=1)
    with pytest.raises((NetworkAccessError, OSError)):
        urllib.request.urlopen("https://example.com", timeout=1)


def test_loopback_and_unix_sockets_still_work(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    if hasattr(socket, "AF_UNIX"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(str(tmp_path / "s"))
            server.listen(1)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(str(tmp_path / "s"))


def test_subprocesses_are_not_affected() -> None:
    code = "import socket; print(socket.getaddrinfo('localhost', 80)[0][0] is not None)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_a_lint_run_opens_no_socket(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Stricter than the guard: lint does not even create a socket (not even a local one)."""
    from tests.hostile._repo import lint_ok, make_repo

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkAccessError("lint created a socket")

    monkeypatch.setattr(socket.socket, "__init__", refuse)
    repo = make_repo(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx:1.27\n"})
    lint_ok(repo)

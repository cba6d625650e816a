"""The language server, spoken to over stdio by a small JSON-RPC client, as an editor would.

Every wait is for a specific message (a response id, or diagnostics for a document at a given
version or content) with a deadline, never a sleep: the server's debounce timing cannot make
the test flaky, only slow it down.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from k8slint.lint.locate import Loc
from k8slint.lint.lsp import ignore_edit, to_range

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 30.0
RULE = "compose-image-mismatch"

Message = dict[str, Any]


class Client:
    """A minimal LSP client: Content-Length framing over the server's stdin and stdout."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "k8slint.lint.lsp"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(cwd / "lsp.log").open("wb"),
        )
        self.inbox: queue.Queue[Message | None] = queue.Queue()
        self.pending: list[Message] = []  # notifications read while waiting for a response
        self.next_id = 0
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            headers: dict[str, str] = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not line:
                self.inbox.put(None)
                return
            body = stream.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body))

    def send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        reply = self._receive(lambda m: m.get("id") == self.next_id and "method" not in m)
        assert "error" not in reply, reply
        return reply["result"]

    def diagnostics(self, uri: str, accept: Callable[[Message], bool]) -> list[Message]:
        """The first diagnostics published for `uri` that `accept` takes (older ones dropped)."""

        def wanted(message: Message) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            return message["params"]["uri"] == uri and accept(message["params"])

        params = self._take_pending(wanted) or self._receive(wanted, stash=False)
        return params["params"]["diagnostics"]

    def _take_pending(self, wanted: Callable[[Message], bool]) -> Message | None:
        while self.pending:
            message = self.pending.pop(0)
            if wanted(message):
                return message
        return None

    def _receive(self, wanted: Callable[[Message], bool], stash: bool = True) -> Message:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                pytest.fail("the language server did not answer in time")
            if message is None:
                pytest.fail("the language server closed its output")
            if wanted(message):
                return message
            if stash:
                self.pending.append(message)

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / RULE / "bad", root)
    return root


@pytest.fixture
def client(repo: Path) -> Iterator[Client]:
    client = Client(repo.parent)
    result = client.request(
        "initialize",
        {"processId": None, "rootUri": repo.as_uri(), "capabilities": {}},
    )
    assert result["serverInfo"]["name"] == "k8slint"
    assert result["capabilities"]["hoverProvider"]
    client.notify("initialized", {})
    yield client
    client.close()


def _open(client: Client, path: Path, version: int = 1) -> str:
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": version,
                          "text": path.read_text()}},
    )  # fmt: skip
    return uri


def _change(client: Client, uri: str, version: int, start: tuple[int, int],
            end: tuple[int, int], text: str) -> None:  # fmt: skip
    span = {
        "start": {"line": start[0], "character": start[1]},
        "end": {"line": end[0], "character": end[1]},
    }
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version},
         "contentChanges": [{"range": span, "text": text}]},
    )  # fmt: skip


def _at(version: int) -> Callable[[Message], bool]:
    return lambda params: params.get("version") == version


def _span(line: int, start: int, end: int) -> dict[str, Any]:
    return {
        "start": {"line": line, "character": start},
        "end": {"line": line, "character": end},
    }


def test_diagnostics_code_actions_and_hover_over_stdio(client: Client, repo: Path) -> None:
    manifest = repo / "deploy/k8s/dashboard.yaml"
    original = manifest.read_bytes()
    uri = _open(client, manifest)

    [diagnostic] = client.diagnostics(uri, _at(1))
    # line 19, columns 18-34 of the file: `dashboard:latest`
    assert diagnostic["range"] == _span(18, 17, 33)
    assert (diagnostic["code"], diagnostic["source"], diagnostic["severity"]) == (
        RULE,
        "k8slint",
        1,
    )
    assert "builds 'deploy-dashboard:latest'" in diagnostic["message"]
    [related] = diagnostic["relatedInformation"]
    assert related["location"]["uri"] == (repo / "deploy/docker-compose.yml").as_uri()
    assert related["location"]["range"] == _span(2, 11, 22)  # `build: ./dashboard`

    hover = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 18, "character": 20}},
    )
    assert hover["contents"]["kind"] == "markdown"
    assert hover["contents"]["value"].startswith(f"# {RULE} (error)")
    assert "## Why it breaks" in hover["contents"]["value"]
    outside = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 2}},
    )
    assert outside is None

    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": diagnostic["range"],
         "context": {"diagnostics": [diagnostic]}},
    )  # fmt: skip
    assert [a["title"] for a in actions] == [
        f"Ignore {RULE} on this line",
        "Fix: use image deploy-dashboard:latest",
    ]
    assert actions[0]["edit"] == {
        "changes": {uri: [{"range": _span(18, 33, 33), "newText": f"  # k8slint: ignore={RULE}"}]}
    }
    assert actions[1]["edit"] == {
        "documentChanges": [
            {
                "textDocument": {"uri": uri, "version": 1},
                "edits": [{"range": _span(18, 17, 33), "newText": "deploy-dashboard:latest"}],
            }
        ]
    }
    assert actions[1]["isPreferred"] is True

    # typing the fix into the unsaved buffer clears the diagnostic; the file stays as it was
    _change(client, uri, 2, (18, 17), (18, 33), "deploy-dashboard:latest")
    assert client.diagnostics(uri, _at(2)) == []
    assert manifest.read_bytes() == original

    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.process.wait(timeout=TIMEOUT) == 0


def test_editing_the_compose_file_updates_an_open_manifest(client: Client, repo: Path) -> None:
    manifest_uri = _open(client, repo / "deploy/k8s/dashboard.yaml")
    [diagnostic] = client.diagnostics(manifest_uri, _at(1))
    assert diagnostic["code"] == RULE
    compose = repo / "deploy/docker-compose.yml"
    compose_uri = _open(client, compose)
    assert client.diagnostics(compose_uri, _at(1)) == []

    # `build: ./dashboard` gains `image: dashboard:latest`, what the manifest asks for
    _change(client, compose_uri, 2, (3, 0), (3, 0), "    image: dashboard:latest\n")
    assert client.diagnostics(manifest_uri, lambda params: params["diagnostics"] == []) == []

    # and taking it out again brings the manifest's diagnostic back
    _change(client, compose_uri, 3, (3, 0), (4, 0), "")
    [again] = client.diagnostics(manifest_uri, lambda params: params["diagnostics"] != [])
    assert again["range"] == diagnostic["range"]
    assert compose.read_text().count("image:") == 1  # only redis's, on disk


def test_ranges_count_utf16_code_units() -> None:
    lines = ['  name: "🚀 rocket"  # ü\n', "  image: app:1\n"]
    codec = PositionCodec(types.PositionEncodingKind.Utf16)
    # `rocket` follows the emoji: 0-based code point 11, UTF-16 code unit 12 (a surrogate pair)
    loc = Loc("x.yaml", 1, 12, 1, 18)
    assert to_range(loc, lines, codec) == types.Range(
        start=types.Position(line=0, character=12), end=types.Position(line=0, character=18)
    )
    utf32 = PositionCodec(types.PositionEncodingKind.Utf32)
    assert to_range(loc, lines, utf32).start == types.Position(line=0, character=11)
    # an empty span widens to the end of its line
    point = Loc.point("x.yaml", 2, 3)
    assert to_range(point, lines, codec).end == types.Position(line=1, character=14)


@pytest.mark.parametrize(
    ("line", "path", "expected"),
    [
        ("  image: app:1\n", "k8s/a.yaml", (14, 14, f"  # k8slint: ignore={RULE}")),
        ("  image: app:1   \n", "k8s/a.yaml", (14, 17, f"  # k8slint: ignore={RULE}")),
        ("const url = 'x';\n", "src/app.ts", (16, 16, f"  // k8slint: ignore={RULE}")),
        ("  image: app:1  # k8slint: ignore=other\n", "a.yaml", (39, 39, f",{RULE}")),
        (f"  image: app:1  # k8slint: ignore={RULE}\n", "a.yaml", None),
        ('  "image": "app:1"\n', "a.json", None),
    ],
)
def test_ignore_edit(line: str, path: str, expected: tuple[int, int, str] | None) -> None:
    assert ignore_edit(line, RULE, path) == expected

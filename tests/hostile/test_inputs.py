"""Hostile file contents: none crashes or hangs k8slint, none stops the other files being linted."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from k8slint.lint import yamlpos
from k8slint.lint.yamlpos import YamlError, parse_documents
from tests.hostile._repo import HEALTHY, errors_of, lint_ok, make_repo, run_cli

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


def _deep_flow(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def _deep_block(depth: int) -> str:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


def _compact(depth: int) -> str:
    return "- " * depth + "x\n"


# -- contents that are simply not YAML, or not text --------------------------------------


def test_binary_file_without_a_yaml_suffix_is_silent(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"docs/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50})
    assert lint_ok(repo).result.errors == []


def test_binary_file_without_a_yaml_suffix_named_by_the_user_is_silent(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"bin/tool": bytes(range(256)) * 8})
    out = run_cli(["--format", "json", "bin/tool", "k8s"], cwd=repo)
    assert out.returncode == 1, out.stderr
    assert json.loads(out.stdout)["errors"] == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x00\x01\x02kind: x\n" * 20, id="nul-bytes"),
        pytest.param(b"kind: ConfigMap\nname: caf\xe9\xff\n", id="invalid-utf-8"),
        pytest.param(
            b"\xff\xfe" + "kind: \ud800x".encode("utf-16-le", "surrogatepass"), id="bad-utf-16"
        ),
    ],
)
def test_undecodable_yaml_is_an_error_for_that_file(tmp_path: Path, content: bytes) -> None:
    repo = make_repo(tmp_path, {"k8s/broken.yaml": content})
    run = lint_ok(repo)
    assert errors_of(run, "k8s/broken.yaml") == ["cannot read: not UTF-8/UTF-16 text"]


def test_undecodable_python_source_is_silent(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/main.py": b"print('caf\xe9')\n"})
    assert lint_ok(repo).result.errors == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_text_with_a_bom_is_read(tmp_path: Path, encoding: str) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    repo = make_repo(tmp_path, {"k8s/other.yaml": bom + HEALTHY.encode(encoding)})
    run = lint_ok(repo)
    assert run.result.errors == []
    found = [(f.rule, f.loc.path, f.loc.line) for f in run.result.findings]
    assert ("duplicate-key", "k8s/other.yaml", 7) in found


def test_crlf_line_ends_keep_positions(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"k8s/crlf.yaml": HEALTHY.replace("\n", "\r\n")})
    run = lint_ok(repo)
    assert run.result.errors == []
    assert ("duplicate-key", "k8s/crlf.yaml", 7, 3) in [
        (f.rule, f.loc.path, f.loc.line, f.loc.col) for f in run.result.findings
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("apiVersion: v1\nkind: ConfigMap\n\tmetadata: {}\n", id="tab-indent"),
        pytest.param(
            "apiVersion: v1\t\nkind: ConfigMap\t\nmetadata:\n  name: t\t\n", id="tab-after"
        ),
        pytest.param("a:\n\t- b\n", id="tab-before-dash"),
    ],
)
def test_tabs_never_crash(tmp_path: Path, text: str) -> None:
    repo = make_repo(tmp_path, {"k8s/tabs.yaml": text})
    run = lint_ok(repo)
    for message in errors_of(run, "k8s/tabs.yaml"):
        assert message.startswith("invalid YAML")


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "---\n", "---\n---\n...\n", "# only a comment\n", "\ufeff", "---\n# c\n---\n"],
)
def test_empty_and_document_marker_only_files_are_clean(tmp_path: Path, text: str) -> None:
    repo = make_repo(tmp_path, {"k8s/empty.yaml": text, "k8s/kustomization.yaml": text})
    assert errors_of(lint_ok(repo), "k8s/empty.yaml") == []


def test_json_manifest_is_linted(tmp_path: Path) -> None:
    body = json.loads(json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}))
    body["metadata"] = {"name": "json-cm"}
    text = json.dumps(body, indent=2).replace(
        '"data": {', '"data": {\n    "b": "0",\n    "b": "1",'
    )
    repo = make_repo(tmp_path, {"k8s/cm.json": text})
    run = lint_ok(repo)
    assert run.result.errors == []
    assert "k8s/cm.json" in {f.loc.path for f in run.result.findings if f.rule == "duplicate-key"}


def test_helm_template_is_skipped_not_an_error(tmp_path: Path) -> None:
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
        "data:\n{{- range .Values.items }}\n  {{ .key }}: {{ .value | quote }}\n{{- end }}\n"
    )
    repo = make_repo(
        tmp_path,
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
            "chart/templates/cm.yaml": template,
            "k8s/stray-template.yaml": template,
        },
    )
    assert lint_ok(repo).result.errors == []


def test_compose_override_and_reset_tags(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n",
            "compose.override.yaml": (
                "services:\n  web:\n    ports: !override ['8080:80']\n"
                "    environment: !reset {}\n    volumes: !reset []\n    command: !reset null\n"
            ),
        },
    )
    assert lint_ok(repo).result.errors == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: !!bool maybe\n", id="bool"),
        pytest.param("a: !!int ''\n", id="empty-int"),
        pytest.param("a: !!float ''\n", id="empty-float"),
        pytest.param("a: !!int 0x\n", id="int-0x"),
        pytest.param("a: !!int 1:2:\n", id="int-sexagesimal"),
        pytest.param("a: !!float 1:x\n", id="float-sexagesimal"),
        pytest.param("!!bool yes?: 1\n", id="bool-key"),
        pytest.param("a: !!timestamp 2001-13-45\n", id="timestamp"),
        pytest.param("a: !!binary '%%%'\n", id="binary"),
        pytest.param("a: !!python/object:os.system ls\n", id="python-tag"),
        pytest.param("? [a, b]\n: c\n? {x: y}\n: d\n", id="complex-keys"),
        pytest.param("a: &x {b: *x}\n", id="recursive-alias"),
        pytest.param("a: &x [*x, *x, *x]\n", id="recursive-fanout"),
        pytest.param("a: *undefined\n", id="undefined-alias"),
        pytest.param("a: {<<: 1, <<: [2, *x]}\n", id="bad-merge"),
        pytest.param("%YAML 1.1\n%TAG ! tag:x,2000:\n---\na: !foo 1\n", id="directives"),
        pytest.param("a: 1\n\x00b: 2\n", id="nul-inside"),
        pytest.param("a: '\x85\u2028\u2029'\nb: \x85c\n", id="unicode-breaks"),
        pytest.param("a: \ud800\n", id="lone-surrogate"),
    ],
)
def test_strange_yaml_never_crashes(tmp_path: Path, text: str) -> None:
    with contextlib.suppress(YamlError):
        parse_documents(text, "strange.yaml")
    content = text.encode("utf-8", "surrogatepass")
    repo = make_repo(tmp_path, {"k8s/strange.yaml": content})
    lint_ok(repo)


# -- bounded resources --------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", [_deep_flow, _deep_block, _compact], ids=["flow", "block", "compact"]
)
def test_10000_deep_nesting_is_an_error_for_that_file(tmp_path: Path, shape) -> None:  # type: ignore[no-untyped-def]
    depth = 10_000 if shape is not _deep_block else 2_000  # 10,000 block levels take 100 MB
    repo = make_repo(tmp_path, {"k8s/deep.yaml": shape(depth)})
    run = lint_ok(repo)
    assert errors_of(run, "k8s/deep.yaml") == [f"nesting deeper than {yamlpos.MAX_DEPTH} levels"]


@pytest.mark.parametrize("depth", [100_000, 2_000_000])
def test_nesting_that_crashes_libyaml_is_refused_before_composing(
    tmp_path: Path, depth: int
) -> None:
    """libyaml's composer recurses in C: ~50,000 levels overflow the stack (a segfault), and
    it slows down with the square of the depth, so the text is measured before it is composed."""
    repo = make_repo(tmp_path, {"k8s/deep.yaml": _deep_flow(depth), "k8s/c.yaml": _compact(depth)})
    out = run_cli(["--format", "json", "."], cwd=repo, timeout=120)
    assert out.returncode == 2, out.stderr[-2000:]
    report = json.loads(out.stdout)
    errors = {e["file"]: e["message"] for e in report["errors"]}
    assert errors == {
        "k8s/deep.yaml": f"nesting deeper than {yamlpos.MAX_DEPTH} levels",
        "k8s/c.yaml": f"nesting deeper than {yamlpos.MAX_DEPTH} levels",
    }
    assert [f["rule"] for f in report["findings"]] == ["duplicate-key"]


def test_deep_but_legal_nesting_is_read() -> None:
    depth = yamlpos.MAX_DEPTH - 10
    (document,), _ = parse_documents(_deep_flow(depth), "deep.yaml")
    value = document.root["a"]
    for _ in range(depth - 1):
        (value,) = value
    assert value == []


def test_long_lines_and_many_brackets_are_still_parsed() -> None:
    """The depth pre-scan over-estimates; a file it suspects is measured exactly, not refused."""
    flat = "items: [" + ", ".join(f"{{a: [{i}], b: '[[['}}" for i in range(3000)) + "]\n"
    (document,), _ = parse_documents(flat, "flat.yaml")
    assert len(document.root["items"]) == 3000
    assert document.root["items"][7] == {"a": [7], "b": "[[["}

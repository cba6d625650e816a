"""Mutated real files never break k8slint: no exception escapes, the exit code is 0, 1 or 2, and
the JSON report always parses.

A handful of ../shared/corpus files (a compose project, a kustomize base and its resources, a
multi-document manifest, Grafana provisioning) are copied into a fresh repo; hypothesis drops,
repeats and re-indents lines, inserts random bytes and truncates one of them, and the CLI runs
in-process. Derandomized and bounded, so CI sees the same 60 examples every time.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slint.lint.cli import main
from tests.conftest import CORPUS

SOURCES = (
    "stefanprodan__dockprom/docker-compose.yml",
    "stefanprodan__dockprom/grafana/provisioning/datasources/datasource.yml",
    "stefanprodan__dockprom/grafana/provisioning/dashboards/dashboard.yml",
    "GoogleCloudPlatform__microservices-demo/kustomize/base",
    "istio__istio/samples/ratelimit/rate-limit-service.yaml",
)
TARGETS = (
    "stefanprodan__dockprom/docker-compose.yml",
    "stefanprodan__dockprom/grafana/provisioning/datasources/datasource.yml",
    "GoogleCloudPlatform__microservices-demo/kustomize/base/kustomization.yaml",
    "GoogleCloudPlatform__microservices-demo/kustomize/base/frontend.yaml",
    "istio__istio/samples/ratelimit/rate-limit-service.yaml",
)


def _originals() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for source in SOURCES:
        path = CORPUS / source
        for item in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if item.is_file():
                files[item.relative_to(CORPUS).as_posix()] = item.read_bytes()
    return files


ORIGINALS = _originals() if CORPUS.is_dir() else {}

_index = st.integers(min_value=0, max_value=10**6)
MUTATION = st.one_of(
    st.tuples(st.just("drop"), _index, st.integers(1, 3)),
    st.tuples(st.just("repeat"), _index, st.integers(1, 3)),
    st.tuples(st.just("indent"), _index, st.integers(-6, 6)),
    st.tuples(st.just("insert"), _index, st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("truncate"), _index, st.just(0)),
)


def mutate(data: bytes, mutations: list[tuple[str, int, object]]) -> bytes:
    for op, at, arg in mutations:
        lines = data.splitlines(keepends=True) or [b""]
        i = at % len(lines)
        if op == "drop":
            del lines[i : i + int(arg)]  # type: ignore[call-overload]
        elif op == "repeat":
            lines[i:i] = lines[i : i + 1] * int(arg)  # type: ignore[call-overload]
        elif op == "indent":
            shift = int(arg)  # type: ignore[call-overload]
            line = lines[i]
            lines[i] = b" " * shift + line if shift >= 0 else line[min(-shift, len(line)) :]
        elif op == "insert":
            position = at % (len(data) + 1)
            data = data[:position] + arg + data[position:]  # type: ignore[operator]
            continue
        else:  # truncate
            data = data[: at % (len(data) + 1)]
            continue
        data = b"".join(lines)
    return data


@pytest.mark.skipif(not ORIGINALS, reason="../shared/corpus is not present")
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(target=st.sampled_from(TARGETS), mutations=st.lists(MUTATION, min_size=1, max_size=5))
def test_mutated_corpus_files_never_break_the_linter(
    target: str, mutations: list[tuple[str, int, object]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / ".git").mkdir()  # the project root
        for rel, data in ORIGINALS.items():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_bytes(mutate(data, mutations) if rel == target else data)
        report = repo / "report.json"
        code = main([str(repo), "--format", "json", "--output", str(report)])
        assert code in (0, 1, 2)
        result = json.loads(report.read_text(encoding="utf-8"))
        assert isinstance(result["findings"], list)
        for error in result["errors"]:
            assert "crashed" not in error["message"], error
            assert "internal error" not in error["message"], error


def test_mutations_do_what_they_say() -> None:
    text = b"a: 1\nb: 2\nc: 3\n"
    assert mutate(text, [("drop", 1, 1)]) == b"a: 1\nc: 3\n"
    assert mutate(text, [("repeat", 4, 2)]) == b"a: 1\nb: 2\nb: 2\nb: 2\nc: 3\n"
    assert mutate(text, [("indent", 2, 2)]) == b"a: 1\nb: 2\n  c: 3\n"
    assert mutate(text, [("indent", 0, -9)]) == b"b: 2\nc: 3\n"
    assert mutate(text, [("insert", 3, b"\xff")]) == b"a: \xff1\nb: 2\nc: 3\n"
    assert mutate(text, [("truncate", 7, 0)]) == b"a: 1\nb:"

"""Conformance with `kustomize build`: every kustomization root, built both ways.

Runs when `kustomize` or `kubectl` is on PATH. For each root in tests/kustomize/cases and in
../shared/corpus, the real tool's output and ours are parsed to plain objects and compared as
sets of canonical JSON (order-insensitive, semantic equality). Where the real tool fails
(remote resources, files outside the kustomization root, a component built alone...) ours must
not crash and must say why (an error, a note or a missing reference). Known, explained
differences are listed in KNOWN_DIFFERENCES; any other difference fails the test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from k8slint.lint.kustomize import build, find_kustomizations, find_roots, render
from k8slint.lint.kustomize.nodes import to_plain
from k8slint.lint.load import Project
from k8slint.lint.yamlpos import parse_documents

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
CORPUS = HERE.parents[2] / "shared" / "corpus"  # /work/main/tests/kustomize -> /work/shared
TIMEOUT = 60

BENCH_SYNTH = Path(__file__).resolve().parents[2] / "bench" / "synth.py"
KNOWN_DIFFERENCES: dict[str, str] = {
    # "<tree>:<root>": "why the objects differ",
}

_TOOL = shutil.which("kustomize") or shutil.which("kubectl")
pytestmark = pytest.mark.skipif(_TOOL is None, reason="neither kustomize nor kubectl on PATH")


def _synth():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_synth", BENCH_SYNTH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference(directory: Path) -> tuple[list[object] | None, str]:
    assert _TOOL is not None
    command = [_TOOL, "build" if _TOOL.endswith("kustomize") else "kustomize", str(directory)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    if done.returncode != 0:
        return None, done.stderr.strip().splitlines()[-1][
            -300:
        ] if done.stderr.strip() else "failed"
    return _plain(done.stdout), ""


def _plain(text: str) -> list[object]:
    documents, _ = parse_documents(text, "-")
    return [to_plain(d.root) for d in documents if d.root is not None]


def _canonical(objects: list[object]) -> list[str]:
    return sorted(json.dumps(o, sort_keys=True) for o in objects)


def _roots(tree: Path) -> list[str]:
    files = [p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()]
    return find_roots(Project(tree), find_kustomizations(files))


def _trees() -> list[tuple[str, Path]]:
    trees = [("cases", CASES)]
    if CORPUS.is_dir():
        trees.append(("corpus", CORPUS))
    return trees


def test_builds_match_kustomize() -> None:
    found = identical = 0
    refused: list[str] = []
    differences: list[str] = []
    unexplained: list[str] = []
    for label, tree in _trees():
        project = Project(tree)
        for root in _roots(tree):
            found += 1
            key = f"{label}:{root}"
            ours = build(project, root)  # must never raise
            expected, failure = _reference(tree / root)
            if expected is None:
                said = ours.errors or ours.notes or ours.missing
                refused.append(f"{key}: kustomize fails ({failure}); ours: {_first(ours)}")
                if not said:
                    unexplained.append(f"{key}: kustomize fails ({failure}) but ours is silent")
                continue
            got = _plain(render(ours))
            if _canonical(got) == _canonical(expected):
                identical += 1
                if key in KNOWN_DIFFERENCES:
                    unexplained.append(f"{key}: listed as a known difference but now identical")
                continue
            cause = KNOWN_DIFFERENCES.get(key)
            differences.append(f"{key}: {cause or 'UNEXPLAINED'}")
            if cause is None:
                unexplained.append(f"{key}: {_diff(got, expected)}")
    summary = "\n".join(
        [
            f"kustomization roots found: {found}",
            f"built by kustomize: {found - len(refused)}; identical: {identical}",
            f"differing: {len(differences)}",
            *[f"  {d}" for d in differences],
            f"refused by kustomize itself: {len(refused)}",
            *[f"  {r}" for r in refused],
        ]
    )
    print(summary)
    assert found > 0
    assert not unexplained, "\n".join(unexplained) + "\n\n" + summary


def _first(result: object) -> str:
    for attr in ("errors", "missing", "notes"):
        items = getattr(result, attr)
        if items:
            item = items[0]
            text = getattr(item, "message", None) or getattr(item, "reason", "")
            return f"{attr[:-1] if attr != 'missing' else 'missing'}: {text}"[:160]
    return "nothing"


def _diff(got: list[object], expected: list[object]) -> str:
    ours, theirs = set(_canonical(got)), set(_canonical(expected))
    lines = [f"only kustomize: {x[:400]}" for x in sorted(theirs - ours)[:2]]
    lines += [f"only ours: {x[:400]}" for x in sorted(ours - theirs)[:2]]
    return "\n    ".join(lines)


def test_synthetic_overlay_matches_kustomize(tmp_path: Path) -> None:
    """The speed benchmark's repository (bench/synth.py; 60 app groups here, to stay quick)."""
    _synth().write_repo(tmp_path, 60)
    overlay = "k8s/overlays/production"
    expected, failure = _reference(tmp_path / overlay)
    assert expected is not None, failure
    got = _plain(render(build(Project(tmp_path), overlay)))
    assert len(got) > 60 * 6  # every app group's objects, generated ones included
    assert _canonical(got) == _canonical(expected)

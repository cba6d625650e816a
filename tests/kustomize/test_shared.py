"""Sub-builds shared by the roots of a run: exactly what building each root alone gives."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from k8slint.lint.kustomize import Build, build, find_kustomizations, find_roots, sub_builds
from k8slint.lint.kustomize.build import MAX_NESTING
from k8slint.lint.kustomize.resource import Res
from k8slint.lint.kustomize.shared import Records, SubBuilds
from k8slint.lint.load import Project
from k8slint.lint.locate import Loc
from k8slint.lint.yamlpos import YMap, YSeq

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      serviceAccountName: {name}
      containers:
      - name: app
        image: nginx:1.0
        envFrom:
        - configMapRef:
            name: {name}-config
        - secretRef:
            name: {name}-secret
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
  - port: 80
"""


def kustomization(body: str) -> str:
    return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + body


def base(name: str, extra: str = "") -> dict[str, str]:
    """A base with a workload, labels, annotations and both generators."""
    body = f"""\
resources:
- app.yaml
labels:
- pairs:
    team: {name}
  includeSelectors: true
commonAnnotations:
  owner: {name}
configMapGenerator:
- name: {name}-config
  literals: [LEVEL=info]
secretGenerator:
- name: {name}-secret
  literals: [password=s3cret]
"""
    return {
        f"{name}/app.yaml": DEPLOYMENT.format(name=name),
        f"{name}/kustomization.yaml": kustomization(body + extra),
    }


SCENARIOS: dict[str, dict[str, str]] = {
    "overlays over the same bases": {
        **base("one"),
        **base("two"),
        "staging/kustomization.yaml": kustomization(
            "namespace: staging\nnamePrefix: stag-\nresources:\n- ../one\n- ../two\n"
            "images:\n- name: nginx\n  newTag: '2'\nreplicas:\n- name: one\n  count: 3\n"
        ),
        "production/kustomization.yaml": kustomization(
            "namespace: prod\nnameSuffix: -p\nresources:\n- ../two\n- ../one\n"
            "configMapGenerator:\n- name: one-config\n  behavior: merge\n  literals: [B=2]\n"
        ),
    },
    "a cycle seen from two chains": {
        "r1/kustomization.yaml": kustomization("resources:\n- ../x\n"),
        "r2/kustomization.yaml": kustomization("resources:\n- ../y\n"),
        "x/kustomization.yaml": kustomization("resources:\n- ../y\n"),
        "y/kustomization.yaml": kustomization("resources:\n- ../x\n- ../z\n"),
        **base("z"),
        "r3/kustomization.yaml": kustomization("resources:\n- ../z\n"),
    },
    "an includer that left out a remote resource": {
        **base(
            "b",
            "patches:\n- target:\n    kind: Deployment\n    name: nothere\n"
            "  patch: |\n    - op: add\n      path: /metadata/labels/x\n      value: y\n",
        ),
        "remote/kustomization.yaml": kustomization(
            "resources:\n- https://example.com/remote.yaml\n- ../b\n"
        ),
        "local/kustomization.yaml": kustomization("resources:\n- ../b\n"),
        "helm/kustomization.yaml": kustomization("helmCharts:\n- name: c\nresources:\n- ../b\n"),
    },
    "configurations of the includer": {
        **base(
            "b",
            "configurations:\n- conf.yaml\nvars:\n- name: SVC\n  objref:\n"
            "    kind: Service\n    name: b\n    apiVersion: v1\n",
        ),
        "b/conf.yaml": "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n"
        "  - path: spec/configName\n    kind: Service\n",
        "with/kustomization.yaml": kustomization(
            "configurations:\n- conf.yaml\nresources:\n- ../b\n"
        ),
        "with/conf.yaml": "commonAnnotations:\n- path: spec/extra\n  kind: Service\n"
        "  create: true\n",
        "without/kustomization.yaml": kustomization("resources:\n- ../b\n"),
    },
    "a component listed as a resource": {
        **base("b"),
        "c/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
        "kind: Component\nnamePrefix: c-\nresources:\n- ../b\n",
        "r1/kustomization.yaml": kustomization("resources:\n- ../c\n"),
        "r2/kustomization.yaml": kustomization("resources:\n- ../b\ncomponents:\n- ../c\n"),
    },
    "a base under two intermediates of one root": {
        **base("b"),
        "m1/kustomization.yaml": kustomization("namePrefix: a-\nresources:\n- ../b\n"),
        "m2/kustomization.yaml": kustomization("namePrefix: b-\nresources:\n- ../b\n"),
        "r/kustomization.yaml": kustomization("resources:\n- ../m1\n- ../m2\n"),
        "again/kustomization.yaml": kustomization("resources:\n- ../m1\n- ../b/\n"),
    },
    "missing files, notes and broken kustomizations": {
        **base(
            "b",
            "patches:\n- path: nothere.yaml\nvalidators:\n- v.yaml\ntransformers:\n- plugin.yaml\n",
        ),
        "b/plugin.yaml": "apiVersion: example.com/v1\nkind: MyPlugin\nmetadata:\n  name: p\n",
        "bad/kustomization.yaml": "resources: [\n- x\n",
        "r1/kustomization.yaml": kustomization("resources:\n- ../b\n- ../bad\n"),
        "r2/kustomization.yaml": kustomization("namePrefix: p-\nresources:\n- ../bad\n- ../b\n"),
    },
    "generator and transformer directories": {
        **base("b", "generators:\n- ../gen\ntransformers:\n- ../tr\n"),
        "gen/kustomization.yaml": kustomization("resources:\n- gen.yaml\n"),
        "gen/gen.yaml": "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n"
        "  name: generated\nliterals:\n- K=V\n",
        "tr/kustomization.yaml": kustomization("resources:\n- prefix.yaml\n"),
        "tr/prefix.yaml": "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n"
        "  name: t\nprefix: t-\n",
        "r1/kustomization.yaml": kustomization("resources:\n- ../b\n"),
        "r2/kustomization.yaml": kustomization("resources:\n- ../b\ngenerators:\n- ../gen\n"),
    },
}


def write(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return list(files)


def located(value: Any) -> Any:
    """A located tree as plain data: every value, type, Loc and tag."""
    if isinstance(value, YMap):
        return (
            "map",
            value.loc,
            value.tags,
            [
                (k, value.key_locs.get(k), value.value_locs.get(k), located(v))
                for k, v in value.items()
            ],
        )
    if isinstance(value, YSeq):
        return ("seq", value.loc, value.tag, value.item_locs, [located(v) for v in value])
    return (type(value).__name__, value)


def everything(built: Build) -> Any:
    return (
        built.root,
        [located(o) for o in built.objects],
        built.files,
        built.notes,
        built.missing,
        built.errors,
    )


@pytest.mark.parametrize("name", SCENARIOS)
def test_shared_builds_are_the_builds_of_each_root_alone(tmp_path: Path, name: str) -> None:
    files = write(tmp_path, SCENARIOS[name])
    directories = find_kustomizations(files)
    roots = find_roots(Project(tmp_path), directories)
    assert len(roots) > 1
    alone = [everything(build(Project(tmp_path), root)) for root in roots]
    project = Project(tmp_path)
    shared = sub_builds(project, directories)
    assert [everything(build(project, root, shared)) for root in roots] == alone


def test_overlays_share_their_bases(tmp_path: Path) -> None:
    files = write(tmp_path, SCENARIOS["overlays over the same bases"])
    project = Project(tmp_path)
    directories = find_kustomizations(files)
    shared = sub_builds(project, directories)
    staging = build(project, "staging", shared)
    assert shared.wanted("one") and shared.wanted("two")  # production lists them too
    production = build(project, "production", shared)
    assert not shared.wanted("one") and not shared.wanted("two")
    assert len(staging.objects) == len(production.objects) == 8


def resources(name: str) -> list[Res]:
    obj = YMap(Loc.point("a.yaml", 1))
    obj.set_located("kind", name, obj.loc, obj.loc)
    return [Res(obj)]


def records(about_includer: bool = False) -> Records:
    return Records({"notes": ()}, False, about_includer)


def test_the_last_expected_includer_gets_the_kept_resources() -> None:
    shared = SubBuilds({"base": 3})
    assert shared.take("base", "context", ("a",)) is None
    kept = resources("Deployment")
    first = shared.keep("base", "context", ("a",), kept, records())
    assert first[0] is not kept[0] and first[0].obj == kept[0].obj
    second = shared.take("base", "context", ("b",))
    assert second is not None and second[0][0] is not kept[0]
    last = shared.take("base", "context", ("c",))
    assert last is not None and last[0] is kept  # handed over, not copied
    assert shared.take("base", "context", ("d",)) is None  # and no longer kept
    assert not shared.wanted("base")


def test_a_kept_build_fits_only_its_context_and_no_deeper_chain() -> None:
    shared = SubBuilds({"base": 10})
    assert shared.take("base", "context", ("r", "m")) is None
    kept = resources("Service")
    shared.keep("base", "context", ("r", "m"), kept, records())
    assert shared.take("base", "other context", ("r", "m")) is None
    assert shared.take("base", "context", ("r", "m", "n")) is None  # deeper than it was built
    taken = shared.take("base", "context", ("q",))
    assert taken is not None and taken[0][0].obj == kept[0].obj


def test_a_deep_chain_nests_too_deep_even_when_its_tail_was_built_shallower(
    tmp_path: Path,
) -> None:
    """A chain deeper than MAX_NESTING is an error at the same level on every Python (it once
    hit the interpreter's recursion limit instead, at a level that differs between Pythons);
    the half chain built shallower first and kept must not be reused down there, or the deep
    build would succeed."""
    depth = MAX_NESTING + MAX_NESTING // 2
    files = {"tail/app.yaml": DEPLOYMENT.format(name="tail")}
    for level in range(depth):
        entry = f"../d{level + 1}" if level + 1 < depth else "../tail"
        files[f"d{level}/kustomization.yaml"] = kustomization(f"resources:\n- {entry}\n")
    files["tail/kustomization.yaml"] = kustomization("resources:\n- app.yaml\n")
    half = f"d{depth // 2}"
    files["a/kustomization.yaml"] = kustomization(f"resources:\n- ../{half}\n")
    directories = find_kustomizations(write(tmp_path, files))
    project = Project(tmp_path)
    shared = sub_builds(project, directories)
    shallow = build(project, "a", shared)  # keeps the half chain, built one includer deep
    deep = build(project, "d0", shared)
    assert len(shallow.objects) == 2 and shallow.errors == []
    assert [e.message for e in deep.errors] == [
        f"kustomizations nest too deep (more than {MAX_NESTING} levels)"
    ]
    assert everything(deep) == everything(build(Project(tmp_path), "d0"))


def test_a_build_that_names_its_includer_is_not_kept() -> None:
    shared = SubBuilds({"base": 2})
    assert shared.take("base", "context", ("r",)) is None
    kept = resources("Deployment")
    assert shared.keep("base", "context", ("r",), kept, records(about_includer=True)) is kept
    assert shared.take("base", "context", ("r",)) is None

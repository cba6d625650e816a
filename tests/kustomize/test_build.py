"""The offline kustomize build: built values, their Locs, and the safety rules."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from k8slint.lint.findings import Severity
from k8slint.lint.kustomize import (
    KUSTOMIZATION_NAMES,
    build,
    find_kustomizations,
    find_roots,
    render,
)
from k8slint.lint.kustomize.generators import content_hash, parse_env
from k8slint.lint.load import Project

CASES = Path(__file__).parent / "cases"


def write(root: Path, files: dict[str, str]) -> Project:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return Project(root)


def by_id(objects, kind: str, name: str):
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, [(o["kind"], o["metadata"]["name"]) for o in objects]
    return found[0]


@pytest.fixture(scope="module")
def production():
    result = build(Project(CASES), "shop/overlays/production")
    assert result.errors == [] and result.missing == [] and result.notes == []
    return result


# -- built values ----------------------------------------------------------------------------


def test_overlay_objects_and_name_references(production) -> None:
    deployment = by_id(production.objects, "Deployment", "prod-shop-v2")
    assert deployment["metadata"]["namespace"] == "shop-prod"
    assert deployment["spec"]["replicas"] == 4
    pod = deployment["spec"]["template"]["spec"]
    web, sidecar = pod["containers"]
    assert web["image"] == "registry.example.com/shop-prod:1.2.3"
    assert sidecar["image"].startswith("busybox@sha256:aaaa")
    # generated names carry the hash kubectl computes; references follow
    assert web["envFrom"][0]["configMapRef"]["name"] == "prod-shop-config-v2-87kg64k7d8"
    secret_ref = web["env"][1]["valueFrom"]["secretKeyRef"]["name"]
    assert secret_ref == "prod-shop-secret-v2-cmk67276dt"
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "prod-shop-data-v2"
    assert pod["volumes"][1]["projected"]["sources"][0]["configMap"]["name"] == (
        "prod-shop-config-v2-87kg64k7d8"
    )
    assert pod["imagePullSecrets"] == [{"name": "prod-regcred-v2"}]
    assert pod["serviceAccountName"] == "prod-shop-v2"
    # a strategic merge patch puts its env entry first, as kustomize does
    assert [e["name"] for e in web["env"]] == ["MODE", "DB_PASSWORD"]
    ingress = by_id(production.objects, "Ingress", "prod-shop-v2")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "prod-shop-v2"
    hpa = by_id(production.objects, "HorizontalPodAutoscaler", "prod-shop-v2")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "prod-shop-v2"


def test_generator_merge_from_component_and_overlay(production) -> None:
    config = by_id(production.objects, "ConfigMap", "prod-shop-config-v2-87kg64k7d8")
    assert config["data"]["LOG_LEVEL"] == "warn"
    assert config["data"]["TRACING"] == "on"
    assert config["data"]["GREETING"] == "hello world"  # quotes of a literal are removed
    assert config["data"]["app.properties"] == "server.port=8080\ncache.enabled=true\n"


def test_selectors_get_labels_where_kustomize_puts_them(production) -> None:
    service = by_id(production.objects, "Service", "prod-shop-v2")
    assert service["spec"]["selector"] == {"component": "web", "app.kubernetes.io/name": "shop"}
    deployment = by_id(production.objects, "Deployment", "prod-shop-v2")
    assert deployment["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "shop"
    assert deployment["spec"]["template"]["metadata"]["annotations"] == {
        "tracing.example.com/enabled": "true",
        "backend-service": "prod-shop-v2",
        "owner": "team-shop",
    }


# -- positions -------------------------------------------------------------------------------


def test_values_point_at_the_line_to_edit(production) -> None:
    deployment = by_id(production.objects, "Deployment", "prod-shop-v2")
    kust = "shop/overlays/production/kustomization.yaml"
    web = deployment["spec"]["template"]["spec"]["containers"][0]
    assert web.value_loc("image")[:2] == (kust, 16)  # the newTag line
    limits = web["resources"]["limits"]
    assert limits.value_loc("memory")[:2] == ("shop/overlays/production/resources-patch.yaml", 12)
    assert deployment["metadata"].value_loc("namespace")[:2] == (kust, 3)
    assert deployment["spec"].value_loc("replicas")[:2] == (kust, 21)
    # the name is edited where the object is named, not where the prefix is
    assert deployment["metadata"].value_loc("name")[:2] == ("shop/base/deployment.yaml", 4)
    assert deployment.value_loc("kind")[:2] == ("shop/base/deployment.yaml", 2)
    service = by_id(production.objects, "Service", "prod-shop-v2")
    port = service["spec"]["ports"][0]
    assert port["port"] == 8080
    assert port.value_loc("port")[:2] == (kust, 30)  # inside the inline JSON patch
    ingress = by_id(production.objects, "Ingress", "prod-shop-v2")
    host_loc = ingress["spec"]["rules"][0].value_loc("host")
    assert host_loc[:2] == ("shop/overlays/production/ingress-host.yaml", 3)


def test_generated_entries_point_at_literal_env_and_file_lines(production) -> None:
    config = by_id(production.objects, "ConfigMap", "prod-shop-config-v2-87kg64k7d8")
    data = config["data"]
    assert data.value_loc("GREETING")[:2] == ("shop/base/kustomization.yaml", 16)
    assert data.value_loc("LOG_LEVEL")[:2] == ("shop/overlays/production/kustomization.yaml", 42)
    assert data.value_loc("TRACING")[:2] == ("shop/components/tracing/kustomization.yaml", 15)
    assert data.value_loc("app.properties")[:2] == ("shop/base/app.properties", 1)
    secret = by_id(production.objects, "Secret", "prod-shop-secret-v2-cmk67276dt")
    assert secret["data"]["DB_PASSWORD"] == "czNjcjN0"
    assert secret["data"].value_loc("DB_PASSWORD")[:2] == ("shop/base/secret.env", 3)
    assert config["metadata"].value_loc("name")[:2] == ("shop/base/kustomization.yaml", 13)


def test_files_lists_every_contributor(production) -> None:
    assert {
        "shop/base/kustomization.yaml",
        "shop/base/secret.env",
        "shop/base/app.properties",
        "shop/components/tracing/kustomization.yaml",
        "shop/overlays/production/resources-patch.yaml",
        "shop/overlays/production/ingress-host.yaml",
        "shop/overlays/production/hpa.yaml",
    } <= production.files


# -- the hash --------------------------------------------------------------------------------


def test_hash_matches_kubectl(tmp_path: Path) -> None:
    # suffixes printed by `kubectl kustomize` (kustomize v5.5.0) for these generators
    project = write(
        tmp_path,
        {
            "kustomization.yaml": """\
                configMapGenerator:
                - name: cfg
                  literals: [A=1]
                secretGenerator:
                - name: sec
                  literals: [A=1]
                """
        },
    )
    names = sorted(o["metadata"]["name"] for o in build(project, "").objects)
    assert names == ["cfg-89g4tffbfk", "sec-526mcbf5c2"]


def test_hash_ignores_the_name_like_kustomize() -> None:
    from k8slint.lint.yamlpos import parse_documents

    docs = [
        parse_documents(f"kind: ConfigMap\nmetadata: {{name: {n}}}\ndata: {{A: '1'}}\n", "x")[0][
            0
        ].root
        for n in ("a", "b")
    ]
    assert content_hash(docs[0]) == content_hash(docs[1]) == "89g4tffbfk"


def test_env_file_is_read_verbatim() -> None:
    entries = parse_env('X="dq"\n  Z = sp \n# comment\n\nW\n', "e.env")
    assert [(e.key, e.value, e.value_loc.line) for e in entries] == [
        ("X", '"dq"', 1),
        ("Z ", " sp ", 2),
        ("W", "", 5),
    ]


# -- notes, missing inputs and safety --------------------------------------------------------


def test_remote_and_helm_are_info_notes(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "k/kustomization.yaml": """\
                resources:
                - https://github.com/example/repo//deploy?ref=v1
                - cm.yaml
                helmCharts:
                - name: redis
                  repo: https://charts.example.com
                """,
            "k/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        },
    )
    result = build(project, "k")
    assert [o["metadata"]["name"] for o in result.objects] == ["c"]
    assert result.errors == []
    messages = sorted(n.message for n in result.notes)
    assert messages == [
        "helmCharts not rendered offline; the objects it adds are not checked",
        "remote resource https://github.com/example/repo//deploy?ref=v1 "
        "not fetched (offline build); the objects it adds are not checked",
    ]
    assert all(n.severity is Severity.INFO for n in result.notes)
    assert result.notes[0].loc.path == "k/kustomization.yaml"


def test_paths_outside_the_root_are_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
    project = write(
        tmp_path / "repo",
        {"k/kustomization.yaml": "resources:\n- ../../secret.yaml\n"},
    )
    result = build(project, "k")
    assert result.objects == []
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.path, error.line) == ("k/kustomization.yaml", 2)
    assert "outside the repository root; refused" in error.message


def test_files_outside_the_kustomization_dir_warn_like_the_load_restrictor(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "app/kustomization.yaml": "resources:\n- ../shared/cm.yaml\n",
        },
    )
    result = build(project, "app")
    assert len(result.objects) == 1
    assert [n.severity for n in result.notes] == [Severity.WARNING]
    assert "LoadRestrictionsNone" in result.notes[0].message


def test_missing_inputs(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "k/kustomization.yaml": """\
                resources:
                - nope.yaml
                - ../empty
                configMapGenerator:
                - name: c
                  files: [missing.properties]
                """,
            "empty/readme.md": "x\n",
        },
    )
    result = build(project, "k")
    got = sorted((m.field, m.target, m.reason.value, m.loc.line) for m in result.missing)
    assert got == [
        ("configMapGenerator", "missing.properties", "no such file", 6),
        ("resources", "../empty", "directory has no kustomization file", 3),
        ("resources", "nope.yaml", "no such file", 2),
    ]


def test_cycles_are_errors(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "a/kustomization.yaml": "resources:\n- ../b\n",
            "b/kustomization.yaml": "resources:\n- ../a\n",
        },
    )
    result = build(project, "a")
    assert any("kustomization cycle: a -> b -> a" in e.message for e in result.errors)


def test_plugins_never_run(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "k/kustomization.yaml": "transformers:\n- plugin.yaml\nresources:\n- cm.yaml\n",
            "k/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "k/plugin.yaml": """\
                apiVersion: example.com/v1
                kind: RunAnything
                metadata:
                  name: evil
                  annotations:
                    config.kubernetes.io/function: |
                      exec:
                        path: /bin/rm
                """,
        },
    )
    result = build(project, "k")
    assert [o["metadata"]["name"] for o in result.objects] == ["c"]
    assert "plugin RunAnything not run" in result.notes[0].message


def test_builtin_plugin_config_runs(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "k/kustomization.yaml": "transformers:\n- prefix.yaml\nresources:\n- cm.yaml\n",
            "k/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "k/prefix.yaml": (
                "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: p}\n"
                "prefix: x-\nfieldSpecs:\n- path: metadata/name\n"
            ),
        },
    )
    assert [o["metadata"]["name"] for o in build(project, "k").objects] == ["x-c"]


def test_patch_delete_and_local_config(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "k/kustomization.yaml": """\
                resources: [r.yaml]
                patches:
                - patch: |-
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: gone
                    $patch: delete
                """,
            "k/r.yaml": """\
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: gone}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: local
                  annotations: {config.kubernetes.io/local-config: "true"}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: kept}
                """,
        },
    )
    assert [o["metadata"]["name"] for o in build(project, "k").objects] == ["kept"]


# -- roots and rendering ---------------------------------------------------------------------


def test_find_roots() -> None:
    project = Project(CASES)
    files = [p.relative_to(CASES).as_posix() for p in CASES.rglob("*") if p.is_file()]
    dirs = find_kustomizations(files)
    assert "shop/base" in dirs and "shop/components/tracing" in dirs
    assert find_roots(project, dirs) == ["shop/overlays/dev", "shop/overlays/production"]
    assert KUSTOMIZATION_NAMES == ("kustomization.yaml", "kustomization.yml", "Kustomization")


def test_render_like_kubectl(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "kustomization.yaml": "resources: [r.yaml]\n",
            "r.yaml": """\
                kind: Deployment
                apiVersion: apps/v1
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      containers:
                      - {name: c, image: nginx, args: ["a\\nb"]}
                ---
                kind: ConfigMap
                apiVersion: v1
                metadata: {name: c}
                data: {script: "line1\\nline2\\n", "on": "yes"}
                """,
        },
    )
    result = build(project, "")
    assert render(result) == textwrap.dedent(
        """\
        apiVersion: v1
        data:
          'on': 'yes'
          script: |
            line1
            line2
        kind: ConfigMap
        metadata:
          name: c
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: d
        spec:
          template:
            spec:
              containers:
              - args:
                - |-
                  a
                  b
                image: nginx
                name: c
        """
    )
    with_origins = render(result, origins=True)
    assert "  name: c  # r.yaml:12\n" in with_origins
    assert "    line1\n" in with_origins


def test_a_target_that_matches_nothing_is_a_note_not_an_error(tmp_path: Path) -> None:
    """kustomize applies a `patches` target selecting nothing as a no-op (checked with kubectl):
    the flux2 example's flux-system overlay patches controllers that `flux bootstrap` adds."""
    project = write(
        tmp_path,
        {
            "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n",
            "kustomization.yaml": """\
                resources: [cm.yaml]
                patches:
                  - target: {kind: Deployment, name: (kustomize|helm)-controller}
                    patch: |
                      - op: add
                        path: /spec/replicas
                        value: 2
                """,
        },
    )
    result = build(project, "")
    assert result.errors == []
    assert [(n.severity, n.loc.line) for n in result.notes] == [(Severity.INFO, 3)]
    assert "matches no resource" in result.notes[0].message


def test_a_component_is_never_a_root(tmp_path: Path) -> None:
    """A Component only means something inside the kustomization that includes it; built alone
    it fails (kubectl too), e.g. microservices-demo's optional kustomize/components/*."""
    project = write(
        tmp_path,
        {
            "app/kustomization.yaml": "resources: []\n",
            "components/tls/kustomization.yaml": (
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
            ),
        },
    )
    dirs = find_kustomizations(["app/kustomization.yaml", "components/tls/kustomization.yaml"])
    assert find_roots(project, dirs) == ["app"]


# -- review mends ----------------------------------------------------------------------------


def test_generator_input_over_the_size_limit_is_not_embedded(tmp_path: Path) -> None:
    from k8slint.lint.kustomize.build import Reason

    write(
        tmp_path,
        {
            "k/kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [big.txt]\n",
            "k/big.txt": "x" * 200 + "\n",
        },
    )
    result = build(Project(tmp_path, max_file_size=100), "k")
    assert [(m.field, m.target, m.path, m.reason) for m in result.missing] == [
        ("configMapGenerator", "big.txt", "k/big.txt", Reason.OVERSIZED)
    ]
    assert result.objects[0].get("data") in (None, {})


def test_generator_input_that_is_a_fifo_never_blocks(tmp_path: Path) -> None:
    import os
    import threading

    from k8slint.lint.kustomize.build import Reason

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    write(tmp_path, {"k/kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [pipe]\n"})
    os.mkfifo(tmp_path / "k/pipe")
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(build(Project(tmp_path), "k")))
    worker.daemon = True  # a blocked open() would keep it forever
    worker.start()
    worker.join(timeout=10)
    assert done, "the build blocked on a FIFO"
    result = done[0]
    assert [(m.target, m.reason) for m in result.missing] == [("pipe", Reason.UNREADABLE)]


def test_remote_patches_inputs_and_configs_are_notes(tmp_path: Path) -> None:
    from k8slint.lint.kustomize.build import NoteKind

    project = write(
        tmp_path,
        {
            "k/kustomization.yaml": """\
                resources: [cm.yaml]
                patchesStrategicMerge:
                - https://example.com/smp.yaml
                patches:
                - path: https://example.com/p.yaml
                configMapGenerator:
                - name: g
                  files: [https://example.com/f.txt]
                configurations:
                - https://example.com/config.yaml
                transformers:
                - https://example.com/t.yaml
                replacements:
                - path: https://example.com/r.yaml
                crds:
                - https://example.com/crd.json
                """,
            "k/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        },
    )
    result = build(project, "k")
    assert result.errors == [] and result.missing == []
    assert sorted(n.loc.line for n in result.notes) == [3, 5, 8, 10, 12, 14, 15, 16]
    assert {n.kind for n in result.notes} == {NoteKind.NOT_RENDERED}
    fetched = sorted(n.loc.line for n in result.notes if "not fetched (offline" in n.message)
    assert fetched == [3, 5, 8, 10, 12, 14, 16]  # 15: the crds key, whose schemas go unread


def test_note_kinds_and_final_messages(tmp_path: Path) -> None:
    from k8slint.lint.kustomize.build import NoteKind

    project = write(
        tmp_path,
        {
            "shared/team's.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\n",
            "app/kustomization.yaml": """\
                resources:
                - ../shared/team's.yaml
                validators:
                - v.yaml
                patches:
                - target: {kind: Secret}
                  patch: '[{"op": "add", "path": "/x", "value": 1}]'
                """,
        },
    )
    result = build(project, "app")
    got = sorted((n.loc.line, n.kind, n.entry) for n in result.notes)
    assert got == [
        (2, NoteKind.OUTSIDE_DIR, "../shared/team's.yaml"),
        (4, NoteKind.NOT_RENDERED, ""),
        (6, NoteKind.NO_EFFECT, ""),
    ]
    messages = {n.kind: n.message for n in result.notes}
    assert "the objects it adds" not in messages[NoteKind.NOT_RENDERED]
    assert messages[NoteKind.NO_EFFECT].endswith("the patch changes nothing")


def test_configurations_outside_the_directory_warn(tmp_path: Path) -> None:
    from k8slint.lint.kustomize.build import NoteKind

    project = write(
        tmp_path,
        {
            "shared/cfg.yaml": "nameReference: []\n",
            "app/kustomization.yaml": "configurations:\n- ../shared/cfg.yaml\n",
        },
    )
    result = build(project, "app")
    assert [(n.kind, n.loc.line) for n in result.notes] == [(NoteKind.OUTSIDE_DIR, 2)]


def test_an_oversized_resource_is_a_missing_ref_on_its_entry(tmp_path: Path) -> None:
    from k8slint.lint.kustomize.build import Reason

    write(
        tmp_path,
        {
            "k/kustomization.yaml": "resources:\n- big.yaml\n",
            "k/big.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" + "#" * 200,
        },
    )
    result = build(Project(tmp_path, max_file_size=100), "k")
    assert [(m.field, m.target, m.path, m.reason) for m in result.missing] == [
        ("resources", "big.yaml", "k/big.yaml", Reason.OVERSIZED)
    ]


def test_missing_ref_path_is_relative_to_the_kustomization_not_the_plugin(
    tmp_path: Path,
) -> None:
    project = write(
        tmp_path,
        {
            "k/kustomization.yaml": "transformers:\n- plugins/patch.yaml\n",
            "k/plugins/patch.yaml": (
                "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\npath: p.yaml\n"
            ),
        },
    )
    result = build(project, "k")
    assert [(m.loc.path, m.target, m.path) for m in result.missing] == [
        ("k/plugins/patch.yaml", "p.yaml", "k/p.yaml")
    ]


def test_replacements_file_holding_a_list(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "kustomization.yaml": "resources: [r.yaml]\nreplacements:\n- path: repl.yaml\n",
            "r.yaml": """\
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: src}
                data: {v: hello}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: dst}
                data: {a: x, b: y}
                """,
            "repl.yaml": """\
                - source: {kind: ConfigMap, name: src, fieldPath: data.v}
                  targets:
                  - select: {kind: ConfigMap, name: dst}
                    fieldPaths: [data.a]
                - source: {kind: ConfigMap, name: src, fieldPath: data.v}
                  targets:
                  - select: {kind: ConfigMap, name: dst}
                    fieldPaths: [data.b]
                """,
        },
    )
    result = build(project, "")
    assert result.errors == []
    assert by_id(result.objects, "ConfigMap", "dst")["data"] == {"a": "hello", "b": "hello"}


def test_missing_crds_entries_are_missing_refs(tmp_path: Path) -> None:
    project = write(tmp_path, {"k/kustomization.yaml": "crds:\n- crd.json\n"})
    result = build(project, "k")
    assert [(m.field, m.target, m.loc.line) for m in result.missing] == [("crds", "crd.json", 2)]


def test_patch_target_namespace_default_matches_an_unset_namespace(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "kustomization.yaml": """\
                resources: [d.yaml]
                patches:
                - target: {kind: Deployment, namespace: default}
                  patch: '[{"op": "add", "path": "/spec/replicas", "value": 5}]'
                """,
            "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n",
        },
    )
    result = build(project, "")
    assert result.notes == []
    assert result.objects[0]["spec"]["replicas"] == 5


def test_images_with_tag_and_digest(tmp_path: Path) -> None:
    digest = "sha256:" + "a" * 64
    project = write(
        tmp_path,
        {
            "kustomization.yaml": "resources: [p.yaml]\nimages:\n- {name: nginx, newTag: '1.27'}\n",
            "p.yaml": f"""\
                apiVersion: v1
                kind: Pod
                metadata: {{name: p}}
                spec:
                  containers:
                  - {{name: a, image: "nginx:1.25@{digest}"}}
                """,
        },
    )
    result = build(project, "")
    assert result.objects[0]["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_a_generator_directory_including_its_parent_is_a_cycle(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "app/kustomization.yaml": "generators:\n- gen\n",
            "app/gen/kustomization.yaml": "resources:\n- ..\n",
        },
    )
    result = build(project, "app")
    assert [e.message for e in result.errors if "nest too deep" in e.message] == []
    assert any("kustomization cycle: app -> app/gen -> app" in e.message for e in result.errors)


def test_inline_block_patch_error_line(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "kustomization.yaml": """\
                patches:
                - target: {kind: ConfigMap}
                  patch: |
                    - op: add
                      path: /x
                     value: [unclosed
                """,
        },
    )
    result = build(project, "")
    assert [(e.line, e.message.startswith("inline patch")) for e in result.errors] == [(6, True)]


def test_a_missing_env_file_written_as_a_string_is_located(tmp_path: Path) -> None:
    project = write(
        tmp_path, {"k/kustomization.yaml": "configMapGenerator:\n- name: c\n  envs: app.env\n"}
    )
    result = build(project, "k")
    assert [(m.target, m.loc.path, m.loc.line) for m in result.missing] == [
        ("app.env", "k/kustomization.yaml", 3)
    ]


def test_a_kindless_document_in_a_build_is_not_an_object(tmp_path: Path) -> None:
    from tests.conftest import lint_repo

    write(
        tmp_path,
        {
            "k/kustomization.yaml": "resources: [cm.yaml, values.yaml]\n",
            "k/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "k/values.yaml": "replicas: 3\n",
        },
    )
    units = lint_repo(tmp_path).workspace.units
    built = [u for u in units if u.kustomize]
    assert [[o.kind for o in u.objects] for u in built] == [["ConfigMap"]]

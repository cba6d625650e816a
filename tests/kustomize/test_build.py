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
        "helmCharts not rendered offline",
        "remote resource https://github.com/example/repo//deploy?ref=v1 "
        "not fetched (offline build)",
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
    got = sorted((m.field, m.target, m.reason, m.loc.line) for m in result.missing)
    assert got == [
        ("ConfigMap", "missing.properties", "no such file", 6),
        ("resources", "../empty", "directory has no kustomization file", 3),
        ("resources", "nope.yaml", "no such file or directory", 2),
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

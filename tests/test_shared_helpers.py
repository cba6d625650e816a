"""Unit tests of the shared helpers behind the reference, secret and schema rules."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import lint_repo

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_kustomization_schema_message_names_its_schema_once() -> None:
    result = lint_repo(FIXTURES / "schema-invalid" / "bad-kustomization").result
    [finding] = result.findings
    assert finding.message.endswith("(kustomization schema)")
    assert finding.message.count("(kustomization schema)") == 1, finding.message


def test_builtin_groups_are_the_groups_the_bundled_schemas_serve() -> None:
    from k8slint.lint import kubernetes

    served_once = {api.group for api in kubernetes.REMOVED_APIS}
    assert kubernetes.schema_groups() | served_once == kubernetes.BUILTIN_GROUPS


def test_namespaces_meet_unless_both_are_explicit_and_differ() -> None:
    from k8slint.lint.model.k8s import namespaces_meet

    assert namespaces_meet(None, None)
    assert namespaces_meet(None, "jobs") and namespaces_meet("jobs", None)
    assert namespaces_meet("jobs", "jobs")
    assert not namespaces_meet("jobs", "default")


def test_templated_names() -> None:
    from k8slint.lint.model.k8s import templated

    for value in ("{{ .Release.Name }}-db", "${SECRET}", "$(NAME)", "<name>", "__DB__", "$DB"):
        assert templated(value), value
    for value in ("db", "app-$1", "a$b", "db-credentials"):
        assert not templated(value), value


def test_top_dir_of_a_root_level_file_is_the_root() -> None:
    from k8slint.lint.model.workspace import top_dir

    assert top_dir("a/k8s/x.yaml") == "a"
    assert top_dir("a/x.yaml") == "a"
    assert top_dir("x.yaml") == ""


_API = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: nginx:1.27.0
          volumeMounts:
            - {name: certs, mountPath: /certs}
            - {name: data, mountPath: /data}
      volumes:
        - name: certs
          secret: {secretName: webhook-certs}
        - name: data
          persistentVolumeClaim: {claimName: data-db-0}
"""

_CERTGEN = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: certgen
  namespace: {namespace}
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
        - name: certgen
          image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.1
          args: ["create", "--secret-name=webhook-certs"]
"""

_DB = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: shop
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16.4
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
"""


def _missing(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str]]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = lint_repo(tmp_path, select=("missing-secret", "missing-pvc")).result.findings
    return [(f.rule, f.message.split(" used by ")[0].split(" mounted by ")[0]) for f in found]


def test_a_workload_that_names_the_secret_in_its_args_makes_it(tmp_path: Path) -> None:
    certgen = _CERTGEN.replace("{namespace}", "shop")
    assert (
        _missing(tmp_path, {"k8s/api.yaml": _API, "k8s/certgen.yaml": certgen, "k8s/db.yaml": _DB})
        == []
    )


def test_a_maker_in_another_namespace_makes_nothing_here(tmp_path: Path) -> None:
    certgen = _CERTGEN.replace("{namespace}", "jobs")
    db = _DB.replace("namespace: shop", "namespace: other")
    assert _missing(
        tmp_path, {"k8s/api.yaml": _API, "k8s/certgen.yaml": certgen, "k8s/db.yaml": db}
    ) == [
        ("missing-secret", "Secret 'webhook-certs'"),
        ("missing-pvc", "PersistentVolumeClaim 'data-db-0'"),
    ]


def test_a_custom_resource_named_like_the_secret_makes_it(tmp_path: Path) -> None:
    cluster = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: webhook\n"
    files = {"k8s/api.yaml": _API, "k8s/db.yaml": _DB, "k8s/cluster.yaml": cluster}
    assert _missing(tmp_path, files) == []
    files["other/cluster.yaml"] = files.pop("k8s/cluster.yaml")  # another repository's
    assert _missing(tmp_path / "again", files) == [("missing-secret", "Secret 'webhook-certs'")]


def test_same_app_is_symmetric_and_related_dirs_is_one_way() -> None:
    from k8slint.lint.locate import Loc
    from k8slint.lint.model.k8s import K8sObject
    from k8slint.lint.model.workspace import related_dirs, same_app
    from k8slint.lint.yamlpos import YMap

    def at(path: str) -> K8sObject:
        return K8sObject(YMap(Loc(path, 1, 1, 1, 1)))

    for a, b in (("deploy.yaml", "k8s/svc.yaml"), ("a/x.yaml", "a/k8s/y.yaml")):
        assert same_app(at(a), at(b)) and same_app(at(b), at(a))
    assert not same_app(at("a/x.yaml"), at("b/y.yaml"))
    assert related_dirs("", "k8s") and not related_dirs("k8s", "")


def test_workspace_find_meets_namespaceless_objects_and_prefers_an_exact_namespace(
    tmp_path: Path,
) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "s.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred}\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: prod}\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: other, namespace: dev}\n"
    )
    ws = lint_repo(tmp_path).workspace
    assert ws.find("Secret", "regcred", "prod").namespace == "prod"
    assert ws.find("Secret", "regcred", "jobs").namespace is None
    assert ws.find("Secret", "other", "prod") is None
    assert ws.find("Secret", "other", None).namespace == "dev"


def test_only_the_first_unit_view_judges_what_units_share(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    )
    ws = lint_repo(tmp_path).workspace
    assert ws.first_unit
    views = [ws.for_unit(unit) for unit in ws.units]
    assert [view.first_unit for view in views] == [True] + [False] * (len(views) - 1)


def test_dockerfile_from_images_and_env_names() -> None:
    from k8slint.lint.model.dockerfile import is_dockerfile, parse_dockerfile

    found = parse_dockerfile(
        "FROM --platform=linux/amd64 golang:1.22 AS build\n"
        "ENV CGO_ENABLED=0 \\\n    GOOS=linux\n"
        "FROM ${BASE}\nFROM alpine:3.20\nENV LEGACY some value\n"
    )
    assert found.from_images == ("golang:1.22", "alpine:3.20")
    assert found.env_names == {"CGO_ENABLED", "GOOS", "LEGACY"}
    assert is_dockerfile("Dockerfile.dev") and is_dockerfile("api.Dockerfile")
    assert not is_dockerfile("Dockerfile-notes.md.txt~")


def test_stringdata_overrides_data_key_by_key(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
        'stringData: {A: "1"}\ndata: {A: "", B: "Mg=="}\n'
    )
    [secret] = lint_repo(tmp_path).workspace.of_kind("Secret")
    assert [(e.key, e.value, e.encoded) for e in secret.data_entries] == [
        ("A", "1", False),
        ("B", "2", True),
    ]

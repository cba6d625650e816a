"""lint/model/grafana.py: which datasources Grafana loads together, and where each is written."""

from __future__ import annotations

import base64
from pathlib import Path

from k8slint.lint.model.grafana import Datasource, grafana_datasources, is_values_file
from tests.conftest import lint_repo


def _datasources(tmp_path: Path, files: dict[str, str]) -> list[Datasource]:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    run = lint_repo(tmp_path, select=("invalid-suppression",))
    assert run.result.errors == []
    return grafana_datasources(run.workspace)


def _summary(found: list[Datasource]) -> list[tuple[str, int, bool, str]]:
    return [
        (d.name, d.org_id, d.default, str(d.is_default.loc) if d.is_default else "") for d in found
    ]


def test_provisioning_files_group_by_directory_and_default_org_1(tmp_path: Path) -> None:
    found = _datasources(
        tmp_path,
        {
            "grafana/datasources/a.yaml": (
                "apiVersion: 1\n"
                "deleteDatasources:\n"
                "  - {name: Old, orgId: 1}\n"
                "datasources:\n"
                "  - name: A\n"
                "    isDefault: true\n"
                "  - name: B\n"
                "    orgId: 2\n"
                "    isDefault: true\n"
            ),
            "grafana/datasources/b.yml": "apiVersion: 1\ndatasources: [{name: C, orgId: 0}]\n",
            "other/ds.yaml": "apiVersion: 1\ndatasources: [{name: D, isDefault: true}]\n",
            "grafana/datasources/notes.json": '{"apiVersion": 1, "datasources": [{"name": "E"}]}',
        },
    )
    assert _summary(found) == [
        ("A", 1, True, "grafana/datasources/a.yaml:6:16"),
        ("B", 2, True, "grafana/datasources/a.yaml:9:16"),
        ("C", 1, False, ""),
        ("D", 1, True, "other/ds.yaml:2:36"),
    ]
    assert {d.group for d in found} == {("dir", "grafana/datasources"), ("dir", "other")}


def test_configmap_block_value_keeps_real_lines(tmp_path: Path) -> None:
    found = _datasources(
        tmp_path,
        {
            "k8s/ds.yaml": (
                "apiVersion: v1\n"
                "kind: ConfigMap\n"
                "metadata:\n"
                "  name: ds\n"
                "  namespace: monitoring\n"
                "  labels: {grafana_datasource: '1'}\n"
                "data:\n"
                "  ds.yaml: |\n"
                "    apiVersion: 1\n"
                "    datasources:\n"
                "      - name: Loki\n"
                "        isDefault: true\n"
                "  README.md: 'datasources: none'\n"
            )
        },
    )
    assert _summary(found) == [("Loki", 1, True, "k8s/ds.yaml:12:20")]
    assert found[0].group == ("k8s", "", "monitoring", "k8s")
    assert found[0].exact


def test_secret_base64_is_located_at_the_value(tmp_path: Path) -> None:
    doc = "apiVersion: 1\ndatasources:\n  - name: Tempo\n    isDefault: true\n"
    encoded = base64.b64encode(doc.encode()).decode()
    found = _datasources(
        tmp_path,
        {
            "k8s/secret.yaml": (
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ds\n"
                f"type: Opaque\ndata:\n  tempo.yaml: {encoded}\n"
            )
        },
    )
    assert [(d.name, d.default, d.exact) for d in found] == [("Tempo", True, False)]
    assert found[0].is_default is not None and found[0].is_default.loc.line == 7
    assert found[0].group == ("k8s", "", "default", "k8s")


def test_helm_values_blocks(tmp_path: Path) -> None:
    found = _datasources(
        tmp_path,
        {
            "chart/values.yaml": (
                "datasources:\n"
                "  datasources.yaml:\n"
                "    apiVersion: 1\n"
                "    datasources: [{name: Root, isDefault: true}]\n"
                "grafana:\n"
                "  additionalDataSources: [{name: Extra, isDefault: true}]\n"
                "  sidecar:\n"
                "    datasources: {isDefaultDatasource: true, name: Prom}\n"
                "stack:\n"
                "  grafana:\n"
                "    additionalDataSources: [{name: Nested}]\n"
                "off:\n"
                "  grafana:\n"
                "    enabled: false\n"
                "    additionalDataSources: [{name: Disabled, isDefault: true}]\n"
                "additionalDataSources: [{name: NotAChartKey, isDefault: true}]\n"
            ),
            "chart/other.yaml": "grafana:\n  additionalDataSources: [{name: NotValues}]\n",
        },
    )
    assert [d.name for d in found] == ["Root", "Extra", "Prom", "Nested"]
    assert {d.group for d in found} == {("helm", "chart/values.yaml")}
    assert [d.default for d in found] == [True, True, True, False]


def test_chart_default_needs_an_explicit_true(tmp_path: Path) -> None:
    found = _datasources(
        tmp_path,
        {
            "values.yaml": (
                "grafana:\n  sidecar:\n    datasources:\n"
                "      defaultDatasourceEnabled: false\n      isDefaultDatasource: true\n"
            ),
            "values-dev.yaml": "grafana:\n  sidecar:\n    datasources: {enabled: true}\n",
        },
    )
    assert found == []


def test_values_file_names() -> None:
    assert is_values_file("charts/app/values.yaml")
    assert is_values_file("values-prod.yml")
    assert is_values_file("deploy/values.staging.yaml")
    assert not is_values_file("charts/app/Chart.yaml")
    assert not is_values_file("my-values.yaml")

"""Deployment units: each kustomize root is built into one unit; unused manifests form another."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import lint_repo

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27.2
          envFrom:
            - configMapRef:
                name: web-settings
"""
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  A: b\n"
FILES = {
    "k8s/base/kustomization.yaml": "resources:\n  - web.yaml\n",
    "k8s/base/web.yaml": DEPLOYMENT,
    "k8s/overlays/dev/kustomization.yaml": "resources:\n  - ../../base\nnamespace: dev\n",
    "k8s/overlays/production/kustomization.yaml": "resources:\n  - ../../base\nnamespace: prod\n",
    "monitoring/grafana-config.yaml": CONFIGMAP.format(name="grafana-config"),
    "monitoring/loki-config.yaml": CONFIGMAP.format(name="loki-config"),
}


def _repo(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_plain_manifests_outside_kustomizations_form_one_unit(tmp_path: Path) -> None:
    units = lint_repo(_repo(tmp_path)).workspace.units
    plain = [u for u in units if not u.kustomize]
    assert [u.name for u in plain] == [""]
    assert sorted(obj.name for obj in plain[0].objects) == ["grafana-config", "loki-config"]


def test_two_overlays_over_one_base_give_two_units(tmp_path: Path) -> None:
    run = lint_repo(_repo(tmp_path))
    overlays = [u for u in run.workspace.units if u.kustomize]
    assert [u.name for u in overlays] == ["k8s/overlays/dev", "k8s/overlays/production"]
    assert [[(o.kind, o.namespace) for o in u.objects] for u in overlays] == [
        [("Deployment", "dev")],
        [("Deployment", "prod")],
    ]
    assert all("k8s/base/web.yaml" in u.files for u in overlays)
    assert [b.root for b in run.workspace.builds] == [u.name for u in overlays]


def test_a_base_finding_names_both_overlays_once(tmp_path: Path) -> None:
    findings = lint_repo(_repo(tmp_path)).result.findings
    missing = [f for f in findings if f.rule == "missing-configmap"]
    assert [(f.loc.path, f.loc.line) for f in missing] == [("k8s/base/web.yaml", 19)]
    assert missing[0].message.endswith("(in overlays k8s/overlays/dev, k8s/overlays/production)")

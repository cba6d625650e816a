"""`k8slint render DIR`: the built YAML of a kustomization, optionally with its origins."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8slint.lint.cli import main

BASE_KUSTOMIZATION = "resources:\n  - web.yaml\n"
WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""
DEV_KUSTOMIZATION = """\
resources:
  - ../../base
patches:
  - path: replicas.yaml
"""
REPLICAS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    files = {
        "k8s/base/kustomization.yaml": BASE_KUSTOMIZATION,
        "k8s/base/web.yaml": WEB,
        "k8s/overlays/dev/kustomization.yaml": DEV_KUSTOMIZATION,
        "k8s/overlays/dev/replicas.yaml": REPLICAS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_render_prints_the_built_yaml(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "k8s/overlays/dev"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: web\n"
        "spec:\n"
        "  replicas: 3\n"
        "  template:\n"
        "    spec:\n"
        "      containers:\n"
        "      - image: nginx:1.27\n"
        "        name: web\n"
    )


def test_render_origins_name_the_line_that_set_each_value(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--origins", "k8s/overlays/dev"]) == 0
    out = capsys.readouterr().out
    assert "  replicas: 3  # k8s/overlays/dev/replicas.yaml:6\n" in out
    assert "      - image: nginx:1.27  # k8s/base/web.yaml:11\n" in out
    assert out.splitlines()[0] == "apiVersion: apps/v1  # k8s/base/web.yaml:1"


def test_render_from_a_subdirectory_and_to_a_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo / "k8s")
    assert main(["render", "base", "-o", str(repo / "out.yaml")]) == 0
    assert capsys.readouterr().out == ""
    assert "  replicas: 1\n" in (repo / "out.yaml").read_text()


def test_render_reports_a_missing_file_and_exits_2(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "k8s/overlays/dev/replicas.yaml").unlink()
    assert main(["render", "k8s/overlays/dev"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert (
        err
        == "k8s/overlays/dev/kustomization.yaml:4: patches entry 'replicas.yaml': no such file\n"
    )


def test_render_notes_what_is_not_rendered_offline(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "k8s/base/kustomization.yaml").write_text(
        BASE_KUSTOMIZATION
        + "helmCharts:\n  - name: redis\n    repo: https://charts.bitnami.com/bitnami\n"
    )
    assert main(["render", "k8s/base"]) == 0
    out, err = capsys.readouterr()
    assert err == (
        "k8s/base/kustomization.yaml:3: info: helmCharts not rendered offline;"
        " the objects it adds are not checked\n"
    )
    assert "name: web" in out


def test_render_refuses_a_directory_without_a_kustomization(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "k8s"]) == 2
    assert "no kustomization.yaml" in capsys.readouterr().err


def test_render_notes_a_remote_patch_and_still_renders(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "k8s/overlays/dev/kustomization.yaml").write_text(
        DEV_KUSTOMIZATION + "  - path: https://example.com/patches/replicas.yaml\n"
    )
    assert main(["render", "k8s/overlays/dev"]) == 0
    out, err = capsys.readouterr()
    assert err == (
        "k8s/overlays/dev/kustomization.yaml:5: info: remote patch"
        " https://example.com/patches/replicas.yaml not fetched (offline build);"
        " the patch is not applied\n"
    )
    assert "  replicas: 3\n" in out

"""The composite GitHub Action (action.yml): its wiring, and its shell steps run as GitHub would.

GitHub runs a composite `run:` step with `bash --noprofile --norc -eo pipefail`, after
evaluating the `${{ }}` expressions of its `env:`; it sets GITHUB_ACTION_PATH (the action's
checkout) and GITHUB_OUTPUT (a file collecting `name=value` step outputs). The tests do the
same with a small expression evaluator, so the scripts under test are the file's, verbatim.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema.validators
import pytest
import yaml

from tests.ci_repo import LOKI_FILE, grafana_repo, pypi_reachable, snapshot

CHECKOUT = Path(__file__).resolve().parents[1]
ACTION = CHECKOUT / "action.yml"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def _steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _action()["runs"]["steps"]
    return steps


def _expressions(node: object) -> list[str]:
    if isinstance(node, str):
        return EXPRESSION.findall(node)
    if isinstance(node, dict):
        return [e for value in node.values() for e in _expressions(value)]
    if isinstance(node, list):
        return [e for item in node for e in _expressions(item)]
    return []


def test_steps_reference_declared_inputs_and_earlier_steps() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    inputs = set(action["inputs"])
    assert inputs == {"paths", "version", "fail-on", "sarif-file", "config"}
    earlier: set[str] = set()
    for step in _steps():
        for expr in _expressions(step):
            scope, _, rest = expr.partition(".")
            if scope == "inputs":
                assert rest in inputs, f"{step.get('id')}: unknown input {rest!r}"
            elif scope == "steps":
                assert rest.split(".")[0] in earlier, f"{step.get('id')}: {expr} is not earlier"
            else:
                assert expr in {"runner.temp"}, f"{step.get('id')}: unexpected {expr!r}"
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs must reach the shell through env only"
        earlier.add(step["id"])
    python = _steps()[0]
    assert python["uses"].startswith("actions/setup-python@")
    assert python["with"]["python-version"] == "3.12"
    for name, output in action["outputs"].items():
        assert _expressions(output["value"]) == [f"steps.lint.outputs.{name}"]


def _evaluate(text: str, context: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(1) in context, f"no value for ${{{{ {match.group(1)} }}}}"
        return context[match.group(1)]

    return EXPRESSION.sub(value, text)


def _run_steps(
    workspace: Path,
    tmp: Path,
    given: Mapping[str, str],
    skip: Mapping[str, Mapping[str, str]],
    action_path: Path = CHECKOUT,
) -> tuple[dict[str, subprocess.CompletedProcess[str]], dict[str, str]]:
    """Run the action's `run:` steps in order in `workspace`; `skip` gives the outputs of steps
    not run (the `uses:` steps, or the install when the test brings its own k8slint)."""
    action = _action()
    context = {
        f"inputs.{name}": str(spec.get("default", "")) for name, spec in action["inputs"].items()
    }
    context |= {f"inputs.{name}": value for name, value in given.items()}
    context["runner.temp"] = str(tmp)
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    for step in action["runs"]["steps"]:
        if step["id"] in skip:
            context |= {f"steps.{step['id']}.outputs.{k}": v for k, v in skip[step["id"]].items()}
            continue
        assert "run" in step, f"step {step['id']} needs an output stub"
        output_file = tmp / f"{step['id']}.output"
        output_file.touch()
        env = {key: value for key, value in os.environ.items() if not key.startswith("INPUT_")}
        env.pop("CI", None)
        env |= {"GITHUB_ACTION_PATH": str(action_path), "GITHUB_OUTPUT": str(output_file)}
        env |= {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)}
        env |= {key: _evaluate(str(value), context) for key, value in step.get("env", {}).items()}
        script = tmp / f"{step['id']}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done[step["id"]] = proc = subprocess.run(
            [*BASH, str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        for line in output_file.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            context[f"steps.{step['id']}.outputs.{name}"] = value
        if proc.returncode != 0:
            break
    return done, context


def _check_sarif(path: Path) -> dict[str, Any]:
    """Valid SARIF 2.1.0 that GitHub code scanning ingests."""
    log: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert list(validator.iter_errors(log)) == []
    (run,) = log["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert all(rule["help"]["text"] and rule["shortDescription"]["text"] for rule in rules.values())
    for result in run["results"]:
        assert result["ruleId"] in rules
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        for location in result["locations"]:
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith(("/", "file:")) and ":" not in uri, uri
    return log


@pytest.fixture
def k8slint_bin() -> str:
    binary = Path(sys.executable).parent / ("k8slint.exe" if os.name == "nt" else "k8slint")
    if not binary.exists():
        pytest.skip("the k8slint console script is not installed next to this python")
    return str(binary)


def test_lint_step_annotates_writes_sarif_and_fails(tmp_path: Path, k8slint_bin: str) -> None:
    repo = grafana_repo(tmp_path / "repo", git=False)
    (repo / ".git").mkdir()
    done, context = _run_steps(
        repo,
        tmp_path,
        {"paths": "grafana\nREADME.md"},
        {"python": {"python-path": sys.executable}, "install": {"k8slint": k8slint_bin}},
    )
    lint = done["lint"]
    assert lint.returncode == 1, lint.stderr
    assert lint.stdout.startswith(
        f"::error file={LOKI_FILE},line=6,col=16,endLine=6,endColumn=20,"
        "title=k8slint (duplicate-default-datasource)::datasource 'Loki' is a second default"
    ), lint.stdout
    assert context["steps.lint.outputs.sarif-file"] == "k8slint.sarif"
    log = _check_sarif(repo / "k8slint.sarif")
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "duplicate-default-datasource"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == LOKI_FILE
    assert location["region"]["startLine"] == 6


def test_lint_step_passes_fail_on_and_config_and_sarif_file(
    tmp_path: Path, k8slint_bin: str
) -> None:
    repo = grafana_repo(tmp_path / "repo", git=False)
    (repo / ".git").mkdir()
    (repo / "ci").mkdir()
    (repo / "ci" / "k8slint.yaml").write_text(
        "rules:\n  duplicate-default-datasource: warning\n", encoding="utf-8"
    )
    stubs = {"python": {"python-path": sys.executable}, "install": {"k8slint": k8slint_bin}}
    inputs = {"config": "ci/k8slint.yaml", "sarif-file": "out/report.sarif"}
    (repo / "out").mkdir()
    done, _ = _run_steps(repo, tmp_path, inputs, stubs)
    assert done["lint"].returncode == 0, done["lint"].stderr  # a warning is below fail-on error
    assert done["lint"].stdout.startswith("::warning file=")
    assert (
        _check_sarif(repo / "out" / "report.sarif")["runs"][0]["results"][0]["level"] == "warning"
    )
    done, _ = _run_steps(repo, tmp_path, {**inputs, "fail-on": "warning"}, stubs)
    assert done["lint"].returncode == 1


@pytest.mark.network
def test_install_step_installs_the_action_checkout(tmp_path: Path) -> None:
    if not pypi_reachable():
        pytest.skip("installing k8slint needs PyPI")
    repo = grafana_repo(tmp_path / "repo")
    action_path = snapshot(CHECKOUT, tmp_path / "action")  # pip builds in the source tree
    stubs = {"python": {"python-path": sys.executable}}
    done, context = _run_steps(repo, tmp_path, {}, stubs, action_path)
    assert done["install"].returncode == 0, done["install"].stderr
    assert Path(context["steps.install.outputs.k8slint"]).is_file()
    assert done["lint"].returncode == 1, done["lint"].stderr
    assert "title=k8slint (duplicate-default-datasource)" in done["lint"].stdout
    _check_sarif(repo / "k8slint.sarif")


def _readme_yaml(marker: str) -> dict[str, Any]:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"```yaml\n{re.escape(marker)}\n(.*?)```", readme, re.DOTALL)
    assert block, f"README has no yaml block starting with {marker!r}"
    data: dict[str, Any] = yaml.safe_load(block.group(1))
    return data


def test_readme_workflow_uses_the_action_and_uploads_sarif_always() -> None:
    (job,) = _readme_yaml("# .github/workflows/k8slint.yml")["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = {step["uses"].split("@")[0]: step for step in job["steps"]}
    lint = steps["k8slint/k8slint"]
    assert set(lint["with"]) <= set(_action()["inputs"])
    upload = steps["github/codeql-action/upload-sarif"]
    assert upload["uses"].endswith("@v3")
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == lint["with"]["sarif-file"]

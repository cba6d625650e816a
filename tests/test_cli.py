"""The command line: exit codes, formats, stdin, the given-paths filter, start-up cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from k8slint.lint.cli import main

CHECKOUT = Path(__file__).resolve().parent.parent

TYPO = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  LOG_LEVEL: info  # k8slint: ignore=no-such-rule
"""
CLEAN = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  A: b\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "app.yaml").write_text(TYPO)
    (tmp_path / "k8s" / "other.yaml").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    return json.loads(capsys.readouterr().out)


def test_exit_code_follows_fail_on(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "json", "."]) == 0  # a warning is below the default --fail-on error
    capsys.readouterr()
    assert main(["--format", "json", "--fail-on", "warning", "."]) == 1
    report = _json(capsys)
    assert report["findings"][0]["file"] == "k8s/app.yaml"
    assert report["summary"]["warnings"] == 1


def test_only_findings_in_the_given_paths_are_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--format", "json", "k8s/other.yaml"]) == 0
    report = _json(capsys)
    assert report["findings"] == []
    assert report["summary"]["files"] == 1


def test_paths_are_shown_relative_to_the_current_directory(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "k8s")
    main(["--format", "json", "."])
    assert [f["file"] for f in _json(capsys)["findings"]] == ["app.yaml"]


def test_a_parse_error_exits_2_and_other_files_are_still_linted(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "k8s" / "broken.yaml").write_text("kind: Service\nspec: [1, 2\nfoo: bar\n")
    assert main(["--format", "json", "."]) == 2
    report = _json(capsys)
    assert report["errors"] == [
        {"file": "k8s/broken.yaml", "line": 3, "message": report["errors"][0]["message"]}
    ]
    assert "invalid YAML" in report["errors"][0]["message"]
    assert [f["file"] for f in report["findings"]] == ["k8s/app.yaml"]


def test_stdin_is_linted_as_the_named_file(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(TYPO.replace("app", "edited")))
    code = main(
        ["--format", "json", "--fail-on", "warning", "--stdin-filename", "k8s/new.yaml", "-"]
    )
    assert code == 1
    assert [f["file"] for f in _json(capsys)["findings"]] == ["k8s/new.yaml"]


def test_select_and_ignore(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--format", "json", "--fail-on", "info", "--ignore", "invalid-suppression", "."]) == 0
    )
    capsys.readouterr()
    assert main(["--select", "no-such-rule", "."]) == 2
    assert "unknown rule id(s): no-such-rule" in capsys.readouterr().err


def test_bad_config_exits_2_naming_file_and_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".k8slint.yaml").write_text("rules:\n  probe-path-missing: loud\n")
    assert main(["."]) == 2
    assert ".k8slint.yaml:2:" in capsys.readouterr().err


def test_unknown_rule_in_config_names_its_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".k8slint.yaml").write_text("exclude: []\nrules:\n  probe-path-mising: off\n")
    assert main(["."]) == 2
    assert ".k8slint.yaml:3: unknown rule 'probe-path-mising'" in capsys.readouterr().err


def test_github_format_is_the_default_in_github_actions(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    main(["."])
    assert capsys.readouterr().out.startswith("::warning file=k8s/app.yaml,line=6,col=")


def test_output_file_and_no_colour(repo: Path) -> None:
    assert main(["--output", "report.txt", "--no-color", "."]) == 0
    text = (repo / "report.txt").read_text()
    assert "k8s/app.yaml:6:" in text and "\x1b[" not in text


def test_missing_path_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nope/"]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    assert "invalid-suppression" in capsys.readouterr().out
    assert main(["explain", "invalid-suppression"]) == 0
    out = capsys.readouterr().out
    assert "## What it finds" in out and "## Use instead" in out
    assert main(["explain", "nope"]) == 2


def test_version_loads_no_heavy_module() -> None:
    """The start-up budget of `--version`: click, rich, jsonschema and the schemas stay unloaded.

    Checked by module list rather than by timing, so it is deterministic; together these
    imports cost several times the budget (../shared/PERF-FACTS.md).
    """
    code = (
        "import sys; from k8slint.lint.cli import main; main(['--version']);"
        "heavy = {'rich', 'jsonschema', 'kubernetes_validate', 'yaml', 'ruamel'};"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


VERSION_IMPORT_BUDGET = 45
"""Modules that `k8slint --version` imports on top of the interpreter's start-up, as measured
when the budget was set (k8slint's own, click and what they pull in: ~60 ms)."""


def test_version_import_budget() -> None:
    """`--version`'s import cost may not grow past twice its budget.

    Counted in modules rather than timed: start-up time is what loading modules costs, and a
    count cannot flake on a loaded CI machine the way a timing does. A module that slips into
    the start-up path (rich, jsonschema, the schemas, yaml: ~25-200 ms each, PERF-FACTS.md)
    brings dozens of modules with it and fails this test.
    """
    code = (
        "import sys; before = set(sys.modules); from k8slint.lint.cli import main;"
        "main(['--version']); print(len(set(sys.modules) - before))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = int(out.strip().splitlines()[-1])
    assert loaded <= 2 * VERSION_IMPORT_BUDGET, f"--version imports {loaded} modules"


def test_console_script_flushes_output_before_leaving(tmp_path: Path) -> None:
    """`run()` (the installed `k8slint`) ends with `os._exit`, which skips the interpreter's
    own flush: a report written to a pipe must still arrive whole, with main's exit code."""
    script = [sys.executable, "-c", "from k8slint.lint.cli import run; run()", "examples/"]
    done = subprocess.run(
        script,
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)},
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1].startswith("Found 7 errors")
    json_run = subprocess.run(
        [*script, "--format", "json", "--no-cache"],
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
    )
    assert json_run.returncode == 1
    assert len(json.loads(json_run.stdout)["findings"]) == 7


def test_language_server_turns_the_collector_back_on() -> None:
    """The console script disables garbage collection for its one-shot run; the long-lived
    language server must collect again, or every edit's cyclic garbage would stay."""
    code = (
        "import gc, sys; import k8slint.lint.lsp as lsp;"
        "lsp.serve = lambda: print(gc.isenabled());"
        "from k8slint.lint.cli import run; sys.argv = ['k8slint', 'lsp']; run()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"

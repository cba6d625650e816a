"""The `k8slint` command: parse arguments, call the library, return an exit code.

Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage error, bad configuration, or an
input that could not be read or parsed (every other file's findings are still reported).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from k8slint.lint import __version__
from k8slint.lint.findings import ConfigError, LintResult, Severity
from k8slint.lint.report import FORMATS, display_path

if TYPE_CHECKING:
    from k8slint.lint.rule import Rule
    from k8slint.lint.runner import LintOptions, LintRun

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
T = TypeVar("T")
_HELD_UNTIL_EXIT: list[object] | None = None
"""Under the console script, each finished run (or build) is kept here, so its heap is never
freed object by object: the process ends with `os._exit` instead (see `run`)."""


def run() -> NoReturn:
    """The `k8slint` console script: `main`, then leave without tearing the heap down.

    A lint of a large tree ends holding millions of small containers. Collecting them once the
    run re-enables the garbage collector, then freeing them one by one when the run goes out
    of scope and at interpreter exit, took about 1.3 s of a 7 s lint of the benchmark
    repository and changes nothing the user sees. The process ends here, so the collector stays
    off (`k8slint lsp`, which lives on, turns it back on), finished runs are held until the end
    (`_HELD_UNTIL_EXIT`), and the output streams are flushed before `os._exit`.
    """
    global _HELD_UNTIL_EXIT
    _HELD_UNTIL_EXIT = []
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to say
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # answered before click/rich load: editors call this often
        print(f"k8slint {__version__}")
        return EXIT_CLEAN
    try:
        return int(cli.main(args=args, prog_name="k8slint", standalone_mode=False) or 0)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except ConfigError as exc:
        click.echo(f"k8slint: {exc}", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if "--debug" in args:
            raise
        click.echo(
            f"k8slint: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True
        )
        return EXIT_ERROR


class _DefaultToCheck(click.Group):
    """`k8slint k8s/` means `k8slint check k8s/`; subcommand names win over paths."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] != "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _bundled_kubernetes_versions() -> str:
    """The schema releases kubernetes-validate bundles, for --help (directory names only)."""
    from k8slint.lint.kubernetes import bundled_versions

    versions = bundled_versions()
    if not versions:
        return "none, kubernetes-validate is not installed"
    return f"{versions[0]} to {versions[-1]}" if len(versions) > 2 else ", ".join(versions)


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="k8slint")
def cli() -> None:
    """Offline cross-file linter for Kubernetes, kustomize, compose and Grafana provisioning."""


@cli.command(
    epilog="Other commands: k8slint rules | explain RULE | render DIR. "
    "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config/input errors."
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: text; github when GITHUB_ACTIONS=true].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--sarif-output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write a SARIF report to FILE (one run gives annotations and code scanning).",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Report only findings that this baseline file does not record.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Record today's findings in FILE (for --baseline) instead of reporting them.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file [default: .k8slint.yaml or [tool.k8slint] at the root].",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option("--select", default="", metavar="RULE,...", help="Run only these rules.")
@click.option("--ignore", default="", metavar="RULE,...", help="Skip these rules.")
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path),
    help="With PATH '-': lint standard input as if it were this file.",
)
@click.option(
    "--kubernetes-version",
    metavar="1.N",
    help="Kubernetes version to validate against [default: the newest bundled; bundled: "
    + _bundled_kubernetes_versions()
    + "].",
)
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set).")
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply the unsafe fixes too (implies --fix).")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the cache of earlier runs ($XDG_CACHE_HOME/k8slint).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes for the rules on a large tree [default: the CPUs available; 1: one].",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def check(
    paths: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    sarif_output: Path | None,
    baseline_path: Path | None,
    write_baseline: Path | None,
    config_path: Path | None,
    fail_on: str,
    select: str,
    ignore: str,
    stdin_filename: Path | None,
    kubernetes_version: str | None,
    no_color: bool,
    fix: bool,
    unsafe_fixes: bool,
    no_cache: bool,
    jobs: int | None,
    debug: bool,
) -> int:
    """Lint PATHS (default: the current directory)."""
    from k8slint.lint.runner import LintOptions

    buffers: dict[Path, str] = {}
    if (fix or unsafe_fixes) and Path("-") in paths:
        raise click.UsageError("--fix cannot fix standard input ('-'); give the file's path")
    if paths == (Path("-"),):
        if stdin_filename is None:
            raise click.UsageError("reading standard input ('-') needs --stdin-filename PATH")
        buffers[stdin_filename] = sys.stdin.read()
        paths = (stdin_filename,)
    elif Path("-") in paths:
        raise click.UsageError("'-' (standard input) cannot be combined with other paths")
    for path in paths:
        if path not in buffers and not path.exists():
            raise click.BadParameter(f"{path}: no such file or directory", param_hint="PATHS")
    options = LintOptions(
        config_path=config_path,
        select=_split(select),
        ignore=_split(ignore),
        kubernetes_version=kubernetes_version,
        buffers=buffers,
        cache=not no_cache,
        jobs=jobs or _cpus(),
    )
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if fix or unsafe_fixes:
        run = _fix(list(paths) or [Path(".")], options, unsafe_fixes)
    else:
        run = _lint(list(paths) or [Path(".")], options, fmt)
    if write_baseline is not None:
        return _write_baseline(run, write_baseline)
    if baseline_path is not None:
        _apply_baseline(run, baseline_path)
    color = (
        fmt == "text"
        and output is None
        and sys.stdout.isatty()
        and not no_color
        and "NO_COLOR" not in os.environ
    )
    text = _render(fmt, run, color)
    if sarif_output is not None:  # written before the exit code: CI uploads it on failure too
        sarif_output.write_text(_render("sarif", run, False), encoding="utf-8")
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return exit_code(run.result, Severity(fail_on))


def _lint(paths: list[Path], options: LintOptions, fmt: str) -> LintRun:
    """`lint_paths`, with a progress bar on stderr when a person is watching a long run."""
    from k8slint.lint.progress import ProgressBar, progress_allowed
    from k8slint.lint.runner import lint_paths

    if not progress_allowed(fmt, sys.stderr.isatty(), os.environ):
        return _held(lint_paths(paths, options))
    bar = ProgressBar()
    try:
        return _held(lint_paths(paths, options, progress=bar))
    finally:
        bar.close()


def _held(result: T) -> T:
    if _HELD_UNTIL_EXIT is not None:
        _HELD_UNTIL_EXIT.append(result)
    return result


def _fix(paths: list[Path], options: LintOptions, unsafe: bool) -> LintRun:
    """Apply the fixes; say on stderr what was fixed and what could not be; the final run."""
    from k8slint.lint.fix import fix_paths

    report = fix_paths(paths, options, unsafe=unsafe)
    _held(report.run)
    for problem in report.problems:
        click.echo(f"k8slint: could not fix {problem}", err=True)
    click.echo(f"k8slint: {report.summary(unsafe)}", err=True)
    return report.run


def _write_baseline(run: LintRun, path: Path) -> int:
    from k8slint.lint.baseline import dump_baseline

    path.write_text(dump_baseline(run.result.findings, _source_line(run)), encoding="utf-8")
    count = len(run.result.findings)
    click.echo(f"k8slint: recorded {count} finding{'s' * (count != 1)} in {path}", err=True)
    return EXIT_ERROR if run.result.errors else EXIT_CLEAN


def _apply_baseline(run: LintRun, path: Path) -> None:
    from k8slint.lint.baseline import load_baseline, new_findings

    known = load_baseline(path)
    run.result.findings = new_findings(run.result.findings, known, _source_line(run))


class _AllRules(Sequence["Rule"]):
    """Every rule, imported when a reporter first asks (only SARIF does): a JSON or text report
    of a cached run needs none of the rule modules."""

    def _rules(self) -> list[Rule]:
        from k8slint.rules import ALL

        return [m.RULE for m in ALL]

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        return self._rules()[index]

    def __len__(self) -> int:
        return len(self._rules())

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules())


def _source_line(run: LintRun) -> Callable[[str, int], str | None]:
    """A file's line with its secrets masked: what frames show and what fingerprints hash
    (SARIF and baselines alike, so a baseline matches what code scanning saw)."""

    def source_line(rel: str, line: int) -> str | None:
        return run.masker.line(run.workspace.line_text(rel, line))

    return source_line


def _render(fmt: str, run: LintRun, color: bool) -> str:
    from k8slint.lint.report import ReportContext, render

    ctx = ReportContext(
        root=run.root,
        cwd=Path.cwd(),
        version=__version__,
        rules=_AllRules(),
        color=color,
        source_line=_source_line(run),
    )
    return render(fmt, run.result, ctx)


def exit_code(result: LintResult, fail_on: Severity) -> int:
    if result.errors:
        return EXIT_ERROR
    if any(f.severity.rank >= fail_on.rank for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _cpus() -> int:
    """The CPUs this process may run on (a container's CPU set, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


@cli.command()
def lsp() -> int:
    """Run the language server on standard input and output (for editors)."""
    from k8slint.lint.lsp import serve

    gc.enable()  # a long-lived server collects between runs (the console script starts it off)
    serve()
    return EXIT_CLEAN


@cli.command("rules")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
def rules_command(fmt: str) -> int:
    """List every rule: id, severity, fix and summary."""
    from k8slint.lint.docs import rules_table
    from k8slint.rules import ALL

    rules = [m.RULE for m in ALL]
    if fmt == "markdown":
        click.echo(rules_table(rules), nl=False)
        return EXIT_CLEAN
    width = max(len(r.id) for r in rules)
    for rule in sorted(rules, key=lambda r: r.id):
        click.echo(f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.summary}")
    return EXIT_CLEAN


@cli.command()
@click.argument("rule_id")
@click.option("--no-color", is_flag=True, help="Plain Markdown, no colour.")
def explain(rule_id: str, no_color: bool) -> int:
    """Print a rule's story, what fires, what stays silent, an example and the fix."""
    from k8slint.lint.docs import explain as explain_rule
    from k8slint.rules import by_id

    module = by_id(rule_id)
    if module is None:
        raise click.BadParameter(
            f"unknown rule {rule_id!r}; see `k8slint rules`", param_hint="RULE"
        )
    text = explain_rule(module.RULE, getattr(module, "Options", None))
    if sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ:
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        click.echo(text)
    return EXIT_CLEAN


@cli.command("render")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--origins", is_flag=True, help="End each value with a `# file:line` comment.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the YAML to FILE instead of standard output.",
)
def render_command(directory: Path, origins: bool, output: Path | None) -> int:
    """Print the YAML that `kustomize build DIRECTORY` would, built offline.

    Notes (what was not rendered offline) go to standard error; a build error (a missing file, a
    patch without a target) is printed as `path:line: message` and exits 2 with no YAML, as
    kustomize does.
    """
    from k8slint.lint.config import load_config
    from k8slint.lint.discover import find_root
    from k8slint.lint.kustomize import build, render
    from k8slint.lint.kustomize.build import kustomization_file
    from k8slint.lint.load import Project

    if not directory.is_dir():
        raise click.BadParameter(f"{directory}: no such directory", param_hint="DIR")
    root = find_root([directory])
    rel = Path(os.path.relpath(directory.resolve(), root)).as_posix()
    rel = "" if rel == "." else rel
    project = Project(root, load_config(root, None).max_file_size)
    if kustomization_file(project, rel) is None:
        raise click.BadParameter(
            f"{directory}: no kustomization.yaml, kustomization.yml or Kustomization",
            param_hint="DIR",
        )
    from k8slint.lint.runner import gc_paused

    with gc_paused():  # the build allocates millions of containers and frees none (runner.py)
        built = _held(build(project, rel))

    def shown(path: str) -> str:
        return display_path(root, Path.cwd(), path)

    for note in built.notes:
        click.echo(
            f"{shown(note.loc.path)}:{note.loc.line}: {note.severity.value}: {note.message}",
            err=True,
        )
    problems = [(e.path, e.line, e.message) for e in built.errors]
    problems += [
        (m.loc.path, m.loc.line, f"{m.field} entry {m.target!r}: {m.reason.value}")
        for m in built.missing
    ]
    for path, line, message in sorted(problems):
        click.echo(f"{shown(path)}:{line}: {message}", err=True)
    if problems:
        return EXIT_ERROR
    text = render(built, origins=origins)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return EXIT_CLEAN

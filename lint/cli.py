"""The `k8slint` command: parse arguments, call the library, return an exit code.

Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage error, bad configuration, or an
input that could not be read or parsed (every other file's findings are still reported).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from k8slint.lint import __version__
from k8slint.lint.findings import ConfigError, LintResult, Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")


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
    help="Kubernetes version to validate against (bundled: see `k8slint rules`).",
)
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def check(
    paths: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    config_path: Path | None,
    fail_on: str,
    select: str,
    ignore: str,
    stdin_filename: Path | None,
    kubernetes_version: str | None,
    no_color: bool,
    debug: bool,
) -> int:
    """Lint PATHS (default: the current directory)."""
    from k8slint.lint.runner import LintOptions, lint_paths

    buffers: dict[Path, str] = {}
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
    )
    run = lint_paths(list(paths) or [Path(".")], options)
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    color = (
        fmt == "text"
        and output is None
        and sys.stdout.isatty()
        and not no_color
        and "NO_COLOR" not in os.environ
    )
    text = _render(fmt, run, color)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return exit_code(run.result, Severity(fail_on))


def _render(fmt: str, run: object, color: bool) -> str:
    from k8slint.lint.report import ReportContext, render
    from k8slint.rules import ALL

    def source_line(rel: str, line: int) -> str | None:
        return run.workspace.line_text(rel, line)  # type: ignore[attr-defined]

    ctx = ReportContext(
        root=run.root,  # type: ignore[attr-defined]
        cwd=Path.cwd(),
        version=__version__,
        rules=[m.RULE for m in ALL],
        color=color,
        source_line=source_line,
    )
    return render(fmt, run.result, ctx)  # type: ignore[attr-defined]


def exit_code(result: LintResult, fail_on: Severity) -> int:
    if result.errors:
        return EXIT_ERROR
    if any(f.severity.rank >= fail_on.rank for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


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
    text = explain_rule(module.RULE)
    if sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ:
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        click.echo(text)
    return EXIT_CLEAN

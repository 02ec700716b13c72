"""The options several commands share: one spelling, default and help text each."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource


def _repo_root(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """Without --catalog, run from the repo root found upward from the working folder."""
    if ctx.get_parameter_source(param.name or "") is ParameterSource.DEFAULT:
        from generator.commands.root import enter_root

        missing = enter_root(value)
        if missing:
            raise RootNotFound(missing)
    return value


class RootNotFound(click.ClickException):
    """No catalog here nor above: one line, exit 2 (a user error, like every other)."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        click.echo(self.message, err=True)


catalog_option = click.option(
    "--catalog",
    "catalog",
    default="catalog",
    show_default=True,
    type=click.Path(path_type=Path),
    callback=_repo_root,
    help="Catalog folder (platform.yaml + services/) [default: catalog, in the first folder "
    "up from here that holds one, as git finds its top level].",
)
out_option = click.option(
    "--out",
    "out",
    default="rendered",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder the tool owns.",
)
workflows_option = click.option(
    "--workflows-dir",
    "workflows",
    default=None,
    type=click.Path(path_type=Path),
    envvar="GITOPS_GEN_WORKFLOWS_DIR",
    help="Where the generated gitops-gen-*.yml workflows go "
    "[default: platform.yaml ci.workflowsPath, itself .github/workflows].",
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="For people, PR comments, or machines.",
)


def _set_jobs(_ctx: click.Context, _param: click.Parameter, value: int | None) -> None:
    if value is not None:
        from generator import concurrency

        concurrency.set_jobs(value)


jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_set_jobs,
    help="Processes to work with: 1 = one process [default: GITOPS_GEN_JOBS, else every core].",
)

files_argument = click.argument("files", nargs=-1, type=click.Path(path_type=Path))
"""`[FILES]...`: what a pre-commit hook passes. Given, the command runs only when one of them
is under the catalog, its templates folder, the output or a generated workflow (the paths
platform.yaml names); otherwise it does nothing and exits 0."""


def _verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--quiet / --verbose, on the command or before it (the last one given wins)."""
    from generator import console

    # the level is this process's: back to normal when the command ends (tests run many)
    ctx.find_root().call_on_close(lambda: console.set_level(console.NORMAL))
    if value:
        console.set_level(console.QUIET if param.name == "quiet" else console.VERBOSE)


def _verbosity_flag(names: list[str], text: str) -> click.Option:
    return click.Option(
        names, is_flag=True, expose_value=False, is_eager=True, callback=_verbosity, help=text
    )


def _verbosity_options() -> list[click.Option]:
    return [
        _verbosity_flag(
            ["--quiet", "-q", "quiet"],
            "Only errors and what the command was asked to print: no summary, note or warning.",
        ),
        _verbosity_flag(
            ["--verbose", "-v", "verbose"],
            "Also each step: what it did and how long it took (on stderr).",
        ),
    ]


def with_verbosity(command: click.Command) -> None:
    """--quiet and --verbose on `command` and, for a group, on every command under it."""
    command.params += _verbosity_options()
    for sub in getattr(command, "commands", {}).values():
        with_verbosity(sub)

"""Command line: parse, call, map errors to exit codes. No logic and no file I/O here.

Heavy modules are imported inside the commands so `gitops-gen --version` stays fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator import __version__

F = TypeVar("F", bound=Callable[..., Any])
REPORT_URL = "https://github.com/acme/gitops-gen/issues"

catalog_option = click.option(
    "--catalog",
    "catalog",
    default="catalog",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Catalog folder (platform.yaml + services/).",
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
    default=".github/workflows",
    show_default=True,
    type=click.Path(path_type=Path),
    envvar="GITOPS_GEN_WORKFLOWS_DIR",
    help="Where the generated gitops-gen-*.yml workflows go.",
)


def handled(func: F) -> F:
    """User errors: one located line each, exit 2. Anything else: a bug, exit 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from generator.errors import UserError

        try:
            return func(*args, **kwargs)
        except UserError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("GITOPS_GEN_DEBUG"):
                raise
            click.echo(
                f"gitops-gen: internal error ({type(exc).__name__}). This is a bug: please "
                f"report it at {REPORT_URL} with the command you ran and `gitops-gen --version` "
                "(GITOPS_GEN_DEBUG=1 shows the traceback).",
                err=True,
            )
            sys.exit(3)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gitops-gen")
def main() -> None:
    """Render one service catalog into what Argo CD syncs."""


@main.command()
@catalog_option
@handled
def validate(catalog: Path) -> None:
    """Validate the catalog only; print every error at once."""
    from generator.catalog.load import load_catalog

    cat = load_catalog(catalog)
    click.echo(
        f"catalog ok: {len(cat.services)} services, {len(cat.platform.environments)} environments"
    )


@main.command()
@catalog_option
@out_option
@workflows_option
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@handled
def render(catalog: Path, out: Path, workflows: Path, dry_run: bool) -> None:
    """Validate, render, write only what changed, remove files no longer produced."""
    from generator import engine

    plan = engine.plan_for(catalog, out, workflows)
    if dry_run:
        from generator.report import text_report

        click.echo(text_report(plan, diffs=False), nl=False)
        return
    summary = engine.apply_plan(plan)
    click.echo(f"gitops-gen: {summary}")


@main.command()
@catalog_option
@out_option
@workflows_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@handled
def check(catalog: Path, out: Path, workflows: Path, fmt: str) -> None:
    """Render in memory and compare with disk: exit 1 on drift."""
    from generator import engine
    from generator.report import format_report

    plan = engine.plan_for(catalog, out, workflows)
    click.echo(format_report(plan, fmt), nl=False)
    sys.exit(1 if plan.changed else 0)


@main.command()
@click.option(
    "--for",
    "kind",
    type=click.Choice(["service", "platform"]),
    default="service",
    show_default=True,
)
@handled
def schema(kind: str) -> None:
    """Print the catalog's JSON Schema (for yaml-language-server)."""
    from generator.catalog.schema import schema_text

    click.echo(schema_text(kind), nl=False)

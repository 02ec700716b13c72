"""`gitops-gen templates ...`: the templates each output is rendered from, and a team's
overrides of them (list, eject, show, diff, update)."""

from __future__ import annotations

from pathlib import Path

import click

from generator import console
from generator.cli_errors import exit_with, handled
from generator.cli_options import catalog_option


@click.group()
def templates() -> None:
    """The templates each output is rendered from, and overriding them (templatesPath)."""


@templates.command("list")
@catalog_option
@handled
def templates_list(catalog: Path) -> None:
    """Every template: its name, built-in or override, and the file used."""
    from generator.commands.templates import list_text

    click.echo(list_text(catalog), nl=False)


@templates.command("eject")
@click.argument("name")
@catalog_option
@handled
def templates_eject(name: str, catalog: Path) -> None:
    """Copy the built-in template NAME into the repo's templates folder to edit it there."""
    from generator.commands.templates import eject

    console.info(f"gitops-gen: wrote {eject(catalog, name).as_posix()}")


@templates.command("show")
@click.argument("name")
@catalog_option
@handled
def templates_show(name: str, catalog: Path) -> None:
    """The context template NAME sees: each field, its type and an example from this catalog."""
    from generator.commands.templates import show

    click.echo(show(catalog, name), nl=False)


@templates.command("diff")
@click.argument("name")
@catalog_option
@handled
def templates_diff(name: str, catalog: Path) -> None:
    """What the built-in NAME changed since it was ejected (exit 1 when it changed)."""
    from generator.commands.templates import diff

    code, text = diff(catalog, name)
    click.echo(text, nl=False)
    exit_with(code)


@templates.command("update")
@click.argument("name")
@catalog_option
@handled
def templates_update(name: str, catalog: Path) -> None:
    """Merge the built-in's change since the eject into the override NAME (three-way)."""
    from generator.commands.templates import update

    code, text = update(catalog, name)
    click.echo(text, nl=False)
    exit_with(code)

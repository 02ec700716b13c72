"""The options several commands share: one spelling, default and help text each."""

from __future__ import annotations

from pathlib import Path

import click

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

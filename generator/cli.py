"""Command line: parse, call, map errors to exit codes (`cli_errors`). No logic and no file
I/O here; the `templates` group is in `cli_templates`.

Heavy modules are imported inside the commands so `gitops-gen --version` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__, console
from generator.cli_errors import exit_with, handled
from generator.cli_options import (
    catalog_option,
    files_argument,
    format_option,
    jobs_option,
    out_option,
    with_verbosity,
    workflows_option,
)
from generator.cli_templates import templates


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gitops-gen")
@jobs_option
def main() -> None:
    """Render one service catalog into what Argo CD syncs."""


@main.command()
@catalog_option
@jobs_option
@handled
def validate(catalog: Path) -> None:
    """Validate the catalog only; print every error at once."""
    from generator.catalog.load import load_catalog
    from generator.commands.render import warn_placeholders

    with console.step("load and validate the catalog"):
        cat = load_catalog(catalog)
    warn_placeholders(catalog)
    console.info(
        f"catalog ok: {len(cat.services)} services, {len(cat.platform.environments)} environments"
    )


@main.command()
@catalog_option
@out_option
@workflows_option
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Allow a catalog without services to remove every service's output.",
)
@jobs_option
@files_argument
@handled
def render(  # click passes every option by keyword
    *,
    catalog: Path,
    out: Path,
    workflows: Path | None,
    dry_run: bool,
    allow_empty: bool,
    files: tuple[Path, ...],
) -> None:
    """Validate, render, write only what changed, remove files no longer produced.

    FILES (what a pre-commit hook passes): render only when one of them is under the
    catalog, its templates folder, the output or a gitops-gen workflow."""
    from generator.commands import render as command

    exit_with(
        command.render(
            catalog, out, workflows, dry_run=dry_run, allow_empty=allow_empty, files=files
        )
    )


@main.command()
@catalog_option
@out_option
@workflows_option
@format_option
@jobs_option
@files_argument
@handled
def check(
    catalog: Path, out: Path, workflows: Path | None, fmt: str, files: tuple[Path, ...]
) -> None:
    """Render in memory and compare with disk: exit 1 on drift.

    FILES (what a pre-commit hook passes): check only when one of them is under the
    catalog, its templates folder, the output or a gitops-gen workflow."""
    from generator.commands import render as command

    exit_with(command.check(catalog, out, workflows, fmt, files))


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


@main.command("new-service")
@click.argument("name")
@click.option("--owner", help="Owning team (a Backstage owner ref works too).")
@click.option("--backend", help="A secret backend from platform.yaml.")
@click.option("--key", "keys", multiple=True, help="A secret key, e.g. DB_PASSWORD (repeat).")
@click.option("--namespace", help="Kubernetes namespace (default: the name).")
@click.option("--image", help="repository[:tag] (default: ghcr.io/<system>/<name>:v0.1.0).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--description")
@catalog_option
@handled
def new_service(  # click passes every option by keyword
    *,
    name: str,
    owner: str | None,
    backend: str | None,
    keys: tuple[str, ...],
    namespace: str | None,
    image: str | None,
    port: int,
    description: str | None,
    catalog: Path,
) -> None:
    """Add catalog/services/NAME.yaml, validated with the whole catalog; refuse existing names."""
    from generator.commands.new_service import new_service as command
    from generator.commands.scaffold import NewService

    spec = NewService(name, owner or "", backend, keys, namespace, image, port, description)
    exit_with(command(spec, catalog))


@main.command("push-secrets")
@click.option("--env", "env", required=True, help="Environment to write.")
@click.option("--service", required=True, help="Service whose values to write.")
@click.option(
    "--from-env-file",
    "env_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="dotenv file with KEY=value for every declared key.",
)
@click.option("--from-env", is_flag=True, help="Read the declared keys from the environment.")
@click.option("--dry-run", is_flag=True, help="Show paths and created/updated/unchanged only.")
@click.option("--endpoint-url", help="AWS endpoint, or the Vault address (tests, proxies).")
@catalog_option
@handled
def push_secrets(  # click passes every option by keyword
    *,
    env: str,
    service: str,
    env_file: Path | None,
    from_env: bool,
    dry_run: bool,
    endpoint_url: str | None,
    catalog: Path,
) -> None:
    """Validate, then write a service's values to its backend at the paths the cluster reads."""
    from generator.commands.push_secrets import PushRequest, push_secrets

    if (env_file is None) == (not from_env):
        raise click.UsageError("give exactly one of --from-env-file FILE or --from-env")
    exit_with(push_secrets(PushRequest(env, service, env_file, dry_run, endpoint_url), catalog))


@main.command()
@click.option("--base", "base", required=True, help="Git ref to compare with, e.g. origin/main.")
@catalog_option
@format_option
@jobs_option
@handled
def diff(base: str, catalog: Path, fmt: str) -> None:
    """What the catalog change since REF does to the output; removals first. Exit 1 on change."""
    from generator.commands.diff import diff as command

    exit_with(command(base, catalog, fmt))


@main.command()
@click.option(
    "--env", "env", help="Only what this env's principals read, or who reads its secrets."
)
@click.option("--service", "service", help="Only this service's principals and secrets.")
@click.option("--path", "path", help="Only this secret path (a glob: * and ?).")
@catalog_option
@format_option
@handled
def access(env: str | None, service: str | None, path: str | None, catalog: Path, fmt: str) -> None:
    """Who can read what: every principal and each secret path it reaches, from the render."""
    from generator.commands.access import access as command

    if service is not None and path is not None:
        raise click.UsageError("give at most one of --service and --path")
    exit_with(command(catalog, env, service, path, fmt))


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--system", required=True, help="Platform name (DNS label): paths, labels.")
@click.option("--env", "envs", multiple=True, help="An environment, in promotion order (repeat).")
@click.option("--aws-account-id", help="AWS account of the secrets (with --region).")
@click.option("--region", help="AWS region (with --aws-account-id); without AWS: Vault.")
@click.option("--install", help="ci.install: pinned source the workflows install gitops-gen from.")
@click.option("--git-repo", help="URL Argo CD clones [default: the folder's origin remote].")
@handled
def init(  # click passes every option by keyword
    *,
    directory: Path,
    system: str,
    envs: tuple[str, ...],
    aws_account_id: str | None,
    region: str | None,
    install: str | None,
    git_repo: str | None,
) -> None:
    """Start a GitOps repo in DIRECTORY; refuse one that holds any of its files."""
    from generator.commands.init import DEFAULT_ENVS, InitSpec, init_repo, next_steps

    spec = InitSpec(system, envs or DEFAULT_ENVS, aws_account_id, region, install, git_repo)
    console.info(next_steps(directory, init_repo(directory, spec)))


main.add_command(templates)
with_verbosity(main)  # --quiet / --verbose on the group and every command


def entry() -> None:
    """The console script: `main`, leaving through `process.run_and_exit`. SIGINT and SIGTERM
    stop it in order (`interrupts`)."""
    from generator.output import interrupts
    from generator.process import run_and_exit

    interrupts.install()
    run_and_exit(main)

"""`new-service`: ask a person at a terminal for what the options leave out, then scaffold."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import console
from generator.commands.scaffold import NewService, create_service, next_steps


def new_service(spec: NewService, catalog: Path) -> int:
    """`spec.owner` may be empty: asked for at a terminal, a usage error elsewhere (CI)."""
    owner, backend, keys = spec.owner, spec.backend, spec.keys
    if sys.stdin.isatty():  # ask only a person at a terminal; CI gets an error instead
        owner = owner or click.prompt("Owner (team)")
        if backend is None and not keys:
            backend = click.prompt("Secret backend (empty: none)", default="", show_default=False)
        if backend and not keys:
            text = click.prompt("Secret keys, comma-separated (e.g. DB_HOST,DB_PASSWORD)")
            keys = tuple(k.strip() for k in text.split(",") if k.strip())
    if not owner:
        raise click.UsageError("--owner is required")
    spec = NewService(
        name=spec.name,
        owner=owner,
        backend=backend or None,
        keys=keys,
        namespace=spec.namespace,
        image=spec.image,
        port=spec.port,
        description=spec.description,
    )
    target, cat = create_service(catalog, spec)
    console.info(next_steps(cat, target, spec.name))
    return 0

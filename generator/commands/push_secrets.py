"""`push-secrets`: read the values, then write them through the service's backend plug-in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.backends import push_secrets as push_through_plugin
from generator.catalog.load import Catalog, load_catalog
from generator.commands.dotenv import read_dotenv


@dataclass(frozen=True)
class PushRequest:
    env: str
    service: str
    env_file: Path | None  # dotenv file, or None to read the environment
    dry_run: bool
    endpoint_url: str | None


def push_secrets(request: PushRequest, catalog_dir: Path) -> int:
    """Validate, then write a service's values at the paths the cluster reads."""
    cat = load_catalog(catalog_dir)
    values, lines, source = _values(cat, request)
    options = {
        "source": source,
        "lines": lines,
        "url": request.endpoint_url,
        "dry_run": request.dry_run,
    }
    push_through_plugin(cat, request.env, request.service, values, options)
    return 0


def _values(cat: Catalog, request: PushRequest) -> tuple[dict[str, str], dict[str, int], str]:
    """(values, line of each key in the file, where they came from)."""
    if request.env_file is not None:
        values, lines = read_dotenv(request.env_file)
        return values, lines, str(request.env_file)
    svc = next((s for s in cat.services if s.name == request.service), None)
    declared = tuple(svc.secrets.keys) if svc and svc.secrets else ()
    return env_values(declared, os.environ), {}, "environment"


def env_values(declared: tuple[str, ...], environ: Mapping[str, str]) -> dict[str, str]:
    """From the process environment, only the declared keys (CI sets them from secrets)."""
    return {k: environ[k] for k in declared if k in environ}

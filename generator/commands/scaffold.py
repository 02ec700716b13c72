"""`new-service`: one catalog entry, validated against the whole catalog before it is written.

The entry is the Backstage skeleton filled with the same values (`render/skeleton.py`), so
a service scaffolded in Backstage and one from the CLI are identical.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.catalog.load import (
    PLATFORM_FILE,
    SERVICES_DIR,
    Catalog,
    display_root,
    load_catalog,
)
from generator.catalog.models import DNS_LABEL, Platform
from generator.errors import Problem, UserError
from generator.families.skeleton import DEFAULT_TAG, fill_skeleton, schema_path
from generator.parts.inventory import verify
from generator.pipeline.render import render_all
from generator.templating.engine import Templates, templates_for


@dataclass(frozen=True)
class NewService:
    name: str
    owner: str
    backend: str | None = None
    keys: tuple[str, ...] = ()
    namespace: str | None = None
    image: str | None = None  # repository[:tag]
    port: int = 8080
    description: str | None = None


def skeleton_values(platform: Platform, spec: NewService) -> dict[str, Any]:
    repository, _, tag = (spec.image or f"ghcr.io/{platform.system}/{spec.name}").partition(":")
    return {
        "schemaPath": schema_path(platform),
        "name": spec.name,
        "owner": spec.owner,
        "description": spec.description or "",
        "namespace": spec.namespace or "",
        "imageRepository": repository,
        "imageTag": tag or DEFAULT_TAG,
        "port": spec.port,
        "backend": spec.backend or "",
        "secretKeys": list(spec.keys),
    }


def entry_text(platform: Platform, spec: NewService, templates: Templates | None = None) -> str:
    return fill_skeleton(skeleton_values(platform, spec), templates)


def create_service(catalog_dir: Path, spec: NewService) -> tuple[Path, Catalog]:
    """Validate the new entry with the whole catalog and its render; then write it, or nothing."""
    shown = f"{display_root(catalog_dir)}{SERVICES_DIR}/{spec.name}.yaml"
    target = catalog_dir / SERVICES_DIR / f"{spec.name}.yaml"
    _refuse_name(catalog_dir, spec, shown, target)
    current = load_catalog(catalog_dir)
    platform = current.platform
    if spec.backend and not spec.keys:
        raise UserError.single(shown, "secrets.keys", "give at least one --key for the backend")
    if spec.keys and not spec.backend and len(platform.secretBackends) == 1:
        spec = replace(spec, backend=next(iter(platform.secretBackends)))  # the only one
    if spec.keys and not spec.backend:
        names = ", ".join(sorted(platform.secretBackends)) or "none in platform.yaml"
        raise UserError.single(shown, "secrets.backend", f"--key needs --backend ({names})")
    text = entry_text(platform, spec, templates_for(current))  # the repo's skeleton override
    catalog = load_catalog(catalog_dir, extra={target.name: text.encode()})
    verify(render_all(catalog).inventory, catalog)
    _write_new(target, text)
    return target, catalog


def _refuse_name(catalog_dir: Path, spec: NewService, shown: str, target: Path) -> None:
    if not (catalog_dir / PLATFORM_FILE).is_file():
        raise UserError.single(str(catalog_dir / PLATFORM_FILE), "", "no catalog here")
    if not re.fullmatch(DNS_LABEL, spec.name) or len(spec.name) > 63:
        msg = f"{spec.name!r} is not a DNS-1123 label (lowercase letters, digits and '-')"
        raise UserError.single(shown, "name", msg)
    if target.exists() or target.is_symlink():
        raise UserError.single(shown, "name", f"service {spec.name!r} already exists")


def _write_new(target: Path, text: str) -> None:
    """Create the file only if it does not exist (O_EXCL), via a temp file and a hard link."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.gitops-gen-tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, target)  # atomic, and fails if another run created it meanwhile
    except FileExistsError:
        problem = Problem(str(target), 1, 1, "name", "service already exists")
        raise UserError([problem]) from None
    finally:
        tmp.unlink()


def next_steps(catalog: Catalog, target: Path, name: str) -> str:
    """What to do after `new-service`: render, then fill each env's values at its exact paths."""
    from generator.backends import fill
    from generator.catalog.facts import Facts

    facts = Facts(catalog)
    svc = facts.service(name)
    lines = [
        f"created {target}",
        "next steps:",
        "  1. make render   (or `gitops-gen render`), then commit the catalog and rendered/ "
        "together",
    ]
    if svc.secrets is None:
        return "\n".join(lines) + "\n"
    lines.append("  2. fill its secret values (never in Git) at these paths:")
    for env in facts.envs:
        f = fill(facts, svc, env)
        assert f is not None
        lines.append(f"     {env.name}: {', '.join(f.paths)}")
        lines += [f"       $ {cmd}" for cmd in f.commands]
    return "\n".join(lines) + "\n"

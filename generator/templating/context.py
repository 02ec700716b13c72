"""What every template sees besides its family's view: the platform, the service (read-only,
every field), the env and the team's own fields (`extra`). The reference page
(`docs/templates.md`) and `gitops-gen templates show NAME` list them per template.

A template rendered once for the whole catalog sees `service` and `env` as none (and `extra`
empty); one rendered per service sees `env` as none when its output serves every env (a
Kustomize base, with `_ENV_` where the env goes); one rendered per service and env sees both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from generator.catalog.models import Environment, Platform, Service

SCOPE_NAMES = ("service", "env", "extra")  # what `scope` adds, in a template's context
# how often a template renders (the reference page's words)
ONCE = "once for the whole catalog"
PER_ENV = "once per env"
PER_SERVICE = "once per service (serves every env: `env` is none)"
PER_SERVICE_ENV = "once per service and env"


class Context(NamedTuple):
    """What one template sees besides the shared context: how often it renders, and its
    family's view(s) as (name in the template, type). The families list theirs in
    `generator.commands.template_context`; a backend type, in `SecretBackend.templates`."""

    scope: str
    views: tuple[tuple[str, Any], ...]


def catalog_context(platform: Platform) -> dict[str, Any]:
    """The context every template of a catalog starts from."""
    return {"platform": platform, "service": None, "env": None, "extra": {}}


def scope(service: Service | None, env: Environment | None = None) -> dict[str, Any]:
    """`service`, `env`, and the service's `extra` as that env sees it (its own merged over)."""
    if service is None:
        return {"service": None, "env": env, "extra": {}}
    return {
        "service": service,
        "env": env,
        "extra": service.extra_in(env.name if env is not None else None),
    }

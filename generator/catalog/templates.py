"""Key templates such as `{env}/{service}` and seed 001's key normalization."""

from __future__ import annotations

import re
from functools import lru_cache

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ENV_PLACEHOLDER = "_ENV_"  # what a Kustomize base carries where {env} goes (seed 001)


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


def stray_brace(template: str) -> bool:
    return "{" in PLACEHOLDER.sub("", template) or "}" in PLACEHOLDER.sub("", template)


EXPANDABLE = frozenset({"system", "env", "service", "key"})  # what `expand` fills


def expandable(template: str) -> bool:
    """Can `expand` fill it? (Otherwise a rule has refused it already: skip, do not crash.)"""
    return not stray_brace(template) and set(placeholders(template)) <= EXPANDABLE


def expand(template: str, *, system: str, env: str, service: str, key: str = "") -> str:
    """Fill a validated template; `key` is normalized as seed 001 does."""
    values = {"system": system, "env": env, "service": service, "key": normalize_key(key)}
    return fill(template, values)


def fill(template: str, values: dict[str, str]) -> str:
    """Expand a template whose placeholders the rules already checked (a missing one is a
    KeyError: a bug, never a silent blank)."""
    parts = _split(template)
    if len(parts) == 1:
        return template
    return "".join([values[part] if i % 2 else part for i, part in enumerate(parts)])


@lru_cache(maxsize=512)
def _split(template: str) -> tuple[str, ...]:
    """Text and placeholder names, alternating (`re.split` with the group): parsed once per
    template, not once per service and env (50,000 expansions at 3,000 services)."""
    return tuple(PLACEHOLDER.split(template))


def normalize_key(key: str) -> str:
    """`DATABASE_URL` -> `database_url` (seed 001: lowercase; hyphens are rejected upstream)."""
    return key.lower()


@lru_cache(maxsize=256)  # asked per service and env by several families, of a few templates
def per_key(template: str) -> bool:
    """A `{key}` in a template means one parameter (or secret) per key."""
    return "key" in placeholders(template)

"""The exact command that fills one service's secret values in one env, per backend type.

Shared by the runbooks and `new-service`'s next steps, so both always name the paths the
rendered ExternalSecrets / VaultStaticSecrets read. Commands carry names and paths only:
values come from a local file or an environment variable, never from the catalog. Each
backend plug-in (`generator.backends`) writes its own commands.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from generator.catalog.facts import Facts, SecretPlan
from generator.catalog.load import Catalog
from generator.catalog.models import ENV_KEY, Environment, Service
from generator.errors import Problem, UserError, unlocated

q = shlex.quote
KEY_NOTE = "each from the shell variable named like its key (`read -rs KEY`), never typed inline"
JSON_NOTE = "one JSON object of every key, from a local file outside the repo (delete it after)"


@dataclass(frozen=True)
class Fill:
    """Where values go in one env and the commands that put them there."""

    paths: list[str]
    commands: list[str]
    note: str


def value_file(service: Service, env: Environment, suffix: str) -> str:
    return f"{service.name}.{env.name}.{suffix}"


def target(catalog: Catalog, env_name: str, service: str) -> tuple[Facts, Environment, SecretPlan]:
    """The env and the service's secret plan `push-secrets` writes to; refused when absent."""
    facts = Facts(catalog)
    env = next((e for e in facts.envs if e.name == env_name), None)
    if env is None:
        names = ", ".join(e.name for e in facts.envs)
        raise UserError.unlocated("--env", "", f"{env_name!r} is not an environment ({names})")
    if service not in {s.name for s in facts.services}:
        raise UserError.unlocated("--service", "", f"{service!r} is not in the catalog")
    plan = facts.secret_plan(facts.service(service))
    if plan is None:
        raise UserError.single(catalog.source(service), "secrets", "service declares no secrets")
    return facts, env, plan


def check_values(
    declared: tuple[str, ...],
    values: Mapping[str, str],
    source: str,
    lines: Mapping[str, int] | None = None,
) -> None:
    problems = []
    at = lines or {}
    for key in declared:
        if key not in values:
            problems.append(unlocated(source, key, "declared key has no value"))
        elif not values[key].strip():  # a pod must never start on a blank value
            why = "value is empty" if values[key] == "" else "value is blank (only whitespace)"
            problems.append(_at(source, at.get(key), key, why))
    for key in sorted(set(values) - set(declared)):
        if re.fullmatch(ENV_KEY, key):
            msg = "is not declared in secrets.keys: refusing it"
            problems.append(_at(source, at.get(key), key, msg))
        else:  # not a name: perhaps a value, never shown
            msg = "a key that is not a valid name ([A-Z][A-Z0-9_]*): refusing it"
            problems.append(_at(source, at.get(key), "", msg))
    if problems:
        raise UserError(problems)


def _at(source: str, line: int | None, field: str, message: str) -> Problem:
    """At the value's line in a dotenv file; the environment has no lines."""
    return Problem(source, line, 1, field, message) if line else unlocated(source, field, message)

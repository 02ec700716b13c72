"""The exact command that fills one service's secret values in one env, per backend type.

Shared by the runbooks and `new-service`'s next steps, so both always name the paths the
rendered ExternalSecrets / VaultStaticSecrets read. Commands carry names and paths only:
values come from a local file or an environment variable, never from the catalog. Each
backend plug-in (`generator.backends`) writes its own commands.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from generator.catalog.facts import Facts
from generator.catalog.models import Environment, Service

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


def fill(facts: Facts, service: Service, env: Environment) -> Fill | None:
    plan = facts.secret_plan(service)
    if plan is None:
        return None
    return plan.plugin.fill(facts, service, env, plan)

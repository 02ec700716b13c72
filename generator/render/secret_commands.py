"""The exact command that fills one service's secret values in one env, per backend type.

Shared by the runbooks and `new-service`'s next steps, so both always name the paths the
rendered ExternalSecrets / VaultStaticSecrets read. Commands carry names and paths only:
values come from a local file or an environment variable, never from the catalog.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from generator.catalog.models import (
    AwsParameterStore,
    AwsSecretsManager,
    Environment,
    Service,
    Vault,
)
from generator.render.facts import Facts
from generator.render.tfgithub import github_secret_name

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
    backend = plan.backend
    refs = facts.refs(service, env.name)
    paths = [r.key for r in refs]
    if isinstance(backend, Vault):
        data = value_file(service, env, "json")
        cmd = f"vault kv put -mount={q(backend.mount)} {q(paths[0])} @{data}"
        return Fill(paths, [cmd], JSON_NOTE)
    if backend.valuesFrom == "github-actions":
        cmds = [
            f"gh secret set {github_secret_name(service.name, k)} --env {q(env.name)}"
            for k in plan.keys
        ]
        cmds.append("gh workflow run gitops-gen-secrets-sync.yml")
        return Fill(paths, cmds, "GitHub environment secrets; Terraform writes them to AWS")
    if backend.valuesFrom == "pipeline":
        file = value_file(service, env, "env")
        cmd = (
            f"gitops-gen push-secrets --env {q(env.name)} --service {q(service.name)} "
            f"--from-env-file {file}"
        )
        return Fill(paths, [cmd], "a dotenv file of every key (or --from-env in CI)")
    region = q(facts.platform.aws.region) if facts.platform.aws else "REGION"
    note = KEY_NOTE if plan.per_key else JSON_NOTE
    if isinstance(backend, AwsSecretsManager):
        return Fill(paths, [_sm(region, r.key, r.secret_key, service, env) for r in refs], note)
    assert isinstance(backend, AwsParameterStore)
    return Fill(paths, [_ssm(region, r.key, r.secret_key, service, env) for r in refs], note)


def _source(key: str, service: Service, env: Environment) -> str:
    """A single key's value from the shell environment, or the JSON document from a file."""
    return f'"${key}"' if key else f"file://{value_file(service, env, 'json')}"


def _sm(region: str, name: str, key: str, service: Service, env: Environment) -> str:
    return (
        f"aws secretsmanager put-secret-value --region {region} --secret-id {q(name)} "
        f"--secret-string {_source(key, service, env)}"
    )


def _ssm(region: str, name: str, key: str, service: Service, env: Environment) -> str:
    return (
        f"aws ssm put-parameter --region {region} --name {q(name)} --type SecureString "
        f"--overwrite --value {_source(key, service, env)}"
    )

"""Seed 002's variant: GitHub Secrets -> `TF_VAR_*` -> `aws_secretsmanager_secret_version`.

One `sensitive` variable per key (no default, so a missing GitHub secret fails the plan
instead of writing an empty value; a `validation` refuses an empty or blank one). The same
variable names serve every env: the secret sync workflow runs one job per GitHub environment,
whose secrets carry that env's values.
"""

from __future__ import annotations

from generator.catalog.facts import Facts
from generator.catalog.models import Environment, Service
from generator.catalog.names import github_secret_name, variable_name
from generator.text.hcl import hcl_string

__all__ = [
    "github_secret_name",
    "github_secrets_tf",
    "github_services",
    "has_github_values",
    "tf_variables",
    "variable_name",
]


def github_services(facts: Facts, env: Environment | None = None) -> list[Service]:
    """Services whose values Terraform writes from GitHub Secrets (in `env`, if given)."""
    out = []
    for svc in facts.services:
        plan = facts.secret_plan(svc)
        if plan is None or not plan.backend.terraform_writes_values():
            continue
        if env is None or facts.deployed(svc, env).enabled:
            out.append(svc)
    return out


def has_github_values(facts: Facts, env: Environment) -> bool:
    return bool(github_services(facts, env))


def tf_variables(facts: Facts, env: Environment) -> tuple[tuple[str, str], ...]:
    """(Terraform variable, GitHub secret) of every value Terraform writes in `env`."""
    return tuple(
        (variable_name(svc.name, key), github_secret_name(svc.name, key))
        for svc in github_services(facts, env)
        for key in (svc.secrets.keys if svc.secrets else [])
    )


def github_secrets_tf(facts: Facts, env: Environment) -> str:
    blocks: list[str] = []
    for svc in github_services(facts, env):
        assert svc.secrets is not None
        for key in svc.secrets.keys:
            blocks.append(_variable(svc.name, key))
    for svc in github_services(facts, env):
        assert svc.secrets is not None
        for ref in facts.refs(svc, env.name):
            keys = [ref.secret_key] if ref.secret_key else list(svc.secrets.keys)
            blocks.append(_version(svc.name, ref.secret_key, keys))
    return "\n" + "\n".join(blocks)


def _variable(service: str, key: str) -> str:
    secret = github_secret_name(service, key)
    description = f"{key} of {service}: GitHub Actions secret {secret}"
    message = (
        f"GitHub secret {secret} is empty or blank: set its value in this env's GitHub "
        "environment; no blank value is written to AWS."
    )
    return (
        f"variable {hcl_string(variable_name(service, key))} {{\n"
        f"  description = {hcl_string(description)}\n"
        "  type        = string\n"
        "  sensitive   = true\n"
        "\n"
        "  validation {\n"
        f'    condition     = trimspace(var.{variable_name(service, key)}) != ""\n'
        f"    error_message = {hcl_string(message)}\n"
        "  }\n"
        "}\n"
    )


def _version(service: str, single_key: str, keys: list[str]) -> str:
    """One secret version: a JSON document of every key, or the one key's value."""
    object_key = f"{service}/{single_key}" if single_key else service
    label = f"{service}--{single_key.lower()}" if single_key else service
    secret_id = f"module.secrets.secretsmanager_secret_ids[{hcl_string(object_key)}]"
    if single_key:
        value = f"var.{variable_name(service, single_key)}\n"
    else:
        width = max(len(hcl_string(k)) for k in keys)
        items = "".join(
            f"    {hcl_string(k).ljust(width)} = var.{variable_name(service, k)}\n" for k in keys
        )
        value = "jsonencode({\n" + items + "  })\n"
    head = f"resource {hcl_string('aws_secretsmanager_secret_version')} {hcl_string(label)} {{\n"
    if single_key:
        return head + f"  secret_id     = {secret_id}\n  secret_string = {value}}}\n"
    return head + f"  secret_id = {secret_id}\n  secret_string = {value}}}\n"

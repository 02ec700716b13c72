"""Terraform: per env a root module; its tfvars drive `for_each` over the services (seeds 000, 002).

The module (`modules/service-secrets`) is static HCL copied verbatim. Everything from the
catalog reaches Terraform as `terraform.tfvars.json` (one JSON escaping path), including
the exact IAM documents, so `terraform plan` and the PR diff show the real policy. Each
backend type says which input its objects go in and what each entry holds, and may add
files of its own to a root (Secrets Manager's GitHub-sourced values: the only generated HCL,
every catalog value in it through `hcl_string`).

The root is AWS's, and rendered only for a platform with an `aws` section and a backend in
it: `provider "aws"`, the S3 state backend, the IRSA roles and the module's inputs (the AWS
types' `tf_collection`s). A backend type on another cloud (the toy one of
`tests/test_plugins.py`) gets no Terraform and renders without it. Not built yet: a root per
cloud (provider, state backend, module and roles from the cloud, inputs from its types), the
seam for a type whose values Terraform should create outside AWS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import backends
from generator.backends import plugin_for
from generator.catalog.facts import Deployed, Facts, RemoteRef, header, irsa_role_name
from generator.catalog.models import Aws, Backend, Environment
from generator.parts.result import CloudEffects, FamilyResult, merge_results
from generator.templating.engine import Templates, templates_for
from generator.text.hcl import hcl_string
from generator.text.jsonout import dumps_indented

ROOT = "terraform"
MODULE_DIR = f"{ROOT}/modules/service-secrets"
MODULE_FILES = ("main.tf", "outputs.tf", "variables.tf", "versions.tf")
ROOT_STATIC = ("variables.tf", "versions.tf")
TF_COLLECTIONS = ("secretsmanager_secrets", "ssm_parameters")  # the module's object inputs


def env_dir(env: str) -> str:
    return f"{ROOT}/envs/{env}"


def render(facts: Facts) -> dict[str, str]:
    return merge_results(list(result(facts))).files


def has_inputs(facts: Facts) -> bool:
    """Are there Terraform inputs to apply (values and roles in the platform's AWS account)?
    The workflows apply them."""
    return facts.platform.aws is not None and bool(facts.aws_backends())


def result(facts: Facts) -> Iterator[FamilyResult]:
    """The files, and each env's module inputs as data: what `diff` and the workflows read.
    In pieces, the module then one per env: an env's inputs are 17 MB of text at 10,000
    services, and the pipeline sinks each piece before the next is made."""
    aws = facts.platform.aws
    if aws is None or not has_inputs(facts):
        yield FamilyResult(ROOT, {})
        return
    src = facts.source()
    templates = templates_for(facts.catalog)
    yield FamilyResult(
        ROOT, {f"{MODULE_DIR}/{n}": header(src) + _module_text(templates, n) for n in MODULE_FILES}
    )
    for env in facts.envs:
        yield _env_root(facts, aws, env, templates)


def _env_root(facts: Facts, aws: Aws, env: Environment, templates: Templates) -> FamilyResult:
    src, root = facts.source(), env_dir(env.name)
    files = {}
    tfvars = f"{root}/terraform.tfvars.json"
    files[tfvars] = dumps_indented(env_tfvars(facts, aws, env)) + "\n"
    files[f"{root}/main.tf"] = header(src) + _root_main(aws)
    for name in ROOT_STATIC:  # the root declares the same inputs it passes through
        files[f"{root}/{name}"] = header(src) + _module_text(templates, name)
    files[f"{root}/outputs.tf"] = header(src) + templates.static("terraform/root-outputs.tf")
    bucket = facts.platform.ci.terraformStateBucket
    if bucket:
        files[f"{root}/backend.tf"] = header(src) + _backend(bucket, aws.region, env.name)
    for name, text in backends.terraform_files(facts, env).items():
        files[f"{root}/{name}"] = header(src) + text
    return FamilyResult(ROOT, files, cloud=CloudEffects(terraform={env.name: tfvars}))


def _module_text(templates: Templates, name: str) -> str:
    return templates.static(f"terraform/module/{name}")


def _root_main(aws: Aws) -> str:
    return (
        'provider "aws" {\n'
        f"  region              = {hcl_string(aws.region)}\n"
        f"  allowed_account_ids = [{hcl_string(aws.accountId)}]\n"
        "}\n"
        "\n"
        'module "secrets" {\n'
        '  source = "../../modules/service-secrets"\n'
        "\n"
        "  system                  = var.system\n"
        "  environment             = var.environment\n"
        "  recovery_window_in_days = var.recovery_window_in_days\n"
        "  kms_key_arn             = var.kms_key_arn\n"
        "  secretsmanager_secrets  = var.secretsmanager_secrets\n"
        "  ssm_parameters          = var.ssm_parameters\n"
        "  irsa_roles              = var.irsa_roles\n"
        "}\n"
    )


def _backend(bucket: str, region: str, env: str) -> str:
    """S3 state per env, locked with S3's own conditional writes (Terraform >= 1.10)."""
    key = f"gitops-gen/{env}/terraform.tfstate"
    return (
        'terraform {\n  backend "s3" {\n'
        f"    bucket       = {hcl_string(bucket)}\n"
        f"    key          = {hcl_string(key)}\n"
        f"    region       = {hcl_string(region)}\n"
        "    encrypt      = true\n"
        "    use_lockfile = true\n"
        "  }\n}\n"
    )


def object_key(service: str, ref: RemoteRef) -> str:
    """The for_each key of one remote object: the service, or `service/KEY` per key."""
    return f"{service}/{ref.secret_key}" if ref.secret_key else service


def remote_objects(facts: Facts, env: Environment) -> list[tuple[Deployed, Backend, RemoteRef]]:
    """Every remote object Terraform manages that the services enabled in `env` read, sorted
    by service (each backend plug-in says whether Terraform manages its objects)."""
    out = []
    for svc in facts.services:
        plan = facts.secret_plan(svc)
        deployed = facts.deployed(svc, env)
        if plan is None or not deployed.enabled:
            continue
        if plugin_for(plan.backend).tf_collection() is not None:
            out += [(deployed, plan.backend, ref) for ref in facts.refs(svc, env.name)]
    return out


def env_tfvars(facts: Facts, aws: Aws, env: Environment) -> dict[str, Any]:
    inputs: dict[str, dict[str, Any]] = {c: {} for c in TF_COLLECTIONS}
    arns: dict[str, list[str]] = {}
    for deployed, backend, ref in remote_objects(facts, env):
        plugin = plugin_for(backend)
        collection = plugin.tf_collection()
        assert collection in inputs, collection  # the module declares each input it takes
        svc = deployed.name
        inputs[collection][object_key(svc, ref)] = plugin.tf_item(backend, deployed, ref)
        arns.setdefault(svc, []).append(resource_arn(aws, backend, ref.key))
    return {
        "system": facts.system,
        "environment": env.name,
        "recovery_window_in_days": aws.recoveryWindowInDays,
        "kms_key_arn": aws.kmsKeyArn,
        **inputs,
        "irsa_roles": _roles(facts, aws, env, arns),
    }


def resource_arn(aws: Aws, backend: Backend, name: str) -> str:
    """The exact ARN of one remote object: no `*`, so no prefix reaches another's."""
    return plugin_for(backend).resource_arn(aws, name)


def oidc_provider(aws: Aws, env: Environment) -> str | None:
    return env.oidcProvider or aws.oidcProvider


def _roles(facts: Facts, aws: Aws, env: Environment, arns: dict[str, list[str]]) -> dict[str, Any]:
    """Per-service roles (per-service SecretStores), or one ESO role per env (cluster store)."""
    oidc = oidc_provider(aws, env)
    if oidc is None or not arns:
        return {}
    if aws.secretStoreScope == "service":
        return {
            svc: _role(
                aws,
                oidc,
                irsa_role_name(facts.system, env.name, svc),
                svc,
                account=(facts.deployed(facts.service(svc), env).namespace, svc),
                resources=resources,
            )
            for svc, resources in sorted(arns.items())
        }
    ns, _, sa = aws.esoServiceAccount.partition("/")
    every = sorted(a for resources in arns.values() for a in resources)
    name = irsa_role_name(facts.system, env.name, "external-secrets")
    return {
        "external-secrets": _role(
            aws, oidc, name, "external-secrets", account=(ns, sa), resources=every
        )
    }


def _role(
    aws: Aws,
    oidc: str,
    name: str,
    service: str,
    *,
    account: tuple[str, str],
    resources: list[str],
) -> dict[str, Any]:
    subject = f"system:serviceaccount:{account[0]}:{account[1]}"
    return {
        "name": name,
        "service": service,
        "service_account": f"{account[0]}/{account[1]}",
        "assume_role_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{aws.accountId}:oidc-provider/{oidc}"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{oidc}:sub": subject, f"{oidc}:aud": "sts.amazonaws.com"}
                    },
                }
            ],
        },
        "policy": {"Version": "2012-10-17", "Statement": read_statements(aws, resources)},
    }


def read_statements(aws: Aws, resources: list[str]) -> list[dict[str, Any]]:
    """Each backend type's read of exactly its own `resources`, then the KMS decrypt they
    need, only through the services that hold them."""
    grants = backends.read_grants(aws, resources)
    out = [statement for statement, _via in grants]
    if aws.kmsKeyArn:
        via = [service for _statement, service in grants]
        out.append(
            {
                "Sid": "DecryptThroughSecretServices",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [aws.kmsKeyArn],
                "Condition": {"StringEquals": {"kms:ViaService": via}},
            }
        )
    return out

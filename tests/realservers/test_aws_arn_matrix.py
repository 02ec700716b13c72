"""Every IRSA role x every ARN, real and decoy, against the IAM policies Terraform applied to
a real AWS API (moto's server): each role reads exactly what the catalog declares.

moto does not enforce IAM, so the policy documents are fetched back from moto and judged by
the small evaluator below (AWS's rules: an explicit Deny wins over an Allow; in `Action` and
`Resource`, `*` is any run of characters, `/` included, and `?` exactly one; actions compare
without case, resources with case). Decoys are named as near misses of each real name: a
suffix (`-x`, `-v2`, `/extra`), one character short, and the same name in another env. The
expectation comes from the catalog's words alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from generator.catalog.load import Catalog
from generator.catalog.models import AwsParameterStore, AwsSecretsManager
from tests.realservers.aws import REGION, Backend
from tests.realservers.test_aws_end_to_end import World, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.tools

READ = {"secretsmanager": "secretsmanager:GetSecretValue", "ssm": "ssm:GetParameter"}


def _wildcard(pattern: str, value: str, *, case: bool) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allowed(policy: dict[str, Any], action: str, arn: str) -> bool:
    """IAM's verdict of one identity policy on one request (no conditions are rendered)."""
    verdicts = set()
    for statement in _listed_statements(policy):
        acts = any(_wildcard(a, action, case=False) for a in _listed(statement["Action"]))
        if acts and any(_wildcard(r, arn, case=True) for r in _listed(statement["Resource"])):
            verdicts.add(statement["Effect"])
    return "Allow" in verdicts and "Deny" not in verdicts


def _listed_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


def test_the_evaluator_knows_iam_wildcards() -> None:
    arn = "arn:aws:secretsmanager:r:1:secret:dev/pay-AbC123"
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": "*:secret:dev/*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*:secret:dev/x-??????"},
        ]
    }
    assert allowed(policy, "SecretsManager:GetSecretValue", arn)
    assert not allowed(policy, "secretsmanager:GetSecretValue", arn.replace("dev/pay", "dev/x"))
    assert not allowed(policy, "secretsmanager:GetSecretValue", arn.replace("dev", "DEV"))
    exact = {"Statement": {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": arn}}
    assert not allowed(exact, "ssm:GetParameter", arn + "x")
    six = {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*:dev/pay-??????"}}
    assert allowed(six, "secretsmanager:GetSecretValue", arn)
    assert not allowed(six, "secretsmanager:GetSecretValue", arn.replace("pay", "pay-x"))
    brackets = {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "a[bc]"}}
    assert allowed(brackets, "ssm:GetParameter", "a[bc]")  # no character classes in IAM
    assert not allowed(brackets, "ssm:GetParameter", "ab")


def own_names(catalog: Catalog) -> dict[str, set[tuple[str, str]]]:
    """Role name -> the (kind, name) of every secret or parameter the catalog gives it."""
    platform = catalog.platform
    out: dict[str, set[tuple[str, str]]] = {}
    for env in platform.environments:
        for svc in catalog.services:
            over = svc.environments.get(env.name)
            if svc.secrets is None or (over is not None and not over.enabled):
                continue
            backend = platform.secretBackends[svc.secrets.backend]
            if not isinstance(backend, AwsSecretsManager | AwsParameterStore):
                continue
            kind = "secretsmanager" if isinstance(backend, AwsSecretsManager) else "ssm"
            keys = svc.secrets.keys if "{key}" in backend.key else [""]
            names = {
                backend.key.replace("{system}", platform.system)
                .replace("{env}", env.name)
                .replace("{service}", svc.name)
                .replace("{key}", k.lower())
                for k in keys
            }
            role = f"{platform.system}-{env.name}-{svc.name}"
            out.setdefault(role, set()).update((kind, n) for n in names)
    return out


def decoys(name: str, envs: list[str]) -> Iterator[str]:
    yield from (name + "-x", name + "-v2", name + "/extra", name[:-1], name + "x")
    lead = "/" if name.startswith("/") else ""  # a parameter path keeps its leading `/`
    for env in envs:  # the same name in every other env
        for other in envs:
            if other != env and f"/{env}/" in f"/{name}/":
                yield lead + f"/{name}/".replace(f"/{env}/", f"/{other}/", 1).strip("/")


def arns(backend: Backend, real: set[tuple[str, str]], envs: list[str]) -> dict[str, str]:
    """ARN -> its (kind) name, for every real name and its decoys, created where missing."""
    names = {(k, n) for k, n in real} | {(k, d) for k, n in real for d in decoys(n, envs)}
    out: dict[str, str] = {}
    for kind, name in sorted(names):
        if kind == "secretsmanager":
            try:
                arn = backend.sm.describe_secret(SecretId=name)["ARN"]
            except backend.sm.exceptions.ResourceNotFoundException:
                arn = backend.sm.create_secret(Name=name, SecretString="{}")["ARN"]
        else:
            backend.ssm.put_parameter(Name=name, Value="v", Type="SecureString", Overwrite=True)
            arn = backend.ssm.get_parameter(Name=name)["Parameter"]["ARN"]
        assert out.setdefault(str(arn), name) == name, f"{name} and {out[str(arn)]}: one ARN"
    return out


def policies(backend: Backend) -> dict[str, list[dict[str, Any]]]:
    """Role name -> every inline policy document, as moto holds them."""
    out: dict[str, list[dict[str, Any]]] = {}
    for role in backend.iam.list_roles()["Roles"]:
        name = role["RoleName"]
        for policy in backend.iam.list_role_policies(RoleName=name)["PolicyNames"]:
            doc = backend.iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            out.setdefault(name, []).append(json.loads(doc) if isinstance(doc, str) else doc)
    return out


def test_every_role_reads_exactly_its_declared_arns(world: World) -> None:  # noqa: F811
    backend = Backend(world.endpoint)
    expected = own_names(world.catalog)
    real = {item for items in expected.values() for item in items}
    every = arns(backend, real, world.envs())
    roles = policies(backend)
    assert set(roles) == set(expected), "the applied roles are the catalog's"
    deviations, checked = [], 0
    for role, docs in sorted(roles.items()):
        for arn, name in sorted(every.items()):
            kind = arn.split(":")[2]
            got = any(allowed(doc, READ[kind], arn) for doc in docs)
            if got != ((kind, name) in expected[role]):
                deviations.append(f"{role} {'reads' if got else 'cannot read'} {arn}")
            checked += 1
    assert deviations == []
    assert checked > 1000 and len(every) > 5 * len(real), (checked, len(every), len(real))
    assert REGION in next(iter(every))

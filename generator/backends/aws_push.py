"""`push-secrets`: write one service's values to its AWS backend at the paths the cluster reads.

Seed 001's pipeline step: normalize, validate everything, then write. The paths come from
the same `Facts.refs` the ExternalSecrets are rendered from, so they cannot disagree. Values
live only in `Write.value` and in the AWS calls: reports, errors and reprs carry names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.backends.aws_names import description, tags
from generator.backends.commands import check_values, target
from generator.backends.github_values import github_secret_name, variable_name
from generator.catalog.load import Catalog
from generator.errors import UserError, unlocated


@dataclass(frozen=True)
class Write:
    """One remote object to write. `value` is excluded from repr so it never reaches a log."""

    path: str
    kind: str  # "secretsmanager" | "ssm"
    keys: tuple[str, ...]
    json_doc: bool
    value: str = field(repr=False)
    # What a parameter is created with (Terraform creates no parameters: they need a value)
    description: str = ""
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    write: Write
    status: str  # created | updated | unchanged

    def __str__(self) -> str:
        what = "secret" if self.write.kind == "secretsmanager" else "SecureString parameter"
        keys = ", ".join(self.write.keys)
        return f"{self.status:9} {self.write.path}  ({what}; {keys})"


def plan_writes(
    api: tuple[str, int],
    catalog: Catalog,
    env_name: str,
    service: str,
    values: Mapping[str, str],
    *,
    source: str,
    lines: Mapping[str, int] | None = None,
) -> list[Write]:
    """Validate the service, env and every value first; nothing is written on any problem."""
    facts, env, plan = target(catalog, env_name, service)
    svc = facts.service(service)
    if getattr(plan.backend, "valuesFrom", "") == "github-actions":
        msg = github_owned(svc.secrets.backend, plan.keys, service, env_name)  # type: ignore[union-attr]
        raise UserError.single(catalog.source(service), "secrets.backend", msg)
    check_values(plan.keys, values, source, lines)
    kind, limit = api
    writes = []
    deployed = facts.deployed(svc, env)
    for ref in facts.refs(svc, env.name):
        about = description(deployed, ref)
        labels = tuple(sorted(tags(facts.system, env.name, ref.key, svc.name).items()))
        if ref.secret_key:
            value = values[ref.secret_key]
            write = Write(ref.key, kind, (ref.secret_key,), False, value, about, labels)
        else:
            doc = json.dumps({k: values[k] for k in plan.keys}, sort_keys=True)
            write = Write(ref.key, kind, plan.keys, True, doc, about, labels)
        if len(write.value.encode()) > limit:
            msg = f"value for {ref.key} is larger than {limit} bytes ({kind} limit)"
            raise UserError.single(source, ",".join(write.keys), msg)
        writes.append(write)
    return writes


def github_owned(backend: str, keys: tuple[str, ...], service: str, env: str) -> str:
    """Why push-secrets stops: Terraform owns these values and would silently differ."""
    names = ", ".join(github_secret_name(service, k) for k in keys)
    return (
        f"backend {backend!r} has valuesFrom: github-actions: the values live in the GitHub "
        f"Secrets {names} of GitHub environment {env!r}, which the secrets-sync workflow "
        f"passes to Terraform as TF_VAR_{variable_name(service, '<key>')}: set them there "
        f"(gh secret set NAME --env {env}), not here, or Terraform and AWS silently differ"
    )


def main(
    api: tuple[str, int],
    catalog: Catalog,
    target_: tuple[str, str],
    values: Mapping[str, str],
    options: Mapping[str, Any],
) -> None:
    """`push-secrets` for an AWS backend: `api` is the API it writes through and the bytes
    a value may have; `options`: source, lines, url (the endpoint) and dry_run."""
    import click

    dry_run = bool(options["dry_run"])
    env, service = target_
    writes = plan_writes(
        api, catalog, env, service, values, source=options["source"], lines=options["lines"]
    )
    aws = catalog.platform.aws
    assert aws is not None  # an AWS backend needs it (catalog rule)
    store = Store(aws.region, options["url"], aws.kmsKeyArn)
    for outcome in push(writes, store, dry_run=dry_run):
        click.echo(f"{'would be ' if dry_run and outcome.status != 'unchanged' else ''}{outcome}")


class Store:
    """The two AWS APIs behind one small interface (boto3 imported only when pushing)."""

    def __init__(self, region: str, endpoint_url: str | None, kms_key: str | None) -> None:
        import boto3

        try:
            self.sm: Any = boto3.client(
                "secretsmanager", region_name=region, endpoint_url=endpoint_url
            )
            self.ssm: Any = boto3.client("ssm", region_name=region, endpoint_url=endpoint_url)
        except ValueError:  # botocore's "Invalid endpoint" (`http://a_b.invalid`)
            msg = "not a valid AWS endpoint URL (http(s)://HOST[:PORT], HOST a DNS name or an IP)"
            raise UserError.unlocated("--endpoint-url", "", msg) from None
        self.kms_key = kms_key

    def current(self, write: Write) -> str | None:
        try:
            if write.kind == "secretsmanager":
                return str(self.sm.get_secret_value(SecretId=write.path)["SecretString"])
            got = self.ssm.get_parameter(Name=write.path, WithDecryption=True)
            return str(got["Parameter"]["Value"])
        except (
            self.sm.exceptions.ResourceNotFoundException,
            self.ssm.exceptions.ParameterNotFound,
        ):
            return None

    def exists(self, write: Write) -> bool:
        if write.kind != "secretsmanager":
            return True  # a missing parameter is created by `put` (Terraform creates none)
        try:
            self.sm.describe_secret(SecretId=write.path)
        except self.sm.exceptions.ResourceNotFoundException:
            return False
        return True

    def put(self, write: Write, *, create: bool) -> None:
        """A new version of a secret, or a parameter's value (created with its first one)."""
        if write.kind == "secretsmanager":
            self.sm.put_secret_value(SecretId=write.path, SecretString=write.value)
            return
        extra: dict[str, Any] = {"KeyId": self.kms_key} if self.kms_key else {}
        if create:  # AWS takes Tags only when creating, and then refuses Overwrite
            extra["Description"] = write.description
            extra["Tags"] = [{"Key": k, "Value": v} for k, v in write.tags]
        self.ssm.put_parameter(
            Name=write.path, Value=write.value, Type="SecureString", Overwrite=not create, **extra
        )


def status_of(write: Write, current: str | None) -> str:
    if current is None:
        return "created"
    if write.json_doc:
        try:
            same = json.loads(current) == json.loads(write.value)
        except ValueError:
            same = False
    else:
        same = current == write.value
    return "unchanged" if same else "updated"


def push(writes: list[Write], store: Store, *, dry_run: bool) -> list[Outcome]:
    """Read every current value first (so a missing container fails before any write)."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )

    written: list[str] = []
    try:
        missing = [w.path for w in writes if not store.exists(w)]
        if missing:
            msg = "secret does not exist: apply Terraform for this env first (rendered/terraform)"
            raise UserError([unlocated(p, "secret", msg) for p in missing])
        outcomes = [Outcome(w, status_of(w, store.current(w))) for w in writes]
        if not dry_run:
            for outcome in outcomes:
                if outcome.status != "unchanged":
                    store.put(outcome.write, create=outcome.status == "created")
                    written.append(outcome.write.path)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        msg = f"AWS {exc.operation_name} failed: {err.get('Code', 'error')}"
        raise UserError.unlocated("aws", "push-secrets", msg + _left(written)) from None
    except (NoCredentialsError, NoRegionError, EndpointConnectionError) as exc:
        raise UserError.unlocated("aws", "push-secrets", str(exc) + _left(written)) from None
    except BotoCoreError as exc:  # others may quote a parameter: name the error only
        msg = type(exc).__name__ + _left(written)
        raise UserError.unlocated("aws", "push-secrets", msg) from None
    return outcomes


def _left(written: list[str]) -> str:
    """What a push that failed midway had written: it is safe to run again (a value already
    stored is left alone)."""
    if not written:
        return "; nothing was written"
    return (
        f"; written before the failure: {', '.join(written)} (the rest was not); run the same "
        "push-secrets again to finish: values already stored are left alone"
    )

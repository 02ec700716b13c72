"""A real AWS API for the suite: moto's server on loopback, Terraform pointed at it, and an
ExternalSecret resolver that reads the values the way ESO's AWS provider does.

The resolver follows ESO (providers/v1/aws): `data[]` items call GetSecret (the whole
SecretString / parameter value, or one top-level property of its JSON, a missing property
being an error), `dataFrom.extract` copies every top-level key of the JSON (strings as is,
other values as JSON). A missing secret is an error too (the default `deletionPolicy`,
Retain). Then `target.template` is applied as ESO's ApplyTemplate does
(`pkg/controllers/externalsecret/externalsecret_controller_template.go`): the Secret's data is
cleared (creationPolicy Owner), the fetched data is kept only with `mergePolicy: Merge` or
when the template has no `data`, each `data` entry is a Go template run over the fetched data
(engine v2, emulated in `gotemplate.py`), then the metadata templates. Any error fails the
whole ExternalSecret: no Secret is written. What the emulation does not know (another
creation policy, `templateFrom`, a conversion or decoding strategy, a Go function outside
`gotemplate.FUNCTIONS`) raises EmulationError, failing the test instead of passing it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.realservers.gotemplate import EmulationError, TemplateError, execute
from tests.tools import need, stop

REGION = "ap-south-1"
START_SECONDS = 60
TF_SECONDS = 900
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
POLICY_NAME = "read-own-secrets"  # the module's aws_iam_role_policy name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def moto_server() -> Iterator[str]:
    """`python -m moto.server` on 127.0.0.1, up within START_SECONDS, stopped by its PID."""
    try:
        import flask  # noqa: F401  (moto's server needs the [server] extra)
        import moto.server  # noqa: F401
    except ImportError:
        pytest.skip("moto[server] is not installed (pinned in requirements-dev.txt)")
    port = free_port()
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto server did not listen on 127.0.0.1:{port}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def provider_override(endpoint: str) -> str:
    """A test-only `*_override.tf`: the root's provider, pointed at the local server."""
    services = "".join(
        f"    {name:14} = {json.dumps(endpoint)}\n"
        for name in ("iam", "secretsmanager", "ssm", "sts")
    )
    return (
        'provider "aws" {\n'
        '  access_key                  = "testing"\n'
        '  secret_key                  = "testing"\n'
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "  allowed_account_ids         = null\n"
        f"  endpoints {{\n{services}  }}\n"
        "}\n"
    )


def terraform(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_VAR_"))}
    environ.update({"TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1", **CREDENTIALS})
    environ.update(env or {})
    cmd = [need("terraform"), *args, "-no-color", "-input=false"]
    return subprocess.run(
        cmd, cwd=cwd, env=environ, capture_output=True, text=True, timeout=TF_SECONDS, check=False
    )


def must(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, (done.args, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


# --- ESO-style resolution -----------------------------------------------------------------


class SyncError(Exception):
    """What ESO reports on an ExternalSecret it cannot sync (it then writes no Secret)."""


@dataclass
class Resolution:
    """What ESO makes of one ExternalSecret: the Secret's data, or why it is not Ready."""

    namespace: str
    secret: str
    data: dict[str, str] | None
    errors: list[str] = field(default_factory=list)


class Backend:
    """GetSecret against the local server, with the store's IRSA policy enforced."""

    def __init__(self, endpoint: str) -> None:
        import boto3

        def client(name: str) -> Any:
            return boto3.client(
                name, region_name=REGION, endpoint_url=endpoint, **_boto_credentials()
            )

        self.sm, self.ssm, self.iam = client("secretsmanager"), client("ssm"), client("iam")

    def read(self, service: str, key: str, role: str | None) -> str | None:
        """The raw value, or None where ESO gets NoSecretErr; access denied is a failure."""
        if service == "SecretsManager":
            try:
                got = self.sm.get_secret_value(SecretId=key)
            except self.sm.exceptions.ResourceNotFoundException:
                return None
            self._allowed(role, "secretsmanager:GetSecretValue", str(got["ARN"]))
            return str(got["SecretString"])
        try:
            param = self.ssm.get_parameter(Name=key, WithDecryption=True)["Parameter"]
        except self.ssm.exceptions.ParameterNotFound:
            return None
        self._allowed(role, "ssm:GetParameter", str(param["ARN"]))
        return str(param["Value"])

    def _allowed(self, role: str | None, action: str, arn: str) -> None:
        """IAM as the role in the applied state sees it: an Allow for action on this ARN."""
        if role is None:
            return
        doc = self.iam.get_role_policy(RoleName=role, PolicyName=POLICY_NAME)["PolicyDocument"]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        for stmt in doc["Statement"]:
            allows = stmt["Effect"] == "Allow" and action in stmt["Action"]
            if allows and any(fnmatch.fnmatchcase(arn, p) for p in stmt["Resource"]):
                return
        raise SyncError(f"{role} may not {action} {arn}")


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def _text(value: Any) -> str:
    """gjson's String(): a JSON string's text, any other value as its JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _property(payload: str, prop: str, key: str) -> str:
    try:
        doc = json.loads(payload)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or prop not in doc:
        raise SyncError(f"key {prop} does not exist in secret {key}")
    return _text(doc[prop])


def resolve(
    es: dict[str, Any], stores: dict[tuple[str, str], dict[str, Any]], backend: Backend
) -> Resolution:
    """One ExternalSecret from a built overlay, resolved against the backend."""
    ns = es["metadata"]["namespace"]
    spec = es["spec"]
    ref = spec["secretStoreRef"]
    store = stores[(ns if ref["kind"] == "SecretStore" else "", ref["name"])]
    service = store["spec"]["provider"]["aws"]["service"]
    role = store.get("role")
    data: dict[str, str] = {}
    errors: list[str] = []
    for item in spec.get("data", []):
        remote = item["remoteRef"]
        _known(remote, {"key", "property"}, "remoteRef")
        try:
            raw = backend.read(service, remote["key"], role)
            if raw is None:
                errors.append(f"{remote['key']}: secret does not exist")
                continue
            prop = remote.get("property")
            data[item["secretKey"]] = _property(raw, prop, remote["key"]) if prop else raw
        except SyncError as exc:
            errors.append(str(exc))
    for source in spec.get("dataFrom", []):
        _known(source, {"extract"}, "dataFrom")
        key = source["extract"]["key"]
        raw = backend.read(service, key, role)
        if raw is None:
            errors.append(f"{key}: secret does not exist")
            continue
        data.update({k: _text(v) for k, v in json.loads(raw).items()})
    name = spec["target"]["name"]
    if errors:
        return Resolution(ns, name, None, errors)
    try:
        return Resolution(ns, name, apply_template(spec["target"], data))
    except SyncError as exc:
        return Resolution(ns, name, None, [str(exc)])


def _known(given: dict[str, Any], known: set[str], where: str) -> None:
    if set(given) - known:
        raise EmulationError(f"{where}: {sorted(set(given) - known)} are not emulated")


def apply_template(target: dict[str, Any], fetched: dict[str, str]) -> dict[str, str]:
    """The new Secret's data: ESO's ApplyTemplate on an empty Secret, or SyncError."""
    _known(target, {"name", "creationPolicy", "template"}, "target")
    if target.get("creationPolicy", "Owner") not in ("Owner", "Orphan"):
        raise EmulationError(f"creationPolicy {target['creationPolicy']} (keeps existing keys)")
    template = target.get("template")
    if template is None:
        return dict(fetched)
    _known(template, {"engineVersion", "mergePolicy", "metadata", "data", "type"}, "template")
    if template.get("engineVersion", "v2") != "v2":
        raise SyncError(
            f"could not apply template: unsupported template engine version: "
            f"{template['engineVersion']}"
        )
    merge = template.get("mergePolicy", "Replace")
    if merge not in ("Replace", "Merge"):
        raise EmulationError(f"mergePolicy {merge}")
    texts: dict[str, str] = template.get("data", {})
    secret = dict(fetched) if merge == "Merge" or not texts else {}
    metadata = template.get("metadata", {})
    _known(metadata, {"labels", "annotations"}, "template.metadata")
    for where in (texts, metadata.get("labels", {}), metadata.get("annotations", {})):
        rendered = {}
        for key, text in where.items():
            try:
                rendered[key] = execute(key, text, fetched)
            except TemplateError as exc:
                at = f"unable to execute template at key {key}: "
                raise SyncError(
                    f"could not apply template: could not execute template: "
                    f"could not execute template: {at}{at}{exc}"
                ) from None
        if where is texts:
            secret.update(rendered)
    return secret


def stores_of(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """SecretStores (by namespace) and ClusterSecretStores, each with the IRSA role it uses."""
    accounts = {
        (d["metadata"]["namespace"], d["metadata"]["name"]): d
        for d in docs
        if d["kind"] == "ServiceAccount"
    }
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in docs:
        if doc["kind"] not in ("SecretStore", "ClusterSecretStore"):
            continue
        ns = doc["metadata"].get("namespace", "") if doc["kind"] == "SecretStore" else ""
        store = dict(doc)
        jwt = doc["spec"]["provider"]["aws"].get("auth", {}).get("jwt")
        if jwt:
            account = accounts[(ns, jwt["serviceAccountRef"]["name"])]
            arn = account["metadata"]["annotations"][IRSA_ANNOTATION]
            store["role"] = arn.rpartition("/")[2]
        out[(ns, doc["metadata"]["name"])] = store
    return out

"""push-secrets against a real AWS API over HTTP (moto's threaded server on loopback)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from tests.conftest import PLATFORM, own_issuers, run

SECRET = "s3cr3t-value-#1 $HOME"
PLATFORM_PUSH = (
    own_issuers(PLATFORM).replace(
        'accountId: "123456789012"\n',
        'accountId: "123456789012"\n  oidcProvider: oidc.example/id/X\n',
    )
    + """\
  ssm-json:
    type: aws-parameter-store
    key: "/{system}/{service}/{env}/app"
    valuesFrom: pipeline
  vault:
    type: vault
    address: http://vault:8200
    key: "{env}/{service}/creds"
"""
)
SERVICES = {
    "api": "name: api\nowner: t\nimage: {repository: r, tag: v}\nsecrets: {backend: ssm, keys: [DATABASE_URL, REDIS_URL]}\n",
    "web": "name: web\nowner: t\nimage: {repository: r, tag: v}\nsecrets: {backend: aws, keys: [DB_PASSWORD, JWT_SECRET]}\n",
    "app": "name: app\nowner: t\nimage: {repository: r, tag: v}\nsecrets: {backend: ssm-json, keys: [DB_HOST, DB_PASSWORD]}\n",
    "kv": "name: kv\nowner: t\nimage: {repository: r, tag: v}\nsecrets: {backend: vault, keys: [TOKEN]}\n",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def catalog(make_catalog: Callable[..., Path], endpoint: str) -> Path:
    root = make_catalog(SERVICES, platform=PLATFORM_PUSH)
    requests = boto3.client("ssm", region_name="ap-south-1", endpoint_url=endpoint)
    for page in requests.get_paginator("describe_parameters").paginate():
        names = [p["Name"] for p in page["Parameters"]]
        if names:
            requests.delete_parameters(Names=names)
    sm = boto3.client("secretsmanager", region_name="ap-south-1", endpoint_url=endpoint)
    for secret in sm.list_secrets()["SecretList"]:
        sm.delete_secret(SecretId=secret["Name"], ForceDeleteWithoutRecovery=True)
    return root


def push(
    catalog: Path, endpoint: str, service: str, env_file: Path, *extra: str
) -> tuple[int, str]:
    result = run(
        [
            "push-secrets",
            "--catalog",
            str(catalog),
            "--env",
            "prod",
            "--service",
            service,
            "--from-env-file",
            str(env_file),
            "--endpoint-url",
            endpoint,
            *extra,
        ]
    )
    return result.exit_code, result.output


def dotenv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.env"
    path.write_text(text)
    return path


def test_one_securestring_per_key_at_the_normalized_name(
    catalog: Path, endpoint: str, tmp_path: Path
) -> None:
    file = dotenv(
        tmp_path, f"# prod values\nDATABASE_URL='{SECRET}'\nexport REDIS_URL=redis://r:6379\n"
    )
    code, out = push(catalog, endpoint, "api", file)
    assert code == 0, out
    assert out.splitlines() == [
        "created   /acme/prod/api/database_url  (SecureString parameter; DATABASE_URL)",
        "created   /acme/prod/api/redis_url  (SecureString parameter; REDIS_URL)",
    ]
    ssm = boto3.client("ssm", region_name="ap-south-1", endpoint_url=endpoint)
    got = ssm.get_parameter(Name="/acme/prod/api/database_url", WithDecryption=True)["Parameter"]
    assert got["Type"] == "SecureString" and got["Value"] == SECRET
    assert SECRET not in out
    # idempotent: the same values again change nothing
    code, out = push(catalog, endpoint, "api", file)
    assert code == 0 and all(line.startswith("unchanged") for line in out.splitlines()), out
    version = ssm.get_parameter(Name="/acme/prod/api/database_url")["Parameter"]["Version"]
    assert version == got["Version"]


def test_secrets_manager_json_document_needs_the_terraform_container(
    catalog: Path, endpoint: str, tmp_path: Path
) -> None:
    file = dotenv(tmp_path, f'DB_PASSWORD="{SECRET}"\nJWT_SECRET=abc\n')
    code, out = push(catalog, endpoint, "web", file)
    assert code == 2
    assert out.splitlines() == [
        "prod/web: secret: secret does not exist: apply Terraform for this env first (rendered/terraform)"
    ]
    sm = boto3.client("secretsmanager", region_name="ap-south-1", endpoint_url=endpoint)
    sm.create_secret(Name="prod/web")  # what Terraform creates: a container, no value
    code, out = push(catalog, endpoint, "web", file, "--dry-run")
    assert code == 0 and out == "would be created   prod/web  (secret; DB_PASSWORD, JWT_SECRET)\n"
    assert (
        "SecretString" not in sm.describe_secret(SecretId="prod/web")
        and not sm.list_secret_version_ids(SecretId="prod/web")["Versions"]
    )
    code, out = push(catalog, endpoint, "web", file)
    assert code == 0, out
    stored = json.loads(sm.get_secret_value(SecretId="prod/web")["SecretString"])
    assert stored == {"DB_PASSWORD": SECRET, "JWT_SECRET": "abc"}
    file.write_text(f'DB_PASSWORD="{SECRET}"\nJWT_SECRET=rotated\n')
    code, out = push(catalog, endpoint, "web", file)
    assert out.startswith("updated   prod/web")


def test_one_json_parameter_for_extract(catalog: Path, endpoint: str, tmp_path: Path) -> None:
    code, out = push(catalog, endpoint, "app", dotenv(tmp_path, "DB_HOST=db\nDB_PASSWORD=pw\n"))
    assert code == 0, out
    ssm = boto3.client("ssm", region_name="ap-south-1", endpoint_url=endpoint)
    value = ssm.get_parameter(Name="/acme/app/prod/app", WithDecryption=True)["Parameter"]["Value"]
    assert json.loads(value) == {"DB_HOST": "db", "DB_PASSWORD": "pw"}


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("DATABASE_URL=x\n", ["values.env: REDIS_URL: declared key has no value"]),
        ("DATABASE_URL=x\nREDIS_URL=\n", ["values.env:2:1: REDIS_URL: value is empty"]),
        (
            "DATABASE_URL=x\nREDIS_URL=y\nEXTRA=z\n",
            ["values.env:3:1: EXTRA: is not declared in secrets.keys: refusing it"],
        ),
        (
            "DATABASE_URL=x\nREDIS_URL=y\ndb-url=z\n",
            [
                "values.env:3:1: (file): expected KEY=value with KEY a name such as DB_PASSWORD "
                "([A-Z][A-Z0-9_]*); the line is not shown: it may hold a value (one wrapped "
                "onto this line?)"
            ],
        ),
        (
            f"DATABASE_URL='{SECRET}\nREDIS_URL=y\n",
            ["values.env:1:1: DATABASE_URL: unterminated quote"],
        ),
    ],
)
def test_invalid_input_writes_nothing(
    text: str, errors: list[str], catalog: Path, endpoint: str, tmp_path: Path
) -> None:
    code, out = push(catalog, endpoint, "api", dotenv(tmp_path, text))
    assert code == 2
    assert [line.replace(str(tmp_path) + "/", "") for line in out.splitlines()] == errors
    assert SECRET not in out
    ssm = boto3.client("ssm", region_name="ap-south-1", endpoint_url=endpoint)
    assert ssm.describe_parameters()["Parameters"] == []


def test_from_env_reads_only_declared_keys(
    catalog: Path, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", SECRET)
    monkeypatch.setenv("REDIS_URL", "redis://r")
    result = run(
        [
            "push-secrets",
            "--catalog",
            str(catalog),
            "--env",
            "prod",
            "--service",
            "api",
            "--from-env",
            "--endpoint-url",
            endpoint,
        ]
    )
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 2


def test_vault_needs_a_token(
    catalog: Path, endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vault writes are proven against OpenBao in tests/realservers; here: no token, no call."""
    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    code, out = push(catalog, endpoint, "kv", dotenv(tmp_path, "TOKEN=x\n"))
    assert (code, out) == (
        2,
        "VAULT_TOKEN: VAULT_TOKEN is not set: export a token that may write this path\n",
    )


def test_unknown_env_and_service_and_flags(catalog: Path, endpoint: str, tmp_path: Path) -> None:
    file = dotenv(tmp_path, "A=b\n")
    result = run(
        [
            "push-secrets",
            "--catalog",
            str(catalog),
            "--env",
            "qa",
            "--service",
            "api",
            "--from-env-file",
            str(file),
        ]
    )
    assert (
        result.exit_code == 2 and result.output == "--env: 'qa' is not an environment (dev, prod)\n"
    )
    result = run(["push-secrets", "--catalog", str(catalog), "--env", "prod", "--service", "api"])
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_a_missing_parameter_is_created_with_the_terraform_tags_and_kms_key(
    make_catalog: Callable[..., Path], endpoint: str, tmp_path: Path
) -> None:
    """Terraform creates no parameter (it would need a stand-in value): push-secrets does."""
    kms = boto3.client("kms", region_name="ap-south-1", endpoint_url=endpoint)
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    platform = PLATFORM_PUSH.replace(
        'accountId: "123456789012"', f'accountId: "123456789012"\n  kmsKeyArn: {key_arn}'
    )
    root = make_catalog(SERVICES, platform=platform)
    file = dotenv(tmp_path, "DB_HOST=db\nDB_PASSWORD=pw\n")
    code, out = push(root, endpoint, "app", file)
    assert code == 0 and out.startswith("created   /acme/app/prod/app"), out
    ssm = boto3.client("ssm", region_name="ap-south-1", endpoint_url=endpoint)
    found = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Values": ["/acme/app/prod/app"]}]
    )["Parameters"]
    assert [(p["Type"], p["KeyId"], p["Description"]) for p in found] == [
        (
            "SecureString",
            key_arn,
            "DB_HOST, DB_PASSWORD of app in prod (gitops-gen; values are set outside Git)",
        )
    ]
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/acme/app/prod/app")
    assert {t["Key"]: t["Value"] for t in tags["TagList"]} == {
        "Environment": "prod",
        "ManagedBy": "gitops-gen",
        "Name": "/acme/app/prod/app",
        "Service": "app",
        "System": "acme",
    }
    # the next push updates the value in place and keeps what creation set
    code, out = push(root, endpoint, "app", dotenv(tmp_path, "DB_HOST=db2\nDB_PASSWORD=pw\n"))
    assert code == 0 and out.startswith("updated   /acme/app/prod/app"), out
    after = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/acme/app/prod/app")
    assert after["TagList"] == tags["TagList"]


PLATFORM_GITHUB = (
    PLATFORM
    + """\
  aws-gh:
    type: aws-secrets-manager
    key: "gh/{env}/{service}"
    valuesFrom: github-actions
"""
)
GITHUB_SERVICE = "name: pay-api\nowner: t\nimage: {repository: r, tag: v}\nsecrets: {backend: aws-gh, keys: [DB_PASSWORD, STRIPE_KEY]}\n"


@pytest.mark.parametrize("source", ["--from-env-file", "--from-env"])
def test_a_github_actions_backend_is_refused_before_any_aws_call(
    source: str,
    make_catalog: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Terraform writes these values from GitHub Secrets: a push would make the two differ
    silently. No AWS client is even built (and the endpoint has nothing listening)."""
    clients: list[tuple[object, ...]] = []

    def no_aws(*args: object, **kwargs: object) -> None:
        clients.append(args)
        raise AssertionError("an AWS client was created")

    monkeypatch.setattr(boto3, "client", no_aws)
    monkeypatch.setattr(boto3.session.Session, "client", no_aws)
    monkeypatch.setenv("DB_PASSWORD", SECRET)
    monkeypatch.setenv("STRIPE_KEY", SECRET)
    root = make_catalog({"pay-api": GITHUB_SERVICE}, platform=PLATFORM_GITHUB)
    values = dotenv(tmp_path, f"DB_PASSWORD={SECRET}\nSTRIPE_KEY={SECRET}\n")
    args = ["push-secrets", "--catalog", str(root), "--env", "prod", "--service", "pay-api"]
    args += [source, str(values)] if source == "--from-env-file" else [source]
    result = run([*args, "--endpoint-url", f"http://127.0.0.1:{free_port()}"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "services/pay-api.yaml:1:1: secrets.backend: backend 'aws-gh' has valuesFrom: github-actions:"
        " the values live in the GitHub Secrets PAY_API__DB_PASSWORD, PAY_API__STRIPE_KEY of GitHub"
        " environment 'prod', which the secrets-sync workflow passes to Terraform as"
        " TF_VAR_pay_api__<key>: set them there (gh secret set NAME --env prod), not here, or"
        " Terraform and AWS silently differ"
    ]
    assert SECRET not in result.output
    assert clients == []


class FailsOnSecondPut:
    """A Store whose AWS endpoint goes away after the first write."""

    def __init__(self) -> None:
        self.puts: list[str] = []

    def exists(self, _write: object) -> bool:
        return True

    def current(self, _write: object) -> str:
        return "old"

    def put(self, write: object, *, create: bool) -> None:
        from botocore.exceptions import ClientError

        if self.puts:
            raise ClientError({"Error": {"Code": "ServiceUnavailable"}}, "PutParameter")
        self.puts.append(write.path)  # type: ignore[attr-defined]


@pytest.mark.parametrize("fail_at_once", [False, True])
def test_a_push_that_fails_midway_says_what_it_wrote(fail_at_once: bool) -> None:
    from generator.backends.aws_push import Write, push
    from generator.errors import UserError

    writes = [Write(f"/acme/dev/svc/k{i}", "ssm", (f"K{i}",), False, "new") for i in range(3)]
    store = FailsOnSecondPut()
    if fail_at_once:
        store.puts.append("(gone)")
    with pytest.raises(UserError) as caught:
        push(writes, store, dry_run=False)  # type: ignore[arg-type]
    (problem,) = caught.value.problems
    if fail_at_once:
        assert problem.message == "AWS PutParameter failed: ServiceUnavailable; nothing was written"
    else:
        assert problem.message == (
            "AWS PutParameter failed: ServiceUnavailable; written before the failure: "
            "/acme/dev/svc/k0 (the rest was not); run the same push-secrets again to finish: "
            "values already stored are left alone"
        )
    assert "new" not in str(problem)  # no value in a message

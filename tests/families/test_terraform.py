"""Terraform: real `fmt`/`init`/`validate`/`plan`, HCL parsing, and an independent IAM scope proof."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest

from generator.catalog.load import Catalog, load_catalog
from generator.catalog.models import AwsParameterStore, AwsSecretsManager
from generator.catalog.templates import expand, per_key
from tests.conftest import FIXTURES, PLATFORM, REPO_CATALOG, own_issuers, render_tree
from tests.families.test_kustomize_real import write_out
from tests.tools import need, terraform_plugin_dir

TF_CATALOGS = [REPO_CATALOG, FIXTURES / "zerotouch", FIXTURES / "seed003"]
MOCK_PROVIDER = """\
provider "aws" {
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  allowed_account_ids         = null
}
"""


def tf(args: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> str:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1"}
    env.update(extra_env or {})
    cmd = [need("terraform"), *args, "-no-color"]
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


def expected_counts(catalog: Catalog, env: str) -> Counter[str]:
    """What the catalog implies for one env, computed here, not by the renderer."""
    counts: Counter[str] = Counter()
    platform = catalog.platform
    aws = platform.aws
    assert aws is not None
    role_services = 0
    for svc in catalog.services:
        over = svc.environments.get(env)
        if svc.secrets is None or (over is not None and not over.enabled):
            continue
        backend = platform.secretBackends[svc.secrets.backend]
        n = len(svc.secrets.keys) if per_key(backend.key) else 1
        if isinstance(backend, AwsSecretsManager):
            counts["aws_secretsmanager_secret"] += n
            if backend.valuesFrom == "github-actions":
                counts["aws_secretsmanager_secret_version"] += n
        elif isinstance(backend, AwsParameterStore):
            pass  # no parameter: it would need a stand-in value; push-secrets creates it
        else:
            continue
        role_services += 1
    if aws.oidcProvider and role_services:
        roles = role_services if aws.secretStoreScope == "service" else 1
        counts["aws_iam_role"] = counts["aws_iam_role_policy"] = roles
    return counts


def github_vars(catalog: Catalog) -> dict[str, str]:
    out = {}
    for svc in catalog.services:
        backend = catalog.platform.secretBackends.get(svc.secrets.backend) if svc.secrets else None
        if isinstance(backend, AwsSecretsManager) and backend.valuesFrom == "github-actions":
            assert svc.secrets is not None
            for key in svc.secrets.keys:
                out[f"TF_VAR_{svc.name.replace('-', '_')}__{key.lower()}"] = "test-value"
    return out


@pytest.mark.parametrize("catalog_dir", TF_CATALOGS, ids=lambda p: p.name)
def test_fmt_init_validate_and_plan_counts(catalog_dir: Path, tmp_path: Path) -> None:
    plugins = terraform_plugin_dir()
    catalog = load_catalog(catalog_dir)
    out = write_out(catalog_dir, tmp_path)
    tf(["fmt", "-check", "-recursive", "-diff"], out / "terraform")
    for i, env in enumerate(catalog.platform.environments):
        folder = out / "terraform" / "envs" / env.name
        (folder / "mock_override.tf").write_text(MOCK_PROVIDER)
        tf(["init", "-backend=false", f"-plugin-dir={plugins}", "-input=false"], folder)
        if i == 0:  # every env root is the same code; `plan` below validates each one too
            tf(["validate"], folder)
        text = tf(["plan", "-refresh=false", "-input=false"], folder, github_vars(catalog))
        changes = re.findall(r"^  # (\S+) will be (\S+)", text, flags=re.M)
        assert {action for _, action in changes} <= {"created"}
        planned = Counter(re.sub(r"\[.*$", "", addr).split(".")[-2] for addr, _ in changes)
        assert planned == expected_counts(catalog, env.name), env.name


def test_every_hcl_and_tfvars_file_parses() -> None:
    for catalog_dir in TF_CATALOGS:
        for path, text in render_tree(catalog_dir).items():
            if path.endswith((".tf", ".hcl")):
                assert isinstance(hcl2.loads(text), dict), path
            elif path.endswith(".tfvars.json"):
                assert isinstance(json.loads(text), dict), path


def _all_secret_arns(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Every real ARN the catalog's secrets would have, in every env: ARN -> (service, env)."""
    aws = catalog.platform.aws
    assert aws is not None
    arns = {}
    for env in catalog.platform.environments:
        for svc in catalog.services:
            if svc.secrets is None:
                continue
            backend = catalog.platform.secretBackends[svc.secrets.backend]
            keys = svc.secrets.keys if per_key(backend.key) else [""]
            for key in keys:
                name = expand(
                    backend.key,
                    system=catalog.platform.system,
                    env=env.name,
                    service=svc.name,
                    key=key,
                )
                if isinstance(backend, AwsSecretsManager):
                    arn = (
                        f"arn:aws:secretsmanager:{aws.region}:{aws.accountId}:secret:{name}-Ab12Cd"
                    )
                elif isinstance(backend, AwsParameterStore):
                    arn = f"arn:aws:ssm:{aws.region}:{aws.accountId}:parameter{name}"
                else:
                    continue
                arns[arn] = (svc.name, env.name)
    return arns


def assert_roles_scoped(catalog: Catalog, tree: dict[str, str]) -> int:
    """Each role reaches exactly its own service's secrets in its own env, read-only."""
    arns = _all_secret_arns(catalog)
    checked = 0
    for path, text in tree.items():
        if not path.endswith("terraform.tfvars.json"):
            continue
        tfvars: dict[str, Any] = json.loads(text)
        env = tfvars["environment"]
        for key, role in tfvars["irsa_roles"].items():
            reached = set()
            for stmt in role["policy"]["Statement"]:
                assert stmt["Effect"] == "Allow"
                for action in stmt["Action"]:
                    assert action.split(":")[1].startswith(("Get", "Describe", "Decrypt")), action
                    assert "*" not in action
                for pattern in stmt["Resource"]:
                    if pattern.startswith("arn:aws:kms:"):
                        continue
                    hits = {
                        owner for arn, owner in arns.items() if fnmatch.fnmatchcase(arn, pattern)
                    }
                    assert hits, pattern
                    reached |= hits
            owners = {s for s, _ in reached}
            assert {e for _, e in reached} == {env}, (key, reached)
            if key != "external-secrets":
                assert owners == {key}, (key, reached)
                trust = role["assume_role_policy"]["Statement"][0]["Condition"]["StringEquals"]
                subject = next(v for k, v in trust.items() if k.endswith(":sub"))
                assert subject.endswith(f":{key}")
            checked += 1
    return checked


def test_repo_roles_grant_only_their_own_secrets() -> None:
    catalog = load_catalog(REPO_CATALOG)
    tree = {str(p): t for p, t in render_tree(REPO_CATALOG).items()}
    assert assert_roles_scoped(catalog, tree) > 10


PREFIX_TRAP = own_issuers(PLATFORM).replace(
    'accountId: "123456789012"',
    'accountId: "123456789012"\n  oidcProvider: oidc.example/id/X\n  secretStoreScope: service',
)


def test_prefix_trap_service_v2_is_not_reachable(make_catalog: Callable[..., Path]) -> None:
    """Seed 000's `secret:prod/payment-service*` would also read payment-service-v2's secret."""
    services = {}
    for name, backend in [("payment-service", "aws"), ("payment-service-v2", "aws")]:
        services[name] = (
            f"name: {name}\nowner: t\nimage: {{repository: r, tag: v}}\n"
            f"secrets: {{backend: {backend}, keys: [DB_PASSWORD]}}\n"
        )
    services["svc"] = (
        "name: svc\nowner: t\nimage: {repository: r, tag: v}\nsecrets: {backend: ssm, keys: [A, A_B]}\n"
    )
    root = make_catalog(services, platform=PREFIX_TRAP)
    catalog = load_catalog(root)
    tree = {str(p): t for p, t in render_tree(root).items()}
    assert assert_roles_scoped(catalog, tree) == 6
    prod = json.loads(tree["terraform/envs/prod/terraform.tfvars.json"])
    resource = prod["irsa_roles"]["payment-service"]["policy"]["Statement"][0]["Resource"]
    assert resource == [
        "arn:aws:secretsmanager:ap-south-1:123456789012:secret:prod/payment-service-??????"
    ]


def test_github_variant_declares_sensitive_variables_without_defaults() -> None:
    tree = render_tree(REPO_CATALOG)
    for env in ("dev", "stage", "prod"):
        parsed = hcl2.loads(tree[f"terraform/envs/{env}/github-secrets.tf"])
        variables = {k: v for block in parsed["variable"] for k, v in block.items()}
        assert set(variables) == {
            '"lornu_ai__resend_api_key"',
            '"lornu_ai__openai_api_key"',
        } or set(variables) == {"lornu_ai__resend_api_key", "lornu_ai__openai_api_key"}
        for body in variables.values():
            assert body["sensitive"] is True and "default" not in body
        versions = parsed["resource"]
        assert len(versions) == 1


def test_no_stand_in_value_is_written_anywhere() -> None:
    """Only the github-actions variant writes values (real ones, from sensitive variables)."""
    tree = render_tree(REPO_CATALOG)
    tf_files = {p: t for p, t in tree.items() if p.startswith("terraform/") and p.endswith(".tf")}
    for path, text in tf_files.items():
        resources = {k for block in hcl2.loads(text).get("resource", []) for k in block}
        kinds = {r.strip('"') for r in resources}
        assert "aws_ssm_parameter" not in kinds, path
        if "aws_secretsmanager_secret_version" in kinds:
            assert path.endswith("/github-secrets.tf"), path
            assert re.findall(r"secret_string\s*=\s*(\S+)", text) == ["jsonencode({"]
    for env in ("dev", "stage", "prod"):
        tfvars = json.loads(tree[f"terraform/envs/{env}/terraform.tfvars.json"])
        assert tfvars["ssm_parameters"], env
        for item in [
            *tfvars["ssm_parameters"].values(),
            *tfvars["secretsmanager_secrets"].values(),
        ]:
            assert set(item) <= {"name", "service", "description", "source"}, item


def test_each_env_root_comes_as_a_piece_of_its_own() -> None:
    """An env's inputs are large (17 MB at 10,000 services): the pipeline sinks each env's
    piece before the next is made, so the family must come in pieces."""
    from generator.catalog.facts import Facts
    from generator.families import terraform

    facts = Facts(load_catalog(REPO_CATALOG))
    pieces = list(terraform.result(facts))
    envs = [e.name for e in facts.envs]
    assert [sorted(p.cloud.terraform) for p in pieces] == [[], *([e] for e in envs)]
    assert all(path.startswith(terraform.MODULE_DIR) for path in pieces[0].files)
    for env, piece in zip(envs, pieces[1:], strict=True):
        assert {path.split("/")[2] for path in piece.files} == {env}

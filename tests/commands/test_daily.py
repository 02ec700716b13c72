"""Daily friction: "did you mean", the repo root found upward, the only backend, a new
GitHub repository's README kept by init, placeholders warned about."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_CATALOG


def gitops_gen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "gitops"
    shutil.copytree(REPO_CATALOG, root / "catalog")
    return root


def test_an_unknown_field_close_to_a_known_one_gets_did_you_mean(repo: Path) -> None:
    service = repo / "catalog/services/payment-service.yaml"
    service.write_text(service.read_text().replace("\nreplicas:", "\nreplicsa:", 1))
    platform = repo / "catalog/platform.yaml"
    platform.write_text(platform.read_text().replace("  region:", "  regoin:", 1) + "colour: red\n")
    done = gitops_gen(repo, "validate")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert (
        "catalog/services/payment-service.yaml:7:1: replicsa: unknown field, did you mean `replicas`?"
        in lines
    )
    assert any(line.endswith("aws.regoin: unknown field, did you mean `region`?") for line in lines)
    assert any(line.endswith(": colour: unknown field") for line in lines)  # nothing close


def test_a_backend_field_in_a_union_gets_did_you_mean(repo: Path) -> None:
    platform = repo / "catalog/platform.yaml"
    text = platform.read_text().replace("    mount: secret", "    muont: secret", 1)
    platform.write_text(text)
    done = gitops_gen(repo, "validate")
    assert "vault.muont: unknown field, did you mean `mount`?" in done.stderr, done.stderr


def test_run_from_a_sub_folder_works_at_the_repo_root(repo: Path) -> None:
    done = gitops_gen(repo / "catalog" / "services", "validate")
    assert (done.returncode, done.stdout) == (0, "catalog ok: 14 services, 3 environments\n")


def test_without_a_catalog_above_it_says_where_it_looked(tmp_path: Path) -> None:
    top = tmp_path / "elsewhere"
    (top / "docs").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    done = gitops_gen(top / "docs", "check")
    assert done.returncode == 2
    assert done.stderr == (
        f"gitops-gen: catalog/platform.yaml is not in {top / 'docs'} or any folder above it up "
        f"to {top} (the git top level): run gitops-gen inside the GitOps repo, or give "
        "--catalog DIR\n"
    )


def test_new_service_key_uses_the_only_backend(tmp_path: Path) -> None:
    assert gitops_gen(tmp_path, "init", "--system", "shop", "--env", "dev").returncode == 0
    done = gitops_gen(tmp_path, "new-service", "cart", "--owner", "t", "--key", "DB_HOST")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "catalog/services/cart.yaml").read_text()
    assert 'secrets:\n  backend: "vault"\n  keys: ["DB_HOST"]\n' in text


def test_new_service_key_among_several_backends_names_them(repo: Path) -> None:
    done = gitops_gen(repo, "new-service", "cart", "--owner", "t", "--key", "DB_HOST")
    assert done.returncode == 2
    assert done.stderr == (
        "catalog/services/cart.yaml:1:1: secrets.backend: --key needs --backend "
        "(aws, aws-from-github, ssm, ssm-json, vault)\n"
    )


def test_init_keeps_a_new_github_repositorys_files(tmp_path: Path) -> None:
    for name in ("README.md", "LICENSE", ".gitignore"):
        (tmp_path / name).write_text("mine\n")
    done = gitops_gen(tmp_path, "init", "--system", "shop", "--env", "dev")
    assert done.returncode == 0, done.stderr
    assert "kept your README.md as it was\n" in done.stdout
    assert all(
        (tmp_path / n).read_text() == "mine\n" for n in ("README.md", "LICENSE", ".gitignore")
    )
    assert (tmp_path / "catalog/platform.yaml").is_file()


def test_placeholders_left_in_platform_yaml_are_warnings(tmp_path: Path) -> None:
    args = [
        "--env",
        "dev",
        "--env",
        "prod",
        "--aws-account-id",
        "123456789012",
        "--region",
        "eu-west-1",
    ]
    init = gitops_gen(tmp_path, "init", "--system", "shop", *args)
    assert init.returncode == 0
    expected = (
        "catalog/platform.yaml:5:19: warning: gitRepo: 'git.invalid' is a placeholder init "
        "wrote: replace it with your own value\n"
        "catalog/platform.yaml:18:54: warning: oidcProvider: 'REPLACE-WITH-YOUR-CLUSTER-OIDC-ID' "
        "is a placeholder init wrote: replace it with your own value\n"
    )
    assert expected in init.stdout  # init's next steps list them too
    for command in ("validate", "render", "check"):
        done = gitops_gen(tmp_path, command)
        assert (done.returncode, done.stderr) == (0, expected), command


def test_a_one_env_aws_init_reads_as_each_service_once_its_issuer_is_set(tmp_path: Path) -> None:
    """A store with no auth would be useless: init writes the OIDC issuer to replace, says
    how to find it, and with it set every service gets its IRSA role and its SecretStore."""
    aws = ["--aws-account-id", "123456789012", "--region", "eu-west-1"]
    init = gitops_gen(tmp_path, "init", "--system", "shop", "--env", "dev", *aws)
    assert init.returncode == 0, init.stderr
    assert "next: set aws.oidcProvider in catalog/platform.yaml" in init.stdout
    assert "aws eks describe-cluster --name CLUSTER" in init.stdout
    platform = tmp_path / "catalog/platform.yaml"
    text = platform.read_text()
    assert "  secretStoreScope: service\n" in text
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
    platform.write_text(text.replace("REPLACE-WITH-YOUR-CLUSTER-OIDC-ID", "0123456789ABCDEF"))
    assert (
        gitops_gen(tmp_path, "new-service", "cart", "--owner", "t", "--key", "DB_HOST").returncode
        == 0
    )
    done = gitops_gen(tmp_path, "render")
    assert (done.returncode, done.stderr.count("warning")) == (0, 1), done.stderr  # gitRepo
    tfvars = json.loads(
        (tmp_path / "rendered/terraform/envs/dev/terraform.tfvars.json").read_text()
    )
    assert issuer in json.dumps(tfvars) and "shop-dev-cart" in json.dumps(tfvars)
    store = (tmp_path / "rendered/kustomize/cart/base/secretstore.yaml").read_text()
    assert "serviceAccountRef:\n" in store

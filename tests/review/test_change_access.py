"""`diff --base` reports access widened and narrowed: the access model of each side compared,
per env, as reader -> secret pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run
from tests.review.test_reports import committed_repo
from tests.tools import diff_tools

ENVS = ("dev", "stg", "prod")
CLUSTERS = {
    "dev": "https://kubernetes.default.svc",
    "stg": "https://stg.k8s.zerotouch.internal",
    "prod": "https://prod.k8s.zerotouch.internal",
}


def diff(fmt: str = "text") -> tuple[int, str]:
    diff_tools()
    result = run(["diff", "--base", "HEAD", "--format", fmt])
    return result.exit_code, result.output


def reader(env: str, namespace: str, account: str) -> str:
    return f"access of ServiceAccount {namespace}/{account} in {CLUSTERS[env]}"


def test_a_new_key_widens_its_service_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = committed_repo(tmp_path, monkeypatch, "zerotouch")
    entry = repo / "catalog/services/service.yaml"
    entry.write_text(entry.read_text().replace("REDIS_URL]", "REDIS_URL, SMTP_URL]"))
    code, out = diff()
    assert code == 1
    access = [line for line in out.splitlines() if "access of " in line]
    assert access == [
        f"  > [{env}] {reader(env, 'service', 'service')} widened: reads ssm "
        f"/zerotouch/{env}/service/smtp_url @ AWS account 123456789012 ap-south-1 "
        f"(via IAM role zerotouch-{env}-service (IRSA); SecretStore service/service: "
        "namespace service only)"
        for env in sorted(ENVS)
    ]
    code, markdown = diff("markdown")
    assert f"| Access (who reads which secret) | dev | {reader('dev', 'service', 'service')} |" in (
        markdown
    )


def test_a_new_service_widens_and_a_removed_one_narrows_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = committed_repo(tmp_path, monkeypatch, "zerotouch")
    services = repo / "catalog/services"
    text = (services / "service.yaml").read_text().replace("name: service", "name: billing")
    (services / "billing.yaml").write_text(text.replace(", secretName: service-db", ""))
    (services / "payment-service-v2.yaml").unlink()
    code, out = diff()
    assert code == 1
    removals, rest = out.split("!!! REMOVALS: review before merging !!!")[1].split("\n\n", 1)
    for env in ENVS:
        gone = (
            f"< [{env}] {reader(env, 'payment-v2', 'payment-service-v2')} narrowed: no longer reads"
        )
        assert gone in removals
        new = f"> [{env}] {reader(env, 'billing', 'billing')} widened: reads ssm "
        assert f"{new}/zerotouch/{env}/billing/database_url" in rest
        assert f"{new}/zerotouch/{env}/billing/redis_url" in rest
    assert "payment-service widened" not in out


def test_a_shared_vault_path_widens_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = committed_repo(tmp_path, monkeypatch, "vault")
    entry = repo / "catalog/services/grafana.yaml"
    entry.write_text(entry.read_text().replace("shared: [aws-creds]", "shared: [aws-creds, smtp]"))
    code, out = diff()
    widened = [line for line in out.splitlines() if "access of " in line]
    assert code == 1
    assert len(widened) == 2  # staging and production, nothing else
    for line, env in zip(widened, ("production", "staging"), strict=True):
        assert f"> [{env}] access of ServiceAccount " in line
        assert "/grafana in " in line
        assert f"widened: reads vault kv/shared/{env}/smtp @ " in line

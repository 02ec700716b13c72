"""`diff --base` on a Vault catalog: each service's policy widened, narrowed or removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run
from tests.review.test_reports import committed_repo
from tests.tools import diff_tools

ENVS = ("staging", "production")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A GitOps repo whose catalog is the vault fixture, rendered and committed."""
    return committed_repo(tmp_path, monkeypatch, "vault")


def diff() -> tuple[int, str]:
    diff_tools()
    result = run(["diff", "--base", "HEAD"])
    return result.exit_code, result.output


def test_a_new_shared_secret_widens_the_policy(repo: Path) -> None:
    entry = repo / "catalog/services/grafana.yaml"
    entry.write_text(entry.read_text().replace("shared: [aws-creds]", "shared: [aws-creds, smtp]"))
    code, out = diff()
    assert code == 1
    for env in ENVS:
        assert f"> [{env}] Vault policy of grafana widened: kv/data/shared/{env}/smtp" in out
    assert "Vault policy of cert-manager" not in out


def test_dropping_a_shared_secret_narrows_the_policy(repo: Path) -> None:
    entry = repo / "catalog/services/cert-manager.yaml"
    entry.write_text(entry.read_text().replace("  shared: [ovh-dns]\n", ""))
    code, out = diff()
    assert code == 1
    for env in ENVS:
        assert f"< [{env}] Vault policy of cert-manager narrowed: secret/data/shared/ovh-dns" in out


def test_removing_a_service_removes_its_policy_loudly(repo: Path) -> None:
    (repo / "catalog/services/cert-manager.yaml").unlink()
    code, out = diff()
    removals = out.split("!!! REMOVALS: review before merging !!!")[1]
    assert code == 1
    for env in ENVS:
        line = f"- [{env}] Vault policy of cert-manager removed: the service loses access"
        assert line in removals


def test_a_role_bound_to_another_namespace_is_reported(repo: Path) -> None:
    """Who may log in as a service is access too: a per-env namespace moves its auth role."""
    entry = repo / "catalog/services/grafana.yaml"
    text = entry.read_text().replace(
        "production: {replicas: 2}", "production: {replicas: 2, namespace: obs}"
    )
    entry.write_text(text)
    code, out = diff()
    assert code == 1
    (line,) = [row for row in out.splitlines() if "Vault auth role of grafana" in row]
    assert line.startswith("  ~ [production] Vault auth role of grafana changed: ")
    now, was = line.split(" (was: ")
    assert "service account obs/grafana gets policy" in now
    assert "service account monitoring/grafana gets policy" in was
    assert "Vault policy of grafana" not in out  # the paths it reads did not change

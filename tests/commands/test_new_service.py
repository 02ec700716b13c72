"""new-service -> render -> check, per backend; refusals leave the catalog untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from generator.catalog.load import load_catalog
from tests.conftest import REPO_CATALOG, run

BACKENDS = sorted(load_catalog(REPO_CATALOG).platform.secretBackends)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO_CATALOG, tmp_path / "catalog")
    return tmp_path


def snapshot_dir(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_new_service_renders_and_checks_clean(
    backend: str, repo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_copy)
    result = run(
        [
            "new-service",
            "checkout",
            "--owner",
            "team-shop",
            "--backend",
            backend,
            "--key",
            "DB_PASSWORD",
            "--key",
            "API_TOKEN",
        ]
    )
    assert result.exit_code == 0, result.output
    entry = yaml.safe_load((repo_copy / "catalog/services/checkout.yaml").read_text())
    assert entry["secrets"] == {"backend": backend, "keys": ["DB_PASSWORD", "API_TOKEN"]}
    assert "make render" in result.output
    catalog = load_catalog(repo_copy / "catalog")
    env_names = [e.name for e in catalog.platform.environments]
    for env in env_names:  # every env's exact paths are printed
        assert f"     {env}: " in result.output
    assert run(["render"]).exit_code == 0
    check = run(["check"])
    assert check.exit_code == 0, check.output
    assert (repo_copy / "rendered/runbooks/checkout.md").is_file()
    assert (repo_copy / "rendered/backstage/services/checkout/catalog-info.yaml").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["payment-service", "--owner", "x"],
            "catalog/services/payment-service.yaml:1:1: name: service 'payment-service' already exists",
        ),
        (
            ["Bad_Name", "--owner", "x"],
            "catalog/services/Bad_Name.yaml:1:1: name: 'Bad_Name' is not a DNS-1123 label (lowercase letters, digits and '-')",
        ),
        (
            ["svc-a", "--owner", "x", "--backend", "nope", "--key", "A"],
            "catalog/services/svc-a.yaml:9:12: secrets.backend: 'nope' is not a secret backend in platform.yaml (aws, aws-from-github, ssm, ssm-json, vault)",
        ),
        (
            ["svc-b", "--owner", "x", "--backend", "aws", "--key", "db-pass"],
            "catalog/services/svc-b.yaml:10:10: secrets.keys[0]: 'db-pass' is not a valid key: use [A-Z][A-Z0-9_]* (a hyphen is rejected, seed 001)",
        ),
        (
            ["svc-c", "--owner", "x", "--backend", "aws"],
            "catalog/services/svc-c.yaml:1:1: secrets.keys: give at least one --key for the backend",
        ),
        (
            ["svc-d", "--owner", "x", "--namespace", "Bad NS"],
            "catalog/services/svc-d.yaml:4:12: namespace: 'Bad NS' is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)",
        ),
    ],
)
def test_refusals_exit_2_and_write_nothing(
    args: list[str], message: str, repo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_copy)
    before = snapshot_dir(repo_copy / "catalog")
    result = run(["new-service", *args])
    assert result.exit_code == 2
    assert result.output.splitlines() == [message]
    assert snapshot_dir(repo_copy / "catalog") == before


def test_missing_owner_without_a_terminal_is_a_usage_error(
    repo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_copy)
    result = run(["new-service", "svc-e"])
    assert result.exit_code == 2 and "--owner is required" in result.output
    assert not (repo_copy / "catalog/services/svc-e.yaml").exists()


def test_values_cannot_add_yaml_structure(repo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_copy)
    sneaky = 'x\nreplicas: 99\n"}: {'
    result = run(["new-service", "svc-f", "--owner", "team", "--description", sneaky])
    # a newline is not a valid description: refused, with nothing written
    assert result.exit_code == 2 and "description" in result.output
    ok = run(["new-service", "svc-g", "--owner", "team", "--description", "on: yes # {{ x }}"])
    assert ok.exit_code == 0, ok.output
    entry = yaml.safe_load((repo_copy / "catalog/services/svc-g.yaml").read_text())
    assert entry["description"] == "on: yes # {{ x }}" and "replicas" not in entry

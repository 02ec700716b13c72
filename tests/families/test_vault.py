"""Vault: VSO objects, read-only policies scoped to the service's own and declared shared paths."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import hcl2
import pytest
import yaml

from generator.backends.vault_objects import policy_paths
from generator.catalog.facts import Facts
from generator.catalog.load import load_catalog
from generator.catalog.models import Vault
from tests.conftest import FIXTURES, REPO_CATALOG, render_tree
from tests.families.test_kustomize_real import built, write_out
from tests.tools import need

CATALOGS = [REPO_CATALOG, FIXTURES / "vault"]


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_policies_parse_are_canonical_and_read_only_own_paths(catalog: Path) -> None:
    cat = load_catalog(catalog)
    tree = render_tree(catalog)
    policies = {PurePosixPath(p): t for p, t in tree.items() if p.endswith(".hcl")}
    assert policies
    by_name = {s.name: s for s in cat.services}
    backends = cat.platform.secretBackends
    for path, text in policies.items():
        env, service = path.parts[1], path.stem
        svc = by_name[service]
        assert svc.secrets is not None
        backend = backends[svc.secrets.backend]
        assert isinstance(backend, Vault)
        mount, key_tpl = backend.mount, backend.key
        own = f"{mount}/data/" + key_tpl.replace("{service}", service).replace(
            "{env}", env
        ).replace("{system}", cat.platform.system)
        spans = backend.sharedAcrossEnvs
        shared = {s if s in spans else f"{env}/{s}" for s in svc.secrets.shared}
        allowed = {own, *(f"{mount}/data/shared/{s}" for s in shared)}
        parsed = hcl2.loads(text)
        granted = {}
        for block in parsed["path"]:
            for p, body in block.items():
                granted[p.strip('"')] = body["capabilities"]
        assert set(granted) == allowed, (path, granted)
        assert all([c.strip(chr(34)) for c in caps] == ["read"] for caps in granted.values())
        # no grant reaches another service's path
        for other in by_name:
            if other != service:
                assert not any(f"/{other}/" in f"/{g}/" for g in granted)


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_policies_are_canonical_hcl_per_terraform_fmt(catalog: Path) -> None:
    terraform = need("terraform")
    for path, text in render_tree(catalog).items():
        if path.endswith(".hcl"):
            cmd = [terraform, "fmt", "-"]
            fmt = subprocess.run(cmd, input=text, capture_output=True, text=True, check=False)
            assert fmt.returncode == 0 and fmt.stdout == text, (path, fmt.stderr)


def test_policy_paths_follow_env_template() -> None:
    facts = Facts(load_catalog(FIXTURES / "vault"))
    grafana = next(s for s in facts.services if s.name == "grafana")
    assert policy_paths(facts, grafana, "production") == [
        "kv/data/production/grafana/app",
        "kv/data/shared/production/aws-creds",
    ]


def test_seed_004_cert_manager_pulls_into_its_own_namespace(tmp_path: Path) -> None:
    out = write_out(FIXTURES / "vault", tmp_path)
    docs = built(out / "kustomize" / "cert-manager" / "overlays" / "production")
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == [
        "ServiceAccount",
        "VaultAuth",
        "VaultConnection",
        "VaultStaticSecret",
        "VaultStaticSecret",
    ]
    assert {d["metadata"]["namespace"] for d in docs} == {"cert-manager"}
    statics = {d["spec"]["path"]: d for d in docs if d["kind"] == "VaultStaticSecret"}
    assert set(statics) == {"cert-manager/credentials", "shared/ovh-dns"}
    for s in statics.values():
        assert s["spec"]["refreshAfter"] == "2h" and s["spec"]["hmacSecretData"] is True
        assert s["spec"]["rolloutRestartTargets"] == [
            {"kind": "Deployment", "name": "cert-manager"}
        ]
        assert (
            s["spec"]["destination"]["create"] is True
            and s["spec"]["vaultAuthRef"] == "cert-manager"
        )
    auth = next(d for d in docs if d["kind"] == "VaultAuth")
    assert auth["spec"]["kubernetes"] == {
        "role": "cert-manager-production",
        "serviceAccount": "cert-manager",
        "audiences": ["vault"],
    }
    staging = built(out / "kustomize" / "grafana" / "overlays" / "staging")
    conn = next(d for d in staging if d["kind"] == "VaultConnection")
    assert conn["spec"]["address"] == "https://vault.staging.internal:8200"
    own = next(
        d
        for d in staging
        if d["kind"] == "VaultStaticSecret" and d["metadata"]["name"] == "grafana-secrets"
    )
    assert own["spec"]["path"] == "staging/grafana/app" and own["spec"]["mount"] == "kv"
    assert "_ENV_" not in yaml.safe_dump_all(staging)


STUB_CLI = """\
#!/bin/sh
printf '%s|%s\\n' "$VAULT_ADDR" "$*" >> "$STUB_LOG"
if [ "$1 $2" = "token capabilities" ]; then echo root; fi
if [ "$1" = read ]; then exit 2; fi
"""


def test_bootstrap_passes_catalog_values_to_the_cli_verbatim(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    """A Vault address full of shell syntax reaches the CLI as one literal value, runs nothing."""
    nasty = "http://v.example:8200/$(touch pwned)'\";`touch pwned2`"
    platform = (
        "system: acme\ngitRepo: https://github.com/acme/gitops.git\n"
        "environments: [{name: dev}]\nsecretBackends:\n"
        f"  vault: {{type: vault, address: {json.dumps(nasty)}, key: '{{env}}/{{service}}'}}\n"
    )
    service = "name: api\nowner: t\nimage: {repository: r, tag: v}\n"
    service += "secrets: {backend: vault, keys: [TOKEN]}\n"
    out = write_out(make_catalog({"api": service}, platform), tmp_path / "rendered")
    stub, log = tmp_path / "stub-vault", tmp_path / "calls.log"
    stub.write_text(STUB_CLI)
    stub.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "VAULT_CLI": str(stub), "STUB_LOG": str(log)}
    script = out / "vault" / "dev" / "bootstrap.sh"
    done = subprocess.run(
        ["sh", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls and all(c.startswith(nasty + "|") for c in calls)
    assert f"{nasty}|policy write acme-dev-api policies/api.hcl" in calls
    assert not list(tmp_path.rglob("pwned*")) and not list(out.rglob("pwned*"))

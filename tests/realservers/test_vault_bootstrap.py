"""A Vault outside the cluster, against a real OpenBao: the rendered bootstrap configures the
auth method once and keeps what it does not own.

The token reviewer's JWT is set by hand (as a Vault admin does with the rendered
`token-reviewer.yaml`'s token), then the script runs again, with the CA as PEM text and as a
file: nothing is rewritten, the JWT survives and logins still work. A run that must change
the config refuses to drop the JWT unless TOKEN_REVIEWER_JWT gives it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.families.test_kustomize_real import write_out
from tests.realservers.openbao import TEST_CA, Bao, bao_dev_server, token_reviewer

pytestmark = pytest.mark.tools

ENV = "staging"


def run(out: Path, bao: Bao, **extra: str) -> subprocess.CompletedProcess[str]:
    script = out / "vault" / ENV / "bootstrap.sh"
    env = {**bao.env(), "VAULT_CLI": bao.cli, **extra}
    return subprocess.run(
        ["sh", str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def config(bao: Bao, mount: str) -> dict[str, Any]:
    data: dict[str, Any] = bao.api("GET", f"auth/{mount}/config")["data"]
    return data


def test_the_reviewer_objects_are_rendered(tmp_path: Path) -> None:
    out = write_out(FIXTURES / "vault", tmp_path / "rendered")
    docs = list(yaml.safe_load_all((out / "vault" / ENV / "token-reviewer.yaml").read_text()))
    kinds = {d["kind"]: d for d in docs}
    assert set(kinds) == {"Namespace", "ServiceAccount", "ClusterRoleBinding", "Secret"}
    account = kinds["ServiceAccount"]["metadata"]
    assert kinds["ClusterRoleBinding"]["roleRef"]["name"] == "system:auth-delegator"
    assert kinds["ClusterRoleBinding"]["subjects"] == [
        {"kind": "ServiceAccount", "name": account["name"], "namespace": account["namespace"]}
    ]
    secret = kinds["Secret"]
    assert secret["type"] == "kubernetes.io/service-account-token"
    assert secret["metadata"]["annotations"] == {
        "kubernetes.io/service-account.name": account["name"]
    }


def test_a_hand_set_reviewer_jwt_survives_and_logins_work(tmp_path: Path) -> None:
    out = write_out(FIXTURES / "vault", tmp_path / "rendered")
    ca_file = tmp_path / "ca.crt"
    ca_file.write_text(TEST_CA)
    with token_reviewer() as api, bao_dev_server() as bao:
        first = run(out, bao, KUBERNETES_HOST=api.host, KUBERNETES_CA_CERT=TEST_CA)
        assert first.returncode == 0, first.stderr
        mount = next(m["path"] for m in _auths(bao)).strip("/")
        bao.api(
            "POST",
            f"auth/{mount}/config",
            {**_kept(config(bao, mount)), "token_reviewer_jwt": "hand.set.jwt"},
        )
        assert config(bao, mount)["token_reviewer_jwt_set"] is True
        for ca in (TEST_CA, str(ca_file)):  # PEM text, then a file
            again = run(out, bao, KUBERNETES_HOST=api.host, KUBERNETES_CA_CERT=ca)
            assert again.returncode == 0, again.stderr
            assert f"unchanged: auth/{mount}/config" in again.stdout
            assert config(bao, mount)["token_reviewer_jwt_set"] is True
        _login_and_read(bao, api, mount)
        moved = run(out, bao, KUBERNETES_HOST=api.host + "/", KUBERNETES_CA_CERT=TEST_CA)
        assert moved.returncode == 1
        assert "set TOKEN_REVIEWER_JWT" in moved.stderr
        assert config(bao, mount)["kubernetes_host"] == api.host  # nothing written
        given = run(
            out,
            bao,
            KUBERNETES_HOST=api.host,
            KUBERNETES_CA_CERT=str(ca_file),
            TOKEN_REVIEWER_JWT="new.reviewer.jwt",
        )
        assert given.returncode == 0, given.stderr
        assert config(bao, mount)["token_reviewer_jwt_set"] is True
        _login_and_read(bao, api, mount)


def _auths(bao: Bao) -> list[dict[str, Any]]:
    found = bao.api("GET", "sys/auth")["data"]
    return [{"path": p, **v} for p, v in sorted(found.items()) if v["type"] == "kubernetes"]


def _kept(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current[k] for k in ("kubernetes_host", "kubernetes_ca_cert")}


def _login_and_read(bao: Bao, api: Any, mount: str) -> None:
    """A service of the env logs in with its ServiceAccount token and its role."""
    roles = bao.api("LIST", f"auth/{mount}/role")["data"]["keys"]
    role = next(r for r in roles if r.endswith(f"-{ENV}"))
    bound = bao.api("GET", f"auth/{mount}/role/{role}")["data"]
    token = api.mint(
        bound["bound_service_account_namespaces"][0], bound["bound_service_account_names"][0]
    )
    login = bao.api("POST", f"auth/{mount}/login", {"role": role, "jwt": token}, token="")
    assert login["auth"]["client_token"]

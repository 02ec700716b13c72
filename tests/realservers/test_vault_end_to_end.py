"""Against a real OpenBao server: every env's bootstrap (twice), push-secrets, then the logins
each rendered VaultAuth makes and an access matrix across services and envs.

Envs that reach one Vault (same effective address; a `.svc` address per cluster) share one
fresh server here, exactly as they would in production; separate Vaults get separate servers.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.catalog.load import Catalog, load_catalog
from generator.catalog.models import Vault
from generator.catalog.models.vault import VaultId, policy_name, shared_path, vault_id
from tests.conftest import FIXTURES, REPO_CATALOG, run
from tests.families.test_kustomize_real import built, write_out
from tests.realservers.openbao import (
    TEST_CA,
    Bao,
    TokenReviewer,
    bao_dev_server,
    token_reviewer,
    vault_state,
)

pytestmark = pytest.mark.tools

MATRIX_PLATFORM = """\
system: mx
gitRepo: https://github.com/mx/gitops.git
environments:
  - {name: dev, namespace: "{namespace}-dev"}
  - {name: stage, namespace: "{namespace}-stage"}
secretBackends:
  kv:
    type: vault
    address: http://vault.vault.svc:8200
    mount: kv
    key: "{env}/{service}"
  apps:
    type: vault
    address: http://vault.vault.svc:8200
    mount: apps
    authMount: k8s-apps
    key: "{system}/{env}/{service}/app"
"""
MATRIX_SERVICES = {
    "api": "secrets: {backend: kv, keys: [DB_PASSWORD, API_TOKEN], shared: [common]}",
    "web": "secrets: {backend: kv, keys: [SESSION_KEY], shared: [common, web-extra]}",
    "worker": "secrets: {backend: apps, keys: [QUEUE_PASSWORD]}",
}


def matrix_catalog(root: Path) -> Path:
    (root / "services").mkdir(parents=True)
    (root / "platform.yaml").write_text(MATRIX_PLATFORM)
    for name, secrets in MATRIX_SERVICES.items():
        text = f"name: {name}\nowner: t\nimage: {{repository: r/{name}, tag: v1}}\n{secrets}\n"
        (root / "services" / f"{name}.yaml").write_text(text)
    return root


def vaults(cat: Catalog) -> dict[VaultId, list[str]]:
    """Each Vault the catalog reaches and its envs; an env reaches one Vault here."""
    groups: dict[VaultId, list[str]] = {}
    for env in cat.platform.environments:
        ids = {
            vault_id(b, env) for b in cat.platform.secretBackends.values() if isinstance(b, Vault)
        }
        assert len(ids) == 1, (env.name, ids)
        groups.setdefault(ids.pop(), []).append(env.name)
    return groups


def bootstrap(
    out: Path, env: str, bao: Bao, host: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    script = out / "vault" / env / "bootstrap.sh"
    extra = {"VAULT_CLI": bao.cli, "KUBERNETES_HOST": host, "KUBERNETES_CA_CERT": TEST_CA}
    env_vars = {**bao.env(token), **extra}
    cmd = ["sh", str(script)]
    return subprocess.run(
        cmd, check=False, env=env_vars, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(params=["repo", "vault-fixture", "matrix"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "repo":
        return REPO_CATALOG
    if request.param == "vault-fixture":
        return FIXTURES / "vault"
    return matrix_catalog(tmp_path / "matrix")


@pytest.fixture
def servers() -> Iterator[TokenReviewer]:
    with token_reviewer() as reviewer:
        yield reviewer


def test_bootstrap_push_and_access_matrix(
    catalog: Path, tmp_path: Path, servers: TokenReviewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = load_catalog(catalog)
    out = write_out(catalog, tmp_path / "rendered")
    checked = 0
    for envs in vaults(cat).values():
        with bao_dev_server() as bao:
            _bootstrap_twice(cat, out, envs, bao, servers.host)
            _push_every_service(catalog, cat, envs, bao, tmp_path, monkeypatch)
            checked += _access_matrix(cat, out, envs, bao, servers)
    assert checked > 0


def _bootstrap_twice(cat: Catalog, out: Path, envs: list[str], bao: Bao, host: str) -> None:
    fresh = vault_state(bao)
    for env in envs:
        first = bootstrap(out, env, bao, host)
        assert first.returncode == 0, first.stderr
    once = vault_state(bao)
    assert once != fresh
    for env in envs:
        again = bootstrap(out, env, bao, host)
        assert again.returncode == 0, again.stderr
    assert vault_state(bao) == once
    for env in envs:  # every policy file is loaded as written
        for file in sorted((out / "vault" / env / "policies").glob("*.hcl")):
            name = policy_name(cat.platform.system, env, file.stem)
            assert once["policies"][name] == file.read_text(), name


def _vault_services(cat: Catalog) -> list[tuple[str, Vault, tuple[str, ...], list[str]]]:
    out = []
    for svc in cat.services:
        backend = cat.platform.secretBackends.get(svc.secrets.backend if svc.secrets else "")
        if isinstance(backend, Vault) and svc.secrets is not None:
            out.append((svc.name, backend, tuple(svc.secrets.keys), list(svc.secrets.shared)))
    return out


def value(service: str, env: str, key: str) -> str:
    return f"{service}.{env}.{key} = 'x' $HOME"


def _push_every_service(
    catalog: Path,
    cat: Catalog,
    envs: list[str],
    bao: Bao,
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VAULT_TOKEN", bao.root_token)
    for name, backend, keys, shared in _vault_services(cat):
        for env in envs:
            file = tmp / f"{name}.{env}.env"
            file.write_text("".join(f"{k}={value(name, env, k)!r}\n" for k in keys))
            args = ["push-secrets", "--catalog", str(catalog), "--env", env, "--service", name]
            args += ["--from-env-file", str(file), "--endpoint-url", bao.address]
            dry = run([*args, "--dry-run"])
            assert dry.exit_code == 0 and dry.output.startswith("would be created"), dry.output
            first, second = run(args), run(args)
            assert first.exit_code == 0 and first.output.startswith("created"), first.output
            assert second.exit_code == 0 and second.output.startswith("unchanged"), second.output
            assert "'x'" not in first.output + second.output  # names and paths only
        for item, env in ((i, e) for i in shared for e in envs):  # kept by the platform team
            path = shared_path(backend, item, env)  # per env unless it spans envs
            data = {"data": {"SHARED": f"{backend.mount}/{path}"}}
            bao.api("POST", f"{backend.mount}/data/{path}", data)


def _access_matrix(
    cat: Catalog, out: Path, envs: list[str], bao: Bao, reviewer: TokenReviewer
) -> int:
    """Log in as each rendered VaultAuth would; each token reads exactly its statics' paths."""
    logins = {}
    for name, _backend, keys, _shared in _vault_services(cat):
        for env in envs:
            docs = built(out / "kustomize" / name / "overlays" / env)
            auth = next(d for d in docs if d["kind"] == "VaultAuth")
            statics = [d["spec"] for d in docs if d["kind"] == "VaultStaticSecret"]
            namespace = auth["metadata"]["namespace"]
            logins[(name, env)] = (auth["spec"], namespace, statics, keys)
    universe = {(s["mount"], s["path"]) for _a, _n, statics, _k in logins.values() for s in statics}
    checks = 0
    for (name, env), (auth, namespace, statics, keys) in sorted(logins.items()):
        kube = auth["kubernetes"]
        jwt = reviewer.mint(namespace, kube["serviceAccount"])
        body = {"role": kube["role"], "jwt": jwt}
        token = bao.api("POST", f"auth/{auth['mount']}/login", body, token="")["auth"]
        readable = {
            (m, p)
            for m, p in sorted(universe)
            if bao.status("GET", f"{m}/data/{p}", token["client_token"]) == 200
        }
        assert readable == {(s["mount"], s["path"]) for s in statics}, (name, env)
        own = statics[0]
        got = bao.api("GET", f"{own['mount']}/data/{own['path']}", token=token["client_token"])
        assert got["data"]["data"] == {k: value(name, env, k) for k in keys}
        write = {"data": {"X": "y"}}  # read-only: not even its own path
        path = f"{own['mount']}/data/{own['path']}"
        assert bao.status("POST", path, token["client_token"], write) == 403
        checks += len(universe)
        for (other, other_env), (_a, other_ns, _s, _k) in logins.items():
            if other_ns != namespace or other != name:  # another identity, this role: refused
                foreign = reviewer.mint(other_ns, other)
                body = {"role": kube["role"], "jwt": foreign}
                refused = bao.status("POST", f"auth/{auth['mount']}/login", "", body)
                assert refused in {400, 403}, (name, env, other, other_env)
    return checks


def test_bootstrap_checks_rights_before_writing(tmp_path: Path, servers: TokenReviewer) -> None:
    """No rights, or all but one (of each kind of path): exit 1 with nothing written. The rights it checks
    are exactly enough: a token holding only those bootstraps, twice."""
    out = write_out(FIXTURES / "vault", tmp_path / "rendered")  # two mounts, two auth mounts
    script = (out / "vault" / "staging" / "bootstrap.sh").read_text()
    needs = [line.split()[1:] for line in script.splitlines() if line.startswith("need ")]
    assert len(needs) > 2
    with bao_dev_server() as bao:
        fresh = vault_state(bao)
        first_of_kind: dict[str, int] = {}  # one missing right of each kind of path
        for i, (path, *_caps) in enumerate(needs):
            parts = path.split("/")
            first_of_kind.setdefault(parts[2] if parts[0] == "auth" else parts[1], i)
        lacking = [[], *(needs[:i] + needs[i + 1 :] for i in sorted(first_of_kind.values()))]
        for i, granted in enumerate(lacking):
            result = bootstrap(
                out, "staging", bao, servers.host, _token_with(bao, f"p{i}", granted)
            )
            assert result.returncode == 1, result.stdout
            assert "bootstrap: token lacks" in result.stderr
            assert "nothing written; use a token with the rights above" in result.stderr
            assert vault_state(bao) == {**fresh, "policies": vault_state(bao)["policies"]}
            assert not any(p.startswith("homelab-") for p in vault_state(bao)["policies"])
        exact = _token_with(bao, "exact", needs)
        for _ in range(2):
            result = bootstrap(out, "staging", bao, servers.host, exact)
            assert result.returncode == 0, result.stderr


def _token_with(bao: Bao, name: str, needs: list[list[str]]) -> str:
    """A token whose only policy grants each (path, capability...) of `needs`."""
    policy = "".join(
        f'path "{path}" {{ capabilities = [{", ".join(f"{c!r}" for c in caps)}] }}\n'.replace(
            "'", '"'
        )
        for path, *caps in needs
    )
    policies = ["default"]  # an empty list would inherit the root token's policies
    if policy:
        bao.api("PUT", f"sys/policies/acl/{name}", {"policy": policy})
        policies = [name]
    created = bao.api(
        "POST", "auth/token/create", {"policies": policies, "no_default_policy": False}
    )
    token: str = created["auth"]["client_token"]
    return token


def test_push_secrets_to_vault_validates_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = matrix_catalog(tmp_path / "matrix")
    with bao_dev_server() as bao:
        bao.api("POST", "sys/mounts/kv", {"type": "kv", "options": {"version": "2"}})
        base = ["push-secrets", "--catalog", str(catalog), "--env", "dev", "--service", "api"]
        base += ["--endpoint-url", bao.address, "--from-env-file"]
        cases = {
            "DB_PASSWORD=a\n": "API_TOKEN: declared key has no value",
            "DB_PASSWORD=a\nAPI_TOKEN=b\nEXTRA=c\n": "EXTRA: is not declared in secrets.keys",
            "DB_PASSWORD=a\nAPI_TOKEN=\n": "API_TOKEN: value is empty",
        }
        monkeypatch.setenv("VAULT_TOKEN", bao.root_token)
        for i, (text, message) in enumerate(cases.items()):
            file = tmp_path / f"case{i}.env"
            file.write_text(text)
            result = run([*base, str(file)])
            assert result.exit_code == 2 and message in result.output, result.output
        assert bao.status("GET", "kv/data/dev/api", bao.root_token) == 404
        file = tmp_path / "ok.env"
        file.write_text("DB_PASSWORD=a\nAPI_TOKEN=b\n")
        weak = bao.api("POST", "auth/token/create", {"policies": ["default"]})["auth"][
            "client_token"
        ]
        monkeypatch.setenv("VAULT_TOKEN", weak)
        result = run([*base, str(file)])
        assert result.exit_code == 2, result.output
        assert "403" in result.output and "the token needs read on kv/data/dev/api" in result.output
        monkeypatch.delenv("VAULT_TOKEN")
        result = run([*base, str(file)])
        assert result.exit_code == 2 and "VAULT_TOKEN is not set" in result.output
        assert bao.status("GET", "kv/data/dev/api", bao.root_token) == 404

"""One Vault per env, and one Vault for three clusters: envs never cross.

Against real OpenBao servers, with a stand-in TokenReview API per cluster (a token of one
cluster means nothing to another's API, as with real signing keys). Every env's rendered
`bootstrap.sh` runs (in promotion order, then again in reverse order), every kv path is
written, then EVERY ServiceAccount the overlays render (in its env's cluster) tries EVERY auth
role the overlays' VaultAuths name, through the mount that VaultAuth names; each token that
logs in tries to read every kv path on its Vault. The expectation is computed here from the
catalog alone: a ServiceAccount logs in only as its own service's role in its own env, and
reads exactly its own path plus the shared paths it declared, for its env.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.catalog.load import Catalog, load_catalog
from generator.catalog.models import Vault
from tests.families.test_kustomize_real import built, write_out
from tests.realservers.openbao import Bao, bao_dev_server, token_reviewer
from tests.realservers.test_vault_end_to_end import bootstrap

pytestmark = pytest.mark.tools

ENVS = ("dev", "stage", "prod")
SERVICES = {
    "api": "secrets: {backend: kv, keys: [DB_PASSWORD, API_TOKEN], shared: [common]}",
    "web": "secrets: {backend: kv, keys: [SESSION_KEY], shared: [common, ovh-dns]}",
    "worker": "secrets: {backend: kv, keys: [QUEUE_PASSWORD]}",
}


def platform(one_vault: bool) -> str:
    envs = "".join(
        f"  - name: {e}\n    cluster: https://{e}.k8s.mx.internal\n"
        + ("" if one_vault else f"    vaultAddress: https://vault.{e}.mx.internal:8200\n")
        for e in ENVS
    )
    return (
        "system: mx\ngitRepo: https://github.com/mx/gitops.git\n"
        f"environments:\n{envs}"
        "secretBackends:\n  kv:\n    type: vault\n    address: https://vault.mx.internal:8200\n"
        '    mount: kv\n    key: "{env}/{service}/credentials"\n'
        "    sharedAcrossEnvs: [ovh-dns]\n"
    )


def topology_catalog(root: Path, one_vault: bool) -> Path:
    (root / "services").mkdir(parents=True)
    (root / "platform.yaml").write_text(platform(one_vault))
    for name, secrets in SERVICES.items():  # one namespace name in every cluster: the hard case
        text = f"name: {name}\nowner: t\nimage: {{repository: r/{name}, tag: v1}}\n{secrets}\n"
        (root / "services" / f"{name}.yaml").write_text(text)
    return root


@dataclass(frozen=True)
class Login:
    """One rendered VaultAuth in one env: who it is and what it names."""

    env: str
    service: str
    address: str
    namespace: str
    account: str
    mount: str
    role: str
    paths: frozenset[str]  # `<mount>/<path>` of its VaultStaticSecrets


def rendered_logins(cat: Catalog, out: Path) -> list[Login]:
    logins = []
    for svc in cat.services:
        for env in ENVS:
            docs = built(out / "kustomize" / svc.name / "overlays" / env)
            auth = next(d for d in docs if d["kind"] == "VaultAuth")
            conn = next(d for d in docs if d["kind"] == "VaultConnection")
            paths = frozenset(
                f"{d['spec']['mount']}/{d['spec']['path']}"
                for d in docs
                if d["kind"] == "VaultStaticSecret"
            )
            kube = auth["spec"]["kubernetes"]
            ns = auth["metadata"]["namespace"]
            role = kube["role"]
            mount = auth["spec"]["mount"]
            address = conn["spec"]["address"]
            logins.append(
                Login(env, svc.name, address, ns, kube["serviceAccount"], mount, role, paths)
            )
    return logins


def expected_paths(cat: Catalog, env: str, service: str) -> frozenset[str]:
    """From the catalog alone: its own path and each shared path it declared, in `env`."""
    svc = next(s for s in cat.services if s.name == service)
    assert svc.secrets is not None
    backend = cat.platform.secretBackends[svc.secrets.backend]
    assert isinstance(backend, Vault)
    own = backend.key.replace("{env}", env).replace("{service}", service)
    shared = {
        f"shared/{s}" if s in backend.sharedAcrossEnvs else f"shared/{env}/{s}"
        for s in svc.secrets.shared
    }
    return frozenset(f"{backend.mount}/{p}" for p in {own, *shared})


@dataclass
class Matrix:
    logins: int = 0
    reads: int = 0
    deviations: list[str] | None = None


def run_matrix(cat: Catalog, out: Path, one_vault: bool) -> Matrix:
    logins = rendered_logins(cat, out)
    addresses = sorted({login.address for login in logins})
    assert len(addresses) == (1 if one_vault else len(ENVS))
    matrix = Matrix(deviations=[])
    with ExitStack() as stack:
        clusters = {e: stack.enter_context(token_reviewer(e)) for e in ENVS}
        servers = {a: stack.enter_context(bao_dev_server()) for a in addresses}
        by_env = {login.env: login.address for login in logins}
        for order in (ENVS, tuple(reversed(ENVS))):  # a later bootstrap must not undo another
            for env in order:
                done = bootstrap(out, env, servers[by_env[env]], clusters[env].host)
                assert done.returncode == 0, done.stderr
        stored = _write_every_path(cat, logins, servers)
        for who in logins:  # every ServiceAccount, in its own env's cluster ...
            jwt = clusters[who.env].mint(who.namespace, who.account)
            for target in logins:  # ... against every role a VaultAuth names
                _try(cat, who, target, jwt, servers[target.address], stored, matrix)
    return matrix


def _write_every_path(
    cat: Catalog, logins: list[Login], servers: dict[str, Bao]
) -> dict[str, set[str]]:
    stored: dict[str, set[str]] = {a: set() for a in servers}
    for login in logins:
        bao = servers[login.address]
        for path in login.paths | expected_paths(cat, login.env, login.service):
            if path in stored[login.address]:
                continue
            mount, _, rest = path.partition("/")
            bao.api("POST", f"{mount}/data/{rest}", {"data": {"K": path}})
            stored[login.address].add(path)
    return stored


def _try(
    cat: Catalog,
    who: Login,
    target: Login,
    jwt: str,
    bao: Bao,
    stored: dict[str, set[str]],
    matrix: Matrix,
) -> None:
    assert matrix.deviations is not None
    matrix.logins += 1
    body = {"role": target.role, "jwt": jwt}
    mine = (who.env, who.service) == (target.env, target.service)
    status = bao.status("POST", f"auth/{target.mount}/login", "", body)
    cell = f"{who.env}:{who.namespace}/{who.account} as {target.mount}/{target.role}"
    if (status == 200) != mine:
        matrix.deviations.append(f"{cell}: login {status}, expected {'ok' if mine else 'refused'}")
    if status != 200:
        return
    token = bao.api("POST", f"auth/{target.mount}/login", body, token="")["auth"]["client_token"]
    expected = expected_paths(cat, target.env, target.service) if mine else frozenset()
    for path in sorted(stored[target.address]):
        matrix.reads += 1
        mount, _, rest = path.partition("/")
        readable = bao.status("GET", f"{mount}/data/{rest}", token) == 200
        if readable != (path in expected):
            matrix.deviations.append(f"{cell}: read {path} {readable}, expected {not readable}")
    if mine and target.paths != expected:
        matrix.deviations.append(f"{cell}: syncs {sorted(target.paths)}, expected {expected}")


@pytest.fixture(params=[True, False], ids=["one-vault-three-clusters", "one-vault-per-env"])
def topology(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    yield topology_catalog(tmp_path / "catalog", request.param), request.param


def test_every_service_account_by_every_role_reads_only_its_grants(
    topology: tuple[Path, bool], tmp_path: Path
) -> None:
    catalog, one_vault = topology
    cat = load_catalog(catalog)
    out = write_out(catalog, tmp_path / "rendered")
    matrix = run_matrix(cat, out, one_vault)
    n = len(ENVS) * len(SERVICES)
    print(f"{n * n} logins, {matrix.reads} reads, {len(matrix.deviations or [])} deviations")
    assert matrix.logins == n * n
    assert matrix.reads > 0
    assert matrix.deviations == [], "\n".join(matrix.deviations or [])


def test_one_vault_for_three_clusters_gets_one_auth_mount_per_env(tmp_path: Path) -> None:
    catalog = topology_catalog(tmp_path / "catalog", one_vault=True)
    out = write_out(catalog, tmp_path / "rendered")
    for env in ENVS:
        script = (out / "vault" / env / "bootstrap.sh").read_text()
        calls = [w for w in (line.split() for line in script.splitlines()) if len(w) > 1]
        mounts = {words[1] for words in calls if words[0] == "ensure_kubernetes_auth"}
        assert mounts == {f"kubernetes-{env}"}, env
        roles = {words[1] for words in calls if words[0] == "ensure_role"}
        assert roles == {f"kubernetes-{env}"}, env


def test_a_syntax_check_of_every_bootstrap(tmp_path: Path) -> None:
    for one_vault in (True, False):
        catalog = topology_catalog(tmp_path / f"c{one_vault}", one_vault)
        out = write_out(catalog, tmp_path / f"r{one_vault}")
        for env in ENVS:
            script = out / "vault" / env / "bootstrap.sh"
            subprocess.run(["sh", "-n", str(script)], check=True, timeout=30)

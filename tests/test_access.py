"""`gitops-gen access` against an expectation computed here from the catalog alone.

The command reads the rendered grants (IRSA trust and policies, stores, bootstrap.sh roles and
policies, the applied VaultAuths); this test reads only the catalog's words: each service's
ServiceAccount in its env's cluster and namespace reads its own secrets (and the shared Vault
paths it declared) in that env, and with the `cluster` store scope ESO's ServiceAccount reads
every AWS secret of its env. Nothing else may appear, nothing may be missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.catalog.load import Catalog, load_catalog
from generator.catalog.models import AwsParameterStore, AwsSecretsManager, Vault
from tests.conftest import FIXTURES, PLATFORM, REPO_CATALOG, SERVICE, own_issuers, run
from tests.realservers.test_vault_topology import topology_catalog
from tests.tools import need

pytestmark = pytest.mark.tools

Row = tuple[str, str, str, str, str, str]  # env, cluster, namespace, account, backend, path


def namespace(cat: Catalog, service: str, env: str) -> str:
    svc = next(s for s in cat.services if s.name == service)
    over = svc.environments.get(env)
    if over is not None and over.namespace:
        return over.namespace
    template = next(e for e in cat.platform.environments if e.name == env).namespace
    ns = svc.namespace or svc.name
    return template.replace("{namespace}", ns).replace("{service}", svc.name).replace("{env}", env)


def expected(cat: Catalog) -> set[Row]:
    rows: set[Row] = set()
    platform = cat.platform
    for env in platform.environments:
        everything: set[tuple[str, str]] = set()
        aws_namespaces: set[str] = set()
        for svc in cat.services:
            over = svc.environments.get(env.name)
            if svc.secrets is None or (over is not None and not over.enabled):
                continue
            backend = platform.secretBackends[svc.secrets.backend]

            def fill(
                template: str, key: str = "", service: str = svc.name, e: str = env.name
            ) -> str:
                return (
                    template.replace("{system}", platform.system)
                    .replace("{env}", e)
                    .replace("{service}", service)
                    .replace("{key}", key.lower())
                )

            if isinstance(backend, Vault):
                own = {f"{backend.mount}/{fill(backend.key)}"}
                for s in svc.secrets.shared:
                    spans = s in backend.sharedAcrossEnvs
                    own.add(f"{backend.mount}/shared/{s if spans else env.name + '/' + s}")
                kind = "vault"
            else:
                assert isinstance(backend, AwsSecretsManager | AwsParameterStore)
                keys = svc.secrets.keys if "{key}" in backend.key else [""]
                own = {fill(backend.key, k) for k in keys}
                kind = "secretsmanager" if isinstance(backend, AwsSecretsManager) else "ssm"
                everything |= {(kind, p) for p in own}
                if platform.aws is not None and platform.aws.secretStoreScope == "cluster":
                    aws_namespaces.add(namespace(cat, svc.name, env.name))
                    continue  # read by ESO's own role, below
            ns = namespace(cat, svc.name, env.name)
            rows |= {(env.name, env.cluster, ns, svc.name, kind, p) for p in own}
        if platform.aws is not None and platform.aws.secretStoreScope == "cluster":
            eso_ns, _, eso = platform.aws.esoServiceAccount.partition("/")
            rows |= {(env.name, env.cluster, eso_ns, eso, k, p) for k, p in everything}
            # a ClusterSecretStore admits every namespace: each AWS service's namespace
            # reads, through ESO, what ESO reads (the catalog allows one such service)
            for ns in aws_namespaces:
                rows |= {(env.name, env.cluster, ns, "*", k, p) for k, p in everything}
    return rows


def actual(catalog: Path, *args: str) -> tuple[set[Row], list[dict[str, object]]]:
    result = run(["access", "--catalog", str(catalog), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    grants = json.loads(result.output)["grants"]
    rows = {
        (
            g["env"],
            g["principal"]["cluster"],
            g["principal"]["namespace"],
            g["principal"]["name"],
            g["secret"]["backend"],
            g["secret"]["path"],
        )
        for g in grants
    }
    return rows, grants


CATALOGS = {
    "repo": lambda tmp: REPO_CATALOG,
    "vault": lambda tmp: FIXTURES / "vault",
    "seed003": lambda tmp: FIXTURES / "seed003",
    "zerotouch": lambda tmp: FIXTURES / "zerotouch",
    "cluster-scope-one-service": lambda tmp: cluster_scope_catalog(tmp / "c"),
    "one-vault-three-clusters": lambda tmp: topology_catalog(tmp / "c", one_vault=True),
    "one-vault-per-env": lambda tmp: topology_catalog(tmp / "c", one_vault=False),
}


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_access_lists_exactly_the_declared_readers(name: str, tmp_path: Path) -> None:
    need("kubectl")
    catalog = CATALOGS[name](tmp_path)
    got, _ = actual(catalog)
    want = expected(load_catalog(catalog))
    assert want, name
    missing, extra = sorted(want - got), sorted(got - want)
    assert (missing, extra) == ([], []), f"missing {missing}\nextra {extra}"


def cluster_scope_catalog(root: Path) -> Path:
    """`cluster` store scope with the one AWS service it allows, and ESO's IRSA role."""
    (root / "services").mkdir(parents=True)
    platform = own_issuers(PLATFORM).replace(
        'accountId: "123456789012"\n',
        'accountId: "123456789012"\n  oidcProvider: oidc.example/id/DEV\n'
        "  secretStoreScope: cluster\n",
    )
    (root / "platform.yaml").write_text(platform)
    (root / "services" / "svc.yaml").write_text(SERVICE.format(name="svc"))
    return root


def test_access_refuses_a_catalog_with_cross_reads(tmp_path: Path) -> None:
    """Two clusters with one OIDC issuer: each could assume the other's IRSA roles. `access`
    loads the catalog as `validate` does, so it names the fix instead of a table."""
    catalog = tmp_path / "cat"
    (catalog / "services").mkdir(parents=True)
    (catalog / "platform.yaml").write_text(
        PLATFORM.replace(
            'accountId: "123456789012"', 'accountId: "123456789012"\n  oidcProvider: o/id/ONE'
        )
    )
    (catalog / "services" / "svc.yaml").write_text(SERVICE.format(name="svc"))
    result = run(["access", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert "trust one OIDC issuer 'o/id/ONE'" in result.output


def test_filters_and_formats() -> None:
    need("kubectl")
    everything, _ = actual(REPO_CATALOG)
    prod, _ = actual(REPO_CATALOG, "--env", "prod")
    assert prod and prod < everything and {r[0] for r in prod} == {"prod"}
    mine, _ = actual(REPO_CATALOG, "--service", "cert-manager")
    assert {r[3] for r in mine} == {"cert-manager"}
    assert {r[5] for r in mine} >= {
        "secret/shared/dev/ovh-dns",
        "secret/prod/cert-manager/credentials",
    }
    one, _ = actual(REPO_CATALOG, "--path", "prod/payment-service")
    assert one == {
        (
            "prod",
            "https://prod.k8s.acme.internal",
            "payment",
            "payment-service",
            "secretsmanager",
            "prod/payment-service",
        )
    }
    text = run(["access", "--env", "dev", "--service", "payment-service"]).output
    assert "ServiceAccount payment-dev/payment-service in https://kubernetes.default.svc" in text
    assert "via IAM role acme-dev-payment-service (IRSA)" in text
    markdown = run(["access", "--format", "markdown", "--path", "prod/payment-service"]).output
    assert markdown.startswith("| env | principal | via | reads |\n")
    assert run(["access", "--env", "qa"]).exit_code == 2
    assert run(["access", "--service", "a", "--path", "b"]).exit_code == 2

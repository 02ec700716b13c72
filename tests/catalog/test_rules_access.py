"""The access rules refuse exactly the catalogs whose rendered grants let a principal read a
secret the catalog did not declare for it.

Each catalog below is loaded twice: as `validate` loads it, and with the access rules switched
off so that a refused catalog still renders. The rendered grants then go through the same
model `gitops-gen access` prints (`generator.review.access`); the rules must refuse a catalog
exactly when that model finds a cross read.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog import load
from generator.catalog.load import load_catalog
from generator.catalog.rules_access import oidc_issuers
from generator.errors import CatalogError
from generator.pipeline.render import OUT, render_catalog
from generator.review.access import applied_state, crossings, model
from tests.catalog.test_validation import errors
from tests.conftest import FIXTURES, PLATFORM, REPO_CATALOG, own_issuers
from tests.realservers.test_vault_topology import topology_catalog
from tests.tools import need

SERVICE = "name: {name}\nowner: t\nimage: {{repository: r, tag: v}}\n{secrets}"
AWS = "secrets: {backend: aws, keys: [DB_PASSWORD]}\n"
SSM = "secrets: {backend: ssm, keys: [DB_PASSWORD]}\n"
ISSUER = 'accountId: "123456789012"\n  oidcProvider: oidc.example/id/DEV'
ONLY_IN = "environments: {{{other}: {{enabled: false}}}}\n"  # an AWS service of one env only
VAULT = """\
  kv:
    type: vault
    address: https://vault.acme.internal:8200
    mount: kv
    key: "{env}/{service}/credentials"
"""
KV = "secrets: {backend: kv, keys: [TOKEN]}\n"
ONE_CLUSTER = PLATFORM.replace("    cluster: https://prod.k8s.acme.internal\n", "").replace(
    "  - name: prod\n", '  - name: prod\n    namespace: "{namespace}-prod"\n'
)


def write(root: Path, platform: str, services: dict[str, str]) -> Path:
    (root / "services").mkdir(parents=True)
    (root / "platform.yaml").write_text(textwrap.dedent(platform))
    for name, secrets in services.items():
        text = SERVICE.format(name=name, secrets=secrets)
        (root / "services" / f"{name}.yaml").write_text(text)
    return root


CATALOGS: dict[str, Callable[[Path], Path]] = {
    "repo": lambda tmp: REPO_CATALOG,
    "vault": lambda tmp: FIXTURES / "vault",
    "seed003": lambda tmp: FIXTURES / "seed003",
    "zerotouch": lambda tmp: FIXTURES / "zerotouch",
    "one-vault-three-clusters": lambda tmp: topology_catalog(tmp, one_vault=True),
    "cluster-scope-one-service": lambda tmp: write(tmp, PLATFORM, {"a": AWS}),
    "cluster-scope-two-services": lambda tmp: write(tmp, PLATFORM, {"a": AWS, "b": SSM}),
    "one-issuer-two-clusters": lambda tmp: write(
        tmp, PLATFORM.replace('accountId: "123456789012"', ISSUER), {"a": AWS}
    ),
    "own-issuers": lambda tmp: write(
        tmp, own_issuers(PLATFORM).replace('accountId: "123456789012"', ISSUER), {"a": AWS}
    ),
    "one-issuer-one-cluster": lambda tmp: write(
        tmp, ONE_CLUSTER.replace('accountId: "123456789012"', ISSUER), {"a": AWS, "b": SSM}
    ),
    "one-issuer-two-clusters-aws-in-dev-only": lambda tmp: write(
        tmp,
        PLATFORM.replace('accountId: "123456789012"', ISSUER),
        {"a": AWS + ONLY_IN.format(other="prod")},
    ),
    "one-issuer-two-clusters-aws-in-prod-only": lambda tmp: write(
        tmp,
        PLATFORM.replace('accountId: "123456789012"', ISSUER),
        {"a": AWS + ONLY_IN.format(other="dev")},
    ),
    "one-issuer-one-cluster-aws-in-dev-only": lambda tmp: write(
        tmp,
        ONE_CLUSTER.replace('accountId: "123456789012"', ISSUER),
        {"a": AWS + ONLY_IN.format(other="prod")},
    ),
    "one-issuer-two-clusters-vault-in-prod": lambda tmp: write(
        tmp,
        PLATFORM.replace('accountId: "123456789012"', ISSUER) + VAULT,
        {"a": AWS + ONLY_IN.format(other="prod"), "v": KV},
    ),
    "own-issuers-aws-in-dev-only": lambda tmp: write(
        tmp,
        own_issuers(PLATFORM).replace('accountId: "123456789012"', ISSUER),
        {"a": AWS + ONLY_IN.format(other="prod")},
    ),
}
REFUSED = {
    "cluster-scope-two-services",
    "one-issuer-two-clusters",
    "one-issuer-two-clusters-aws-in-dev-only",
    "one-issuer-two-clusters-aws-in-prod-only",
    "one-issuer-two-clusters-vault-in-prod",
}


@pytest.mark.tools
@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_refused_exactly_where_the_rendered_grants_cross(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("kubectl")
    catalog = CATALOGS[name](tmp_path / "c")
    try:
        load_catalog(catalog)
        refused = False
    except CatalogError:
        refused = True
    monkeypatch.setattr(load, "access_problems", lambda *args: iter(()))
    cat = load_catalog(catalog)
    envs = [e.name for e in cat.platform.environments]
    tree = render_catalog(cat)[OUT]
    issuers = oidc_issuers(cat.platform)
    grants = model(applied_state(tree, envs, cat.platform.renderedPath, issuers))
    assert grants, name
    crossed = crossings(grants)
    assert (refused, bool(crossed)) == (name in REFUSED, name in REFUSED), crossed[:3]


def test_cluster_scope_with_two_aws_services_is_refused_at_the_scope(
    make_catalog: Callable[..., Path],
) -> None:
    platform = PLATFORM.replace("\naws:\n", "\naws:\n  secretStoreScope: cluster\n")
    services = {n: SERVICE.format(name=n, secrets=AWS) for n in ("a", "b")}
    out = errors(make_catalog(services, platform=platform))
    message = (
        "services a, b read AWS secrets through ClusterSecretStores that every namespace may "
        "use, and ESO's identity reads every secret of the env: an ExternalSecret in the "
        "namespace of a could sync the secret of b; set aws.secretStoreScope: service (a "
        "SecretStore per service, usable only in its namespace, reading as the service's own "
        "IRSA role; needs aws.oidcProvider)"
    )
    assert out == [
        f"platform.yaml:9:21: aws.secretStoreScope: env dev: {message}",
        f"platform.yaml:9:21: aws.secretStoreScope: env prod: {message}",
    ]


def test_one_issuer_for_two_clusters_is_refused_at_the_env(
    make_catalog: Callable[..., Path],
) -> None:
    platform = PLATFORM.replace('accountId: "123456789012"', ISSUER)
    out = errors(make_catalog({"a": SERVICE.format(name="a", secrets=AWS)}, platform=platform))
    assert out == [
        "platform.yaml:6:5: environments[1]: envs 'dev' and 'prod' are in different clusters "
        "but trust one OIDC issuer 'oidc.example/id/DEV': an IRSA trust names a ServiceAccount "
        "by namespace and name only, so either cluster can create the other's ServiceAccount "
        "and assume its role; set each cluster's own issuer in this env's oidcProvider (every "
        "EKS cluster has its own)"
    ]


def test_an_env_without_aws_services_on_the_issuer_is_refused_at_the_env(
    make_catalog: Callable[..., Path],
) -> None:
    """dev renders no IRSA role, yet its cluster carries the issuer prod's roles trust."""
    platform = PLATFORM.replace('accountId: "123456789012"', ISSUER)
    only_prod = SERVICE.format(name="a", secrets=AWS + ONLY_IN.format(other="dev"))
    out = errors(make_catalog({"a": only_prod}, platform=platform))
    assert out == [
        "platform.yaml:4:5: environments[0]: envs 'dev' and 'prod' are in different clusters "
        "but trust one OIDC issuer 'oidc.example/id/DEV': an IRSA trust names a ServiceAccount "
        "by namespace and name only, so the cluster of 'dev' can create the ServiceAccount an "
        "IRSA role of 'prod' trusts and assume that role; set each cluster's own issuer in "
        "this env's oidcProvider (every EKS cluster has its own)"
    ]


def test_an_env_that_names_the_shared_issuer_is_refused_at_its_oidc_provider(
    make_catalog: Callable[..., Path],
) -> None:
    platform = own_issuers(PLATFORM).replace("oidc.example/id/PROD", "oidc.example/id/DEV")
    platform = platform.replace('accountId: "123456789012"', ISSUER)
    only_dev = SERVICE.format(name="a", secrets=AWS + ONLY_IN.format(other="prod"))
    out = errors(make_catalog({"a": only_dev}, platform=platform))
    assert out == [
        "platform.yaml:8:19: environments[1].oidcProvider: envs 'dev' and 'prod' are in "
        "different clusters but trust one OIDC issuer 'oidc.example/id/DEV': an IRSA trust "
        "names a ServiceAccount by namespace and name only, so the cluster of 'prod' can "
        "create the ServiceAccount an IRSA role of 'dev' trusts and assume that role; set each "
        "cluster's own issuer in this env's oidcProvider (every EKS cluster has its own)"
    ]

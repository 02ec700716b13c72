"""Access rules: no principal may read a secret the catalog did not declare for it.

These are the catalog's side of `gitops-gen access`, which computes who reads what from the
rendered grants; `tests/catalog/test_rules_access.py` renders catalogs these rules pass and
refuse and proves both sides agree. On Vault the render is exact by construction (an auth mount
per env where a Vault serves several clusters, shared paths per env unless
`sharedAcrossEnvs`; `models/vault.py` refuses shared names). What is left is AWS:

- `secretStoreScope: cluster`: a ClusterSecretStore without `conditions` is usable from every
  namespace, and ESO's identity reads every secret of its env, so the namespace of one service
  can sync another service's secret. Exact only with one AWS service per env.
- One OIDC issuer for two clusters: an IRSA trust names a ServiceAccount by namespace and name
  only, so the other cluster can create that ServiceAccount and assume the role. That holds
  for every env whose cluster carries the issuer, even one that renders no IRSA role itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from generator.catalog.models import Environment, Platform, Service
from generator.catalog.source import SourceMap
from generator.errors import Problem


def access_problems(
    platform: Platform, psmap: SourceMap, services: Mapping[str, Service]
) -> Iterator[Problem]:
    if platform.aws is None:
        return
    yield from _cluster_scope(platform, psmap, services)
    yield from _shared_issuers(platform, psmap, services)


def aws_services(
    platform: Platform, services: Mapping[str, Service], env: Environment
) -> list[str]:
    """The services of `env` whose secrets live on AWS (each gets an IRSA role or ESO's)."""
    found = []
    for name in sorted(services):
        service = services[name]
        over = service.environments.get(env.name)
        if service.secrets is None or (over is not None and not over.enabled):
            continue
        backend = platform.secretBackends.get(service.secrets.backend)
        if backend is not None and backend.on_aws:
            found.append(name)
    return found


def _cluster_scope(
    platform: Platform, psmap: SourceMap, services: Mapping[str, Service]
) -> Iterator[Problem]:
    aws = platform.aws
    if aws is None or aws.secretStoreScope != "cluster":
        return
    where: tuple[str, ...] = ("aws", "secretStoreScope")
    if psmap.locate(where) == psmap.locate(("aws",)):
        where = ("aws",)  # the default scope (no OIDC issuer): the section says it
    for env in platform.environments:
        readers = aws_services(platform, services, env)
        if len(readers) < 2:
            continue
        msg = (
            f"env {env.name}: services {', '.join(readers)} read AWS secrets through "
            "ClusterSecretStores that every namespace may use, and ESO's identity reads every "
            f"secret of the env: an ExternalSecret in the namespace of {readers[0]} could sync "
            f"the secret of {readers[1]}; set aws.secretStoreScope: service (a SecretStore per "
            "service, usable only in its namespace, reading as the service's own IRSA role; "
            "needs aws.oidcProvider)"
        )
        yield psmap.problem(where, msg)


def oidc_issuers(platform: Platform) -> dict[str, str]:
    """env -> the OIDC issuer of its cluster's ServiceAccount tokens, as the catalog says (the
    env's own, else aws.oidcProvider); an env without one is left out."""
    aws = platform.aws
    out = {}
    for env in platform.environments:
        issuer = env.oidcProvider or (aws.oidcProvider if aws is not None else None)
        if issuer is not None:
            out[env.name] = issuer
    return out


def _shared_issuers(
    platform: Platform, psmap: SourceMap, services: Mapping[str, Service]
) -> Iterator[Problem]:
    """Envs in different clusters with one issuer, where one of them renders IRSA roles: any
    cluster whose tokens carry the issuer can create the ServiceAccount a role trusts and
    assume it, whether or not its own env has an AWS service. Each crossing pair is reported
    once, at the env that is not the earlier role owner."""
    issuers = oidc_issuers(platform)
    envs = [(i, e) for i, e in enumerate(platform.environments) if e.name in issuers]
    owners = {e.name for _, e in envs if aws_services(platform, services, e)}
    for index, env in envs:
        issuer = issuers[env.name]
        cluster = env.cluster.rstrip("/")
        owner = next(
            (
                (i, other)
                for i, other in envs
                if other.name in owners
                and issuers[other.name] == issuer
                and other.cluster.rstrip("/") != cluster
                and (i < index or env.name not in owners)
            ),
            None,
        )
        if owner is None:
            continue  # no role of another cluster trusts this env's issuer
        own = "oidcProvider" in env.model_fields_set
        where = ("environments", index, "oidcProvider")[: 3 if own else 2]
        yield psmap.problem(where, _shared_message(owner, (index, env), issuer, owners))


def _shared_message(
    owner: tuple[int, Environment], env: tuple[int, Environment], issuer: str, owners: set[str]
) -> str:
    first, second = sorted([owner, env], key=lambda pair: pair[0])
    if env[1].name in owners:
        how = "either cluster can create the other's ServiceAccount and assume its role"
    else:
        how = (
            f"the cluster of {env[1].name!r} can create the ServiceAccount an IRSA role of "
            f"{owner[1].name!r} trusts and assume that role"
        )
    return (
        f"envs {first[1].name!r} and {second[1].name!r} are in different clusters but trust "
        f"one OIDC issuer {issuer!r}: an IRSA trust names a ServiceAccount by namespace and "
        f"name only, so {how}; set each cluster's own issuer in this env's oidcProvider "
        "(every EKS cluster has its own)"
    )

"""Access rules: no principal may read a secret the catalog did not declare for it.

These are the catalog's side of `gitops-gen access`, which computes who reads what from the
rendered grants; `tests/catalog/test_rules_access.py` renders catalogs these rules pass and
refuse and proves both sides agree. On Vault the render is exact by construction (an auth mount
per env where a Vault serves several clusters, shared paths per env unless
`sharedAcrossEnvs`; `rules_vault.py` refuses shared names). What is left is AWS:

- `secretStoreScope: cluster`: a ClusterSecretStore without `conditions` is usable from every
  namespace, and ESO's identity reads every secret of its env, so the namespace of one service
  can sync another service's secret. Exact only with one AWS service per env.
- One OIDC issuer for two clusters: an IRSA trust names a ServiceAccount by namespace and name
  only, so the other cluster can create that ServiceAccount and assume the role.
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


def _issuer(platform: Platform, env: Environment) -> str | None:
    aws = platform.aws
    return env.oidcProvider or (aws.oidcProvider if aws is not None else None)


def _shared_issuers(
    platform: Platform, psmap: SourceMap, services: Mapping[str, Service]
) -> Iterator[Problem]:
    """Envs in different clusters with one issuer: the later env's cluster can assume the
    earlier env's IRSA roles (and the other way round)."""
    seen: dict[str, tuple[str, str]] = {}  # issuer -> (cluster, env) of the first env
    for index, env in enumerate(platform.environments):
        issuer = _issuer(platform, env)
        if issuer is None or not aws_services(platform, services, env):
            continue  # no IRSA role is rendered for this env
        cluster = env.cluster.rstrip("/")
        first = seen.setdefault(issuer, (cluster, env.name))
        if first[0] == cluster:
            continue  # one cluster: the trust names this env's own namespaces
        msg = (
            f"envs {first[1]!r} and {env.name!r} are in different clusters but trust one OIDC "
            f"issuer {issuer!r}: an IRSA trust names a ServiceAccount by namespace and name "
            f"only, so either cluster can create the other's ServiceAccount and assume its "
            "role; set each cluster's own issuer in this env's oidcProvider (every EKS "
            "cluster has its own)"
        )
        own = "oidcProvider" in env.model_fields_set
        yield psmap.problem(("environments", index, "oidcProvider")[: 3 if own else 2], msg)

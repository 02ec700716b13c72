"""The catalog model of the `vault` backend type (a kv-v2 mount, synced by VSO), the names
its plug-in renders, and its rules: environments that reach one Vault never share a path, a
role or a policy.

Two envs reach one Vault when their effective address (the env's `vaultAddress`, else the
backend's `address`) is the same. A cluster-local address (`*.svc`, `*.svc.cluster.local`)
names a different Vault in every cluster, so it is shared only by envs of one `cluster`.
The names below are the ones the renderer writes, so the rules and the output cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, StringConstraints

from generator.catalog.models.common import DnsLabel, Duration, Line
from generator.catalog.models.platform import VSO, BackendModel, OperatorKey
from generator.catalog.templates import expand, expandable, placeholders

if TYPE_CHECKING:
    from generator.catalog.models.platform import Environment, Platform
    from generator.catalog.models.service import Service
    from generator.catalog.source import SourceMap
    from generator.errors import Problem

CLUSTER_LOCAL = re.compile(r"\.svc(\.cluster\.local)?\.?$")
SHARED_PREFIX = "shared"


class Vault(BackendModel):
    operator: ClassVar[OperatorKey] = VSO
    placeholders: ClassVar[frozenset[str]] = frozenset({"system", "env", "service"})
    shared_paths: ClassVar[bool] = True
    refresh_field: ClassVar[str | None] = "refreshAfter"
    type: Literal["vault"]
    address: Line
    mount: DnsLabel = "secret"
    authMount: DnsLabel = "kubernetes"
    key: Line = Field(description="kv-v2 path template under the mount: {system} {env} {service}.")
    sharedAcrossEnvs: list[
        Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9/]*[a-z0-9])?$")]
    ] = Field(
        default_factory=list,
        description="Shared paths (`secrets.shared`) that hold ONE credential for every env, "
        "read at shared/<name> in every env. Any other shared path is per env: "
        "shared/<env>/<name>, so envs on one Vault never read one credential unsaid.",
    )
    refreshAfter: Duration = Field(
        "1h",
        description="VSO refreshAfter. Deliberately not 30s: short intervals with "
        "rolloutRestartTargets have caused restart churn (vault-secrets-operator #582, #1124).",
    )

    def problems(
        self, platform: Platform, smap: SourceMap, path: tuple[str, ...]
    ) -> Iterator[Problem]:
        yield from _key_problems(self, platform, smap, path)
        yield from _shared_problems(self, platform, smap, path)

    @classmethod
    def catalog_problems(
        cls,
        platform: Platform,
        psmap: SourceMap,
        services: Mapping[str, Service],
        smaps: Mapping[str, SourceMap],
    ) -> Iterator[Problem]:
        return _name_problems(platform, services, smaps)


def vault_address(backend: Vault, env: Environment) -> str:
    return env.vaultAddress or backend.address


def role_name(service: str, env: str) -> str:
    """The Kubernetes auth role of one service in one env (VaultAuth and bootstrap.sh agree)."""
    return f"{service}-{env}"


def policy_name(system: str, env: str, service: str) -> str:
    return f"{system}-{env}-{service}"


def shared_path(backend: Vault, name: str, env: str) -> str:
    """A shared path under the kv-v2 mount: per env, unless the backend says it spans envs."""
    if name in backend.sharedAcrossEnvs:
        return f"{SHARED_PREFIX}/{name}"
    return f"{SHARED_PREFIX}/{env}/{name}"


def auth_mount(platform: Platform, backend: Vault, env: Environment) -> str:
    """The kubernetes auth mount one env logs in through. A Vault reached from one cluster
    keeps the backend's `authMount`; a Vault reached from several clusters gets one mount per
    env (`<authMount>-<env>`), each configured with its own cluster's API: a ServiceAccount
    of one cluster can never log in through another cluster's mount."""
    here = vault_id(backend, env)
    clusters = {
        e.cluster
        for b in platform.secretBackends.values()
        if isinstance(b, Vault) and b.authMount == backend.authMount
        for e in platform.environments
        if vault_id(b, e) == here
    }
    return backend.authMount if len(clusters) <= 1 else f"{backend.authMount}-{env.name}"


@dataclass(frozen=True, order=True)
class VaultId:
    """One Vault server: its address, and the cluster when the address is cluster-local."""

    address: str
    cluster: str

    def __str__(self) -> str:
        return f"{self.address} in cluster {self.cluster}" if self.cluster else self.address


def vault_id(backend: Vault, env: Environment) -> VaultId:
    address = vault_address(backend, env).rstrip("/")
    host = urlsplit(address).hostname or address
    return VaultId(address.lower(), env.cluster if CLUSTER_LOCAL.search(host.lower()) else "")


def _key_problems(
    backend: Vault, platform: Platform, smap: SourceMap, path: tuple[str, ...]
) -> Iterator[Problem]:
    where = (*path, "key")
    if backend.key.split("/", 1)[0] == SHARED_PREFIX:
        msg = f"a service's own path must not start with {SHARED_PREFIX}/: services that "
        msg += 'declare that shared path would read it; use e.g. "{env}/{service}/credentials"'
        yield smap.problem(where, msg)
    if "env" in placeholders(backend.key):
        return
    groups: dict[VaultId, list[str]] = {}
    for env in platform.environments:
        groups.setdefault(vault_id(backend, env), []).append(env.name)
    shared = next(((v, envs) for v, envs in sorted(groups.items()) if len(envs) > 1), None)
    if shared is not None:
        vault, envs = shared
        msg = f"envs {', '.join(envs)} reach one Vault ({vault}) and this key has no {{env}}: "
        msg += "they would read and write one secret; add {env} (e.g. "
        msg += '"{env}/{service}/credentials") or give each env its own vaultAddress'
        yield smap.problem(where, msg)


def _shared_problems(
    backend: Vault, platform: Platform, smap: SourceMap, path: tuple[str, ...]
) -> Iterator[Problem]:
    """A path that spans envs must not be one env's per-env shared path (shared/<env>/...)."""
    envs = {e.name for e in platform.environments}
    for index, shared in enumerate(backend.sharedAcrossEnvs):
        first = shared.split("/", 1)[0]
        if first in envs and "/" in shared:
            msg = f"shared/{shared} would also be env {first}'s per-env shared path "
            msg += f"{shared.split('/', 1)[1]!r}: rename it so it does not start with {first}/"
            yield smap.problem((*path, "sharedAcrossEnvs", index), msg)


def _name_problems(
    platform: Platform, services: Mapping[str, Service], smaps: Mapping[str, SourceMap]
) -> Iterator[Problem]:
    """A role (per auth mount), a policy and a path belong to one (service, env) per Vault."""
    owners: dict[tuple[str, VaultId, str, str], tuple[str, str]] = {}
    servers: dict[tuple[str, str], tuple[VaultId, str]] = {}  # per backend and env, not service
    for name in sorted(services):
        service = services[name]
        chosen = service.secrets.backend if service.secrets else ""
        backend = platform.secretBackends.get(chosen)
        if not isinstance(backend, Vault) or not expandable(backend.key):
            continue  # an unknown placeholder is refused with the backend's key
        for env in platform.environments:
            found = servers.get((chosen, env.name))
            if found is None:
                found = (vault_id(backend, env), auth_mount(platform, backend, env))
                servers[(chosen, env.name)] = found
            vault, mount = found
            path = expand(backend.key, system=platform.system, env=env.name, service=name)
            claims = [
                ("auth role", mount, role_name(name, env.name)),
                ("policy", "", policy_name(platform.system, env.name, name)),
                ("kv-v2 path", backend.mount, path),
            ]
            for what, mount, value in claims:
                other = owners.setdefault((what, vault, mount, value), (name, env.name))
                if other[0] == name:  # one service's own envs: the key rule reports that
                    continue
                msg = f"{what} {value!r} on Vault {vault} would belong to service {name!r} "
                msg += f"in env {env.name} and to service {other[0]!r} in env {other[1]}: "
                msg += "rename the service or the env so the names differ"
                yield smaps[name].problem(("name",), msg)

"""Rules for settings under which a rotated value could never reach running pods, and for
operator pins too old for what gitops-gen renders."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.catalog.models import ESO, VSO, OperatorKey, Platform
from generator.catalog.source import SourceMap
from generator.errors import Problem

ESO_V1_SINCE = (0, 16, 0)  # first ESO release serving external-secrets.io/v1


def zero(duration: str) -> bool:
    return all(int(n) == 0 for n in re.findall(r"[0-9]+", duration))


def rotation_problems(platform: Platform, smap: SourceMap) -> Iterator[Problem]:
    operators = {b.operator for b in platform.secretBackends.values()}
    for i, env in enumerate(platform.environments):
        if ESO in operators and zero(env.refreshInterval):
            yield smap.problem(("environments", i, "refreshInterval"), _ZERO[ESO])
        if VSO in operators and env.refreshAfter is not None and zero(env.refreshAfter):
            yield smap.problem(("environments", i, "refreshAfter"), _ZERO[VSO])
    for name, backend in platform.secretBackends.items():
        field = backend.refresh_field  # the type's own default for its operator's refresh
        if field is not None and zero(getattr(backend, field)):
            yield smap.problem(("secretBackends", name, field), _ZERO[backend.operator])
    yield from _eso_version(platform, smap)


# what a refresh of 0 breaks, by the operator that would stop refreshing
_ZERO: dict[OperatorKey, str] = {
    ESO: "0 stops ESO's refresh: a value rotated in AWS would never reach the Secret "
    "(nor, through Reloader, the pods); use a duration such as 1h",
    VSO: "0 stops VSO's refresh: a value rotated in Vault would never reach the Secret (nor, "
    "through rolloutRestartTargets, the pods); use a duration such as 1h",
}


def _eso_version(platform: Platform, smap: SourceMap) -> Iterator[Problem]:
    version = platform.operators.externalSecrets.version
    if tuple(int(p) for p in version.split(".")) < ESO_V1_SINCE:
        since = ".".join(map(str, ESO_V1_SINCE))
        msg = f"{version} predates external-secrets.io/v1, which the rendered objects use "
        msg += f"(ESO >= {since})"
        yield smap.problem(("operators", "externalSecrets", "version"), msg)

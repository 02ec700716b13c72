"""What one output family returns: its files and, as data, what other readers need from them.

Argo CD, the workflows, `diff` and the consistency check read these fields instead of looking
for another family's output paths, so a family can change its layout (or a template override
its text) without breaking a reader elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from generator.errors import Problem
from generator.parts.inventory import Inventory, ObjectId, Reads, Reference, joined

Tree = dict[str, str]  # relative POSIX path -> text


def path_order(path: str) -> str:
    """Path order: by parts, so `a/x` comes before `a-b/x` (as a file browser lists them).
    The key maps `/` below every other character: the same order as comparing the parts,
    at a fifth of the cost of splitting 160,000 paths (a path never holds a NUL)."""
    return path.replace("/", "\0")


# Sync waves: the env's root app applies each wave once the one before is healthy.
WAVE_PROJECTS = -3
WAVE_OPERATORS = -2
WAVE_STORES = -1  # what secrets are read through
WAVE_SECRETS = 0  # each service's secrets
WAVE_WORKLOADS = 1  # what reads them


class AppSource(NamedTuple):
    """A folder of the rendered tree that an Argo CD app syncs: in every env (`env` None),
    or one service's in one env. The app is `<system>-<name>-<env>` in namespace
    `namespace`, or a service's `<service>-<env>` in the service's namespace."""

    path: str  # relative to the rendered folder
    env: str | None = None
    service: str | None = None
    name: str = ""  # an every-env app's name between the system and the env
    role: str = "workloads"  # what the app is, in words (Argo CD views, `diff`)
    wave: int = WAVE_WORKLOADS
    namespace: str = "default"  # an every-env app's destination namespace
    value_files: tuple[str, ...] = ()  # a chart folder's value files; `{env}`: the env's name


@dataclass(frozen=True, eq=False)
class Application:
    """An Argo CD Application the Argo CD family renders: what its readers need, and the whole
    typed view it was rendered from (`diff` compares those)."""

    env: str
    role: str  # root (the env's app of apps) | operator | app (the repo's own folders)
    name: str
    path: str  # the GitOps repo folder it syncs; "" for a chart from a Helm repository
    server: str  # destination cluster
    namespace: str  # destination namespace
    value_files: tuple[str, ...]  # `helm.valueFiles` of a chart folder
    view: object


@dataclass(frozen=True)
class CloudEffects:
    """What applying the output changes outside the cluster, as the data that was rendered."""

    # env -> the family's file holding that env's Terraform inputs (JSON tfvars): read back
    # when asked, so the data is exactly what was rendered, and a worker process returns
    # text (cheap to pass back) rather than a tree of small objects
    terraform: dict[str, str] = field(default_factory=dict)
    # (env, service) -> the Vault API paths its policy grants read on
    vault_grants: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    # (env, service) -> its Vault auth role: who may log in as it, and which policy they get
    vault_roles: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class FamilyResult:
    family: str
    files: Tree
    applications: tuple[Application, ...] = ()  # the Argo CD apps rendered
    produced: dict[ObjectId, frozenset[str]] = field(default_factory=dict)
    references: tuple[Reference | Reads, ...] = ()
    problems: tuple[Problem, ...] = ()  # what building its objects found (the check reports)
    origins: dict[ObjectId, str] = field(default_factory=dict)  # `Inventory.origins`
    cloud: CloudEffects = field(default_factory=CloudEffects)
    # files that hold every service's block under `services:`: drift is blamed per block
    per_service: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Results:
    """Every family's result of one render, in the order they ran."""

    families: tuple[FamilyResult, ...]

    def __iter__(self) -> Iterator[FamilyResult]:
        return iter(self.families)

    def applications(self) -> Iterator[Application]:
        for result in self.families:
            yield from result.applications

    def per_service_files(self) -> frozenset[str]:
        return frozenset().union(*(r.per_service for r in self.families))

    def terraform(self) -> dict[str, dict[str, Any]]:
        """env -> the Terraform root module's inputs (secrets, parameters, IAM roles)."""
        return {
            env: json.loads(result.files[path])
            for result in self.families
            for env, path in result.cloud.terraform.items()
        }

    def vault_grants(self) -> dict[tuple[str, str], frozenset[str]]:
        return _union(r.cloud.vault_grants for r in self.families)

    def vault_roles(self) -> dict[tuple[str, str], str]:
        return _union(r.cloud.vault_roles for r in self.families)

    def inventory(self) -> Inventory:
        inventory = Inventory()
        for result in self.families:
            for obj, keys in result.produced.items():
                inventory.produce(obj, keys)
            for ref in result.references:
                inventory.refer(ref)
            inventory.problems += result.problems
            inventory.origins.update(result.origins)
        return inventory


def _union(parts: Iterable[dict[Any, Any]]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for part in parts:
        out.update(part)
    return out


def merge_results(parts: Sequence[FamilyResult]) -> FamilyResult:
    """One family's result from those of its slices of the services, in their order."""
    if len(parts) == 1:
        return parts[0]
    produced: dict[ObjectId, frozenset[str]] = {}
    for part in parts:
        for obj, keys in part.produced.items():
            produced[obj] = joined(produced.get(obj), keys)
    return FamilyResult(
        family=parts[0].family,
        files={path: text for part in parts for path, text in part.files.items()},
        applications=tuple(app for part in parts for app in part.applications),
        produced=produced,
        references=tuple(ref for part in parts for ref in part.references),
        problems=tuple(problem for part in parts for problem in part.problems),
        origins=_first(part.origins for part in parts),
        cloud=CloudEffects(
            terraform=_union(p.cloud.terraform for p in parts),
            vault_grants=_union(p.cloud.vault_grants for p in parts),
            vault_roles=_union(p.cloud.vault_roles for p in parts),
        ),
        per_service=frozenset().union(*(p.per_service for p in parts)),
    )


def _first(parts: Iterable[dict[Any, Any]]) -> dict[Any, Any]:
    """Merged, the first slice's entry winning (as one pass records an object's first origin)."""
    out: dict[Any, Any] = {}
    for part in parts:
        for key, value in part.items():
            out.setdefault(key, value)
    return out

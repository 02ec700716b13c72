"""Offline cross-check: every object a Deployment references exists in its env and namespace.

Families record what they emit while rendering (the very dicts that are dumped): secret
families the Secrets their ExternalSecret / VaultStaticSecret objects create, the chart
the ConfigMaps it creates and what each Deployment reads. A new family extends this by
calling `produce` / `refer`; `verify` refuses the render when a reference dangles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.errors import ConsistencyError, Problem


@dataclass(frozen=True, order=True)
class ObjectId:
    env: str
    namespace: str
    kind: str  # Secret | ConfigMap
    name: str


@dataclass(frozen=True, order=True)
class Reference:
    service: str
    source: str  # catalog file, for the error location
    target: ObjectId
    key: str | None  # a secretKeyRef key, or None for a whole-object envFrom
    how: str  # secretRef | configMapRef | secretKeyRef


@dataclass
class Inventory:
    produced: dict[ObjectId, frozenset[str]] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)

    def produce(self, obj: ObjectId, keys: frozenset[str]) -> None:
        self.produced[obj] = self.produced.get(obj, frozenset()) | keys

    def refer(self, ref: Reference) -> None:
        self.references.append(ref)


def verify(inventory: Inventory) -> None:
    problems = []
    for ref in sorted(inventory.references):
        t = ref.target
        keys = inventory.produced.get(t)
        where = f"in env {t.env!r}, namespace {t.namespace!r}"
        if keys is None:
            msg = f"{ref.how} names {t.kind} {t.name!r}, which nothing renders {where}"
        elif ref.key is not None and ref.key not in keys:
            msg = f"secretKeyRef reads key {ref.key!r}; {t.kind} {t.name!r} {where} lacks it"
        else:
            continue
        problems.append(Problem(ref.source, 1, 1, f"{ref.service}[{t.env}]", msg))
    if problems:
        raise ConsistencyError(problems)

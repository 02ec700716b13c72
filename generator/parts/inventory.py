"""Offline cross-check: every object a Deployment references exists in its env and namespace.

Families record what they emit while rendering (the very dicts that are dumped): secret
families the Secrets their ExternalSecret / VaultStaticSecret objects create, the chart
the ConfigMaps it creates and what each Deployment reads. A new family extends this by
calling `produce` / `refer`; `verify` refuses the render when a reference dangles.
When a team overrides a secret-producing template, its family reads the Secrets from the
override's output instead (`secrets_in_output`, from the parse that checked it): a renamed
target or a dropped key is caught.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.errors import ConsistencyError, Problem
from generator.parts.ref_location import located

if TYPE_CHECKING:
    from generator.catalog.load import Catalog


class ObjectId(NamedTuple):
    """A tuple: built, hashed and sorted in C (there are several per service and env)."""

    env: str
    namespace: str
    kind: str  # Secret | ConfigMap | Deployment | SecretStore | VaultAuth | ServiceAccount ...
    name: str


class Reference(NamedTuple):
    service: str
    source: str  # catalog file, for the error location
    target: ObjectId
    key: str | None  # a secretKeyRef key, or None for a whole-object envFrom
    how: str  # secretRef | configMapRef | secretKeyRef | secretStoreRef | vaultAuthRef ...
    referrer: str = ""  # the object that refers, `Kind namespace/name` ("": the service's pod)


class Reads(NamedTuple):
    """The references of one object to others of its own env and namespace, held as one
    tuple (`references` makes them): the chart's Deployments name several objects each, in
    every env, and a catalog of 10,000 services held a tuple, an id and a string per name
    until the check."""

    service: str
    source: str
    env: str
    namespace: str
    kind: str  # the referring object's kind; its name is `name`
    name: str
    names: tuple[tuple[str, str, str | None, str], ...]  # (kind, name, key, how) of each target

    def references(self) -> Iterator[Reference]:
        referrer = f"{self.kind} {self.namespace}/{self.name}"
        for kind, name, key, how in self.names:
            target = ObjectId(self.env, self.namespace, kind, name)
            yield Reference(self.service, self.source, target, key, how, referrer)


NO_KEYS: frozenset[str] = frozenset()  # one empty set for the many objects without keys


def joined(old: frozenset[str] | None, keys: frozenset[str]) -> frozenset[str]:
    """`old | keys`, as one of them when it holds the other: most objects hold no keys, or
    the same keys in every env, and a new set for each would cost 200 bytes apiece."""
    if old is None:
        return keys or NO_KEYS
    if keys <= old:
        return old
    return keys if old <= keys else old | keys


def each_reference(references: Iterable[Reference | Reads]) -> Iterator[Reference]:
    for ref in references:
        if isinstance(ref, Reads):
            yield from ref.references()
        else:
            yield ref


@dataclass
class Inventory:
    produced: dict[ObjectId, frozenset[str]] = field(default_factory=dict)
    references: list[Reference | Reads] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # found while building (patches)
    # a Secret an overridden template's object writes -> that object and file: what a
    # dangling reference in the same namespace is told about (the override renamed it)
    origins: dict[ObjectId, str] = field(default_factory=dict)

    def produce(self, obj: ObjectId, keys: frozenset[str]) -> None:
        self.produced[obj] = joined(self.produced.get(obj), keys)

    def refer(self, ref: Reference | Reads) -> None:
        self.references.append(ref)


def verify(inventory: Inventory, catalog: Catalog | None = None) -> None:
    """Every reference resolves in its env and namespace; the problems found while building
    the objects (a patch that matches nothing, `_ENV_` left) are reported with them. With the
    `catalog`, each error points at the line that made the name (`ref_location`), else at no
    line."""
    problems = list(inventory.problems)
    produced = inventory.produced
    dangling = [  # the few that fail, found without holding every reference at once
        ref
        for ref in each_reference(inventory.references)
        if (keys := produced.get(ref.target)) is None
        or (ref.key is not None and ref.key not in keys)
    ]
    named = {ref.target for ref in each_reference(inventory.references)} if dangling else set()
    for ref in sorted(dangling, key=lambda r: (*r[:3], r.key or "", *r[4:])):
        t = ref.target
        keys = produced.get(t)
        where = f"in env {t.env!r}, namespace {t.namespace!r}" if t.namespace else ""
        where = where or f"in env {t.env!r} (cluster-wide)"
        if keys is None:
            msg = f"{ref.how} names {t.kind} {t.name!r}, which nothing renders {where}"
            msg += _instead(inventory.origins, t, named)
        else:
            msg = f"{ref.how} reads key {ref.key!r}; {t.kind} {t.name!r} {where} lacks it"
        msg = f"{ref.referrer}: {msg}" if ref.referrer else msg
        field = f"{ref.service}[{t.env}]"
        problems.append(located(ref, field, msg, catalog, key_missing=keys is not None))
    if problems:
        raise ConsistencyError(problems)


def _instead(origins: dict[ObjectId, str], wanted: ObjectId, named: set[ObjectId]) -> str:
    """What writes another object of that kind there, which nothing names (a rename)."""
    for obj in sorted(origins):
        if obj[:3] == wanted[:3] and obj not in named:
            return f"; {origins[obj]} writes {obj.kind} {obj.name!r} there"
    return ""


# Where each operator's object names the Secret it writes (ESO defaults it to metadata.name)
SECRET_NAME_PATH = {
    "ExternalSecret": ("target", "name"),
    "VaultStaticSecret": ("destination", "name"),
}


@dataclass(frozen=True)
class WrittenSecret:
    """A Secret an ExternalSecret / VaultStaticSecret document of an override's output creates."""

    name: str
    keys: frozenset[str]  # the keys it lists (ExternalSecret `data[].secretKey`)
    more_keys: bool  # keys it does not list may come too (`dataFrom`; Vault kv keys)


def produced_by(documents: list[Any], declared: frozenset[str]) -> dict[str, frozenset[str]]:
    """Secret name -> keys an override's output (its parsed `documents`) creates; where it
    may carry keys it does not list, the catalog's `declared` keys are trusted, as they are
    for the built-in template."""
    out: dict[str, frozenset[str]] = {}
    for secret in secrets_in_output(documents):
        keys = secret.keys | (declared if secret.more_keys else frozenset())
        out[secret.name] = out.get(secret.name, frozenset()) | keys
    return out


def secrets_in_output(documents: list[Any]) -> list[WrittenSecret]:
    """The Secrets an override's output documents (the parse that checked them) create: base
    objects are enough, as the overlays patch remote keys, intervals, paths and roles, never
    a Secret's name or keys."""
    found = []
    for doc in documents:
        if isinstance(doc, dict) and doc.get("kind") in SECRET_NAME_PATH:
            secret = written(doc)
            if secret is not None:
                found.append(secret)
    return found


def written(doc: dict[str, Any]) -> WrittenSecret | None:
    """The Secret an ExternalSecret / VaultStaticSecret document writes, if it names one."""
    kind = doc["kind"]
    spec = _mapping(doc.get("spec"))
    where, key = SECRET_NAME_PATH[kind]
    name = _mapping(spec.get(where)).get(key)
    if kind == "ExternalSecret" and name is None:
        name = _mapping(doc.get("metadata")).get("name")
    if not isinstance(name, str) or not name:
        return None  # VSO refuses a VaultStaticSecret without destination.name
    if kind == "VaultStaticSecret":  # exactly its templates' keys when it excludes every kv key
        shape = _mapping(_mapping(spec.get(where)).get("transformation"))
        templated = frozenset(k for k in _mapping(shape.get("templates")) if isinstance(k, str))
        return WrittenSecret(name, templated, more_keys=".*" not in (shape.get("excludes") or []))
    data = spec.get("data")
    if not isinstance(data, list):
        data = []
    keys = frozenset(
        item["secretKey"]
        for item in data
        if isinstance(item, dict) and isinstance(item.get("secretKey"), str)
    )
    return WrittenSecret(name, keys, more_keys=bool(spec.get("dataFrom")))


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}

"""Where the error of a dangling reference points: a real line, or none.

A reference the catalog made (a service's Deployment reading its Secret, a key it declares)
points at the field of the service file that produced it, through the service's source map
(parsed again only now). A reference in an override's output points at the line of the
override's template where the referring field holds the name literally, on one line only; a
name the template computes, or writes on several lines, has no honest line there, so the error
names the file alone (`errors.unlocated`), never an invented `1:1`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from generator.catalog.source import DataPath
from generator.errors import Problem, unlocated

if TYPE_CHECKING:
    from generator.catalog.load import Catalog
    from generator.catalog.models import Service


class Target(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...


class Reference(Protocol):
    """What is read of an `inventory.Reference` (which imports this module)."""

    @property
    def service(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> Target: ...
    @property
    def key(self) -> str | None: ...
    @property
    def how(self) -> str: ...


# The YAML key that holds the name, per field `object_refs.names` reports
NAME_KEYS = {
    "secretStoreRef": "name",
    "serviceAccountRef": "name",
    "vaultAuthRef": "vaultAuthRef",
    "vaultConnectionRef": "vaultConnectionRef",
    "kubernetes.serviceAccount": "serviceAccount",
    "rolloutRestartTargets": "name",
    "serviceAccountName": "serviceAccountName",
    "secretRef": "name",
    "configMapRef": "name",
    "secretKeyRef": "name",
    "configMapKeyRef": "name",
    "volumes.secret": "secretName",
    "volumes.configMap": "name",
}
ANNOTATION = "annotation "  # `how` of a Reloader annotation: its value lists names


def located(
    ref: Reference, field: str, message: str, catalog: Catalog | None, *, key_missing: bool
) -> Problem:
    """The problem of `ref`, at the line that produced the name (or, `key_missing`, the key)
    it holds, if one is known."""
    if catalog is not None:
        template = _override_text(catalog, ref.source)
        if template is not None:
            at = _template_position(template, ref, key_missing)
            if at is not None:
                return Problem(ref.source, at[0], at[1], field, message)
            return unlocated(ref.source, field, message)
        smap = catalog.smaps.get(ref.service) if ref.service else None
        service = _service(catalog, ref.service)
        if smap is not None and service is not None and ref.source == catalog.source(ref.service):
            path, key = catalog_field(service, ref)
            line, col = smap.locate(path, key=key)
            return Problem(smap.file, line, col, field, message)
    return unlocated(ref.source, field, message)


def catalog_field(service: Service, ref: Reference) -> tuple[DataPath, bool]:
    """The service file's field that made the name (or key) `ref` holds, and whether its key
    (rather than its value) is the place: the declared key a `secretKeyRef` reads, the
    `secrets` block for the Secret it syncs, the backend for the store or Vault objects it
    uses, and the service's `name` for what is named after the service."""
    kind = ref.target.kind
    if kind == "Secret":
        keys = list(service.secrets.keys) if service.secrets is not None else []
        if ref.key is not None and ref.key in keys:  # the key it reads, declared here
            return ("secrets", "keys", keys.index(ref.key)), False
        return ("secrets",), True
    if kind == "ConfigMap":
        if ref.key is not None and ref.key in service.config:
            return ("config", ref.key), True
        return ("name",), False
    if kind == "Deployment" or ref.how == "serviceAccountName":
        return ("name",), False
    return ("secrets", "backend"), False


def literal_position(
    text: str, key: str, value: str, *, listed: bool = False
) -> tuple[int, int] | None:
    """(line, column) of the one line of `text` where `key: value` is written literally (the
    value quoted or not; `listed`: one item of a comma-separated value), else None."""
    quoted = r"(?P<q>[\"']?)"
    name = rf"(?P<v>{re.escape(value)})"
    if listed:
        name = rf"(?:[^\"'\n#]*,[ \t]*)?{name}(?:[ \t]*,[^\"'\n#]*)?"
    pattern = re.compile(
        rf"^[ \t]*(?:-[ \t]+)?[\"']?{re.escape(key)}[\"']?[ \t]*:[ \t]*{quoted}{name}(?P=q)"
        r"[ \t]*(?:#.*)?$",
        re.MULTILINE,
    )
    found = list(pattern.finditer(text))
    if len(found) != 1:
        return None
    start = found[0].start("v")
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def _template_position(text: str, ref: Reference, key_missing: bool) -> tuple[int, int] | None:
    if ref.how.startswith(ANNOTATION):
        annotation = ref.how.removeprefix(ANNOTATION)
        return literal_position(text, annotation, ref.target.name, listed=True)
    if key_missing and ref.key is not None:
        return literal_position(text, "key", ref.key)
    key = NAME_KEYS.get(ref.how)
    return literal_position(text, key, ref.target.name) if key else None


def template_literal(catalog: Catalog, source: str, key: str, value: str) -> tuple[int, int] | None:
    """Where the override shown as `source` writes `key: value` literally, on one line."""
    text = _override_text(catalog, source)
    return literal_position(text, key, value) if text is not None else None


def _override_text(catalog: Catalog, source: str) -> str | None:
    """The template source of the override shown as `source`, if `source` is one."""
    from generator.templating.engine import templates_for

    templates = templates_for(catalog)
    for name in templates.override_names:
        if templates.shown_path(name) == source:
            return templates.source(name)
    return None


def _service(catalog: Catalog, name: str) -> Service | None:
    return next((s for s in catalog.services if s.name == name), None)

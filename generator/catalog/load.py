"""load_catalog(dir) -> Catalog: every error of every file, located and sorted, at once."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.catalog.extra import extra_problems
from generator.catalog.models import CONFIG_KEY, DNS_LABEL, ENV_KEY, Platform, Service
from generator.catalog.rules import (
    backend_problems,
    name_collisions,
    platform_problems,
    service_problems,
)
from generator.catalog.rules_access import access_problems
from generator.catalog.rules_isolation import isolation_problems
from generator.catalog.service_files import (
    SERVICES_DIR,
    Parsed,
    by_name,
    display_root,
    parse_file,
    parse_services,
    service_files,
)
from generator.catalog.source import DataPath, SourceMap
from generator.errors import CatalogError, Problem

__all__ = [
    "PLATFORM_FILE",
    "SERVICES_DIR",
    "Catalog",
    "display_root",
    "load_catalog",
]

PLATFORM_FILE = "platform.yaml"
M = TypeVar("M", bound=BaseModel)

_PATTERN_HINTS = {
    DNS_LABEL: "is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)",
    ENV_KEY: "is not a valid key: use [A-Z][A-Z0-9_]* (a hyphen is rejected, seed 001)",
    CONFIG_KEY: "is not a valid environment variable name",
}


@dataclass(frozen=True)
class Catalog:
    """A validated catalog. `sources` maps service name (and "") to its file inside the catalog."""

    platform: Platform
    services: tuple[Service, ...]
    sources: dict[str, str]
    templates: Path | None = None  # the override folder (platform.yaml templatesPath)
    # service name -> where its fields sit, parsed again from the file's bytes only when a
    # problem found after loading (a dangling reference) must be located
    smaps: Mapping[str, SourceMap] = field(default_factory=dict, repr=False, compare=False)

    def source(self, service: str = "") -> str:
        return self.sources[service]


def load_catalog(
    root: Path, extra: dict[str, bytes] | None = None, label: str | None = None
) -> Catalog:
    """Read and validate the whole catalog; raise CatalogError listing every problem.

    `extra` adds service files that are not on disk yet ({file name: content}): how
    `new-service` validates an entry against the whole catalog before writing it. `label`
    replaces the folder in messages (`origin/main:catalog/` for a catalog read from git).
    """
    catalog, across = read_catalog(root, extra, label)
    across()
    return catalog


def read_catalog(
    root: Path, extra: dict[str, bytes] | None = None, label: str | None = None
) -> tuple[Catalog, Callable[[], None]]:
    """The catalog with every file checked on its own, and the rules across its files, to be
    run before the catalog is trusted (they raise CatalogError). A render runs them beside
    its first tasks: what it renders meanwhile is staged, and reaches the output only after
    they pass. A file's own problem is raised here, with every problem across files found
    too: every problem at once."""
    problems: list[Problem] = []
    display = label if label is not None else display_root(root)
    platform, psmap = _model(
        parse_file(root / PLATFORM_FILE, f"{display}{PLATFORM_FILE}"), Platform, problems
    )
    if platform is not None and psmap is not None:
        problems.extend(platform_problems(platform, psmap))
    services, smaps, sources = _services(root, display, extra or {}, platform, problems)
    if platform is None or psmap is None:
        raise CatalogError(problems)
    templates = Path(os.path.normpath(root / ".." / platform.templatesPath))
    shown = display_root(templates) if label is None else f"{label}../{platform.templatesPath}/"

    def across() -> None:
        found = [*name_collisions(platform, services, smaps)]
        found.extend(backend_problems(platform, psmap, services, smaps))
        found.extend(isolation_problems(platform, psmap, services, smaps))
        found.extend(access_problems(platform, psmap, services))
        found.extend(
            extra_problems(
                templates,
                shown=shown,
                platform=platform,
                psmap=psmap,
                services=services,
                smaps=smaps,
            )
        )
        if found:
            raise CatalogError(found)

    if problems:
        try:
            across()
        except CatalogError as more:
            problems.extend(more.problems)
        raise CatalogError(problems)
    ordered = tuple(services[name] for name in sorted(services))
    catalog = Catalog(
        platform=platform, services=ordered, sources=sources, templates=templates, smaps=smaps
    )
    return catalog, across


def _services(
    root: Path,
    display: str,
    extra: dict[str, bytes],
    platform: Platform | None,
    problems: list[Problem],
) -> tuple[dict[str, Service], dict[str, SourceMap], dict[str, str]]:
    """Every service file as a model, its positions and its file (and "" -> platform.yaml);
    each file's own problems go to `problems`."""
    services: dict[str, Service] = {}
    smaps: dict[str, SourceMap] = {}
    sources = {"": PLATFORM_FILE}
    service_dir = root / SERVICES_DIR
    files = service_files(service_dir, f"{display}{SERVICES_DIR}", problems)
    paths = sorted({*files, *(service_dir / name for name in extra)}, key=by_name)
    for path, parsed in zip(paths, parse_services(paths, display, extra), strict=True):
        service, smap = _model(parsed, Service, problems)
        if service is None or smap is None:
            continue
        problems.extend(service_problems(service, path.stem, platform, smap))
        if service.name in services:
            problems.append(smap.problem(("name",), f"duplicate service name {service.name!r}"))
        services[service.name] = service
        smaps[service.name] = smap
        sources[service.name] = f"{SERVICES_DIR}/{path.name}"
    return services, smaps, sources


def _model(
    parsed: Parsed, model: type[M], problems: list[Problem]
) -> tuple[M | None, SourceMap | None]:
    """The parsed file as `model`, or its problems (located in the file)."""
    _, data, smap, found = parsed
    problems.extend(found)
    if data is None or smap is None:
        return None, smap
    try:
        return model.model_validate(data), smap
    except ValidationError as exc:
        problems.extend(_problem(err, data, smap, model) for err in exc.errors())
        return None, smap


def _problem(err: ErrorDetails, data: Any, smap: SourceMap, model: type[BaseModel]) -> Problem:
    """Map a pydantic error to the data path the user wrote (dropping union tags)."""
    path = _data_path(err["loc"], data)
    kind = err["type"]
    if kind == "extra_forbidden":
        return smap.problem(path, unknown_field(model, err["loc"]), key=True)
    if kind == "missing":
        line, col = smap.locate(path)
        field = ".".join(str(p) for p in (*path, err["loc"][-1]))
        return Problem(smap.file, line, col, field, "required field is missing")
    return smap.problem(path, _message(err))


def unknown_field(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """`unknown field`, with the closest known field of that place when one is close."""
    known = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), sorted(known), n=1)
    return f"unknown field, did you mean `{close[0]}`?" if close else "unknown field"


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> set[str]:
    """The field names of the model(s) at `loc` (a union's members, a dict's or list's items:
    pydantic's loc names the union tag or the index, which is skipped)."""
    kinds: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for kind in _unwrap(kinds):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                field = kind.model_fields.get(str(part))
                following += [field.annotation] if field else []
            elif get_origin(kind) in {dict, list}:
                following.append(get_args(kind)[-1])
        kinds = following or kinds  # a union tag in loc: stay where we are
    return {
        name
        for kind in _unwrap(kinds)
        if isinstance(kind, type) and issubclass(kind, BaseModel)
        for name in kind.model_fields
    }


def _unwrap(kinds: list[Any]) -> list[Any]:
    """Unions and `Annotated[...]` opened up to the types inside."""
    out: list[Any] = []
    for kind in kinds:
        if get_origin(kind) is Annotated:
            out += _unwrap([get_args(kind)[0]])
        elif get_origin(kind) in {Union, UnionType}:
            out += _unwrap(list(get_args(kind)))
        else:
            out.append(kind)
    return out


def _data_path(loc: tuple[int | str, ...], data: Any) -> DataPath:
    """Keep the loc segments that exist in the file; the rest are union tags pydantic adds."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]  # type: ignore[index]
        else:
            continue
        out.append(part)
    return tuple(out)


def _message(err: ErrorDetails) -> str:
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if err["type"] == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern")), f"does not match {ctx.get('pattern')}")
        return f"{value!r} {hint}"
    if (
        err["type"] == "string_type"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return f"expected a string, YAML read the number {value!r}: quote it"
    if err["type"] == "union_tag_invalid":
        return f"type {ctx.get('tag')!r} is not one of {ctx.get('expected_tags')}"
    if err["type"] in {"int_type", "bool_type", "str_type"} and isinstance(value, float):
        return f"YAML read {value!r} as a decimal number: quote it to keep it as written"
    return str(err["msg"])

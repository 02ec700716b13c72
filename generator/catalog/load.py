"""load_catalog(dir) -> Catalog: every error of every file, located and sorted, at once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator import parallel
from generator.catalog.credentials import credential_problems
from generator.catalog.models import CONFIG_KEY, DNS_LABEL, ENV_KEY, Platform, Service
from generator.catalog.rules import name_collisions, platform_problems, service_problems
from generator.catalog.rules_isolation import isolation_problems
from generator.catalog.rules_vault import vault_problems
from generator.catalog.source import (
    DataPath,
    DeferredSourceMap,
    SourceMap,
    YamlFileError,
    load_yaml_bytes,
)
from generator.errors import CatalogError, Problem

PLATFORM_FILE = "platform.yaml"
SERVICES_DIR = "services"
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
    problems: list[Problem] = []
    display = label if label is not None else display_root(root)
    platform, psmap = _load_model(
        root / PLATFORM_FILE, f"{display}{PLATFORM_FILE}", Platform, problems
    )
    if platform is not None and psmap is not None:
        problems.extend(platform_problems(platform, psmap))
    services: dict[str, Service] = {}
    smaps: dict[str, SourceMap] = {}
    sources = {"": PLATFORM_FILE}
    service_dir = root / SERVICES_DIR
    files = _service_files(service_dir, f"{display}{SERVICES_DIR}", problems)
    files = sorted({*files, *(service_dir / name for name in extra or {})})
    for path, service, smap, found in _read_services(files, display, platform, extra or {}):
        problems.extend(found)
        if service is None or smap is None:
            continue
        if service.name in services:
            problems.append(smap.problem(("name",), f"duplicate service name {service.name!r}"))
        services[service.name] = service
        smaps[service.name] = smap
        sources[service.name] = f"{SERVICES_DIR}/{path.name}"
    if platform is not None and psmap is not None:
        problems.extend(name_collisions(platform, services, smaps))
        problems.extend(vault_problems(platform, psmap, services, smaps))
        problems.extend(isolation_problems(platform, psmap, services, smaps))
    if problems:
        raise CatalogError(problems)
    assert platform is not None
    ordered = tuple(services[name] for name in sorted(services))
    templates = Path(os.path.normpath(root / ".." / platform.templatesPath))
    return Catalog(platform=platform, services=ordered, sources=sources, templates=templates)


Read = tuple[Path, Service | None, SourceMap | None, list[Problem]]
PARALLEL_FILES = 400  # below this many service files a second reader costs more than it wins


def _read_services(
    files: list[Path], display: str, platform: Platform | None, extra: dict[str, bytes]
) -> list[Read]:
    """Each file parsed, validated and checked on its own, in file order; for a large catalog
    the second half in a forked reader (the per-file work is most of a load)."""

    def read(part: list[Path], deferred: bool = False) -> list[Read]:
        out = []
        for file in part:
            path, service, smap, problems, raw = _read_service(file, display, platform, extra)
            if deferred and smap is not None and raw is not None:
                smap = DeferredSourceMap(smap.file, raw)
            out.append((path, service, smap, problems))
        return out

    if not parallel.worth_it(len(files), minimum=PARALLEL_FILES):
        return read(files)
    half = len(files) // 2
    pending = parallel.start(lambda _parent: read(files[half:], deferred=True))
    try:
        first = read(files[:half])
    finally:
        second = pending()  # never leave the reader running (nor its error unraised)
    return first + second


def _read_service(
    path: Path, display: str, platform: Platform | None, extra: dict[str, bytes]
) -> tuple[Path, Service | None, SourceMap | None, list[Problem], bytes | None]:
    """One service file: its model, positions and problems, and the bytes they came from."""
    shown = f"{display}{SERVICES_DIR}/{path.name}"
    problems: list[Problem] = []
    raw = extra.get(path.name)
    if raw is None and (path.suffix != ".yaml" or not path.is_file()):
        if path.suffix == ".yml":
            problems.append(Problem(shown, 1, 1, "", "service files end in .yaml"))
        elif path.suffix == ".yaml":
            problems.append(Problem(shown, 1, 1, "", _not_a_file(path)))
        return path, None, None, problems, None
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(shown, 1, 1, "", f"cannot read: {exc.strerror or exc}"))
            return path, None, None, problems, None
    service, smap = _load_model(path, shown, Service, problems, raw)
    if service is not None and smap is not None:
        problems.extend(service_problems(service, path.stem, platform, smap))
    return path, service, smap, problems, raw


def _service_files(folder: Path, shown: str, problems: list[Problem]) -> list[Path]:
    """The entries of services/. A folder that exists but cannot be listed is an error: read
    as empty, it would make the render remove every service."""
    if not os.path.lexists(folder):
        return []
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        what = "a dangling symlink" if not folder.exists() else exc.strerror or "unreadable"
        problems.append(Problem(shown, 1, 1, "", f"cannot list the services folder: {what}"))
        return []


def _not_a_file(path: Path) -> str:
    """Why a service file cannot be read: it is an error, never a removal of the service."""
    if path.is_dir():
        return "a folder, not a service file"
    if path.is_symlink() and not path.exists():
        return f"dangling symlink (points to {path.readlink()}): fix or remove it"
    return "not a regular file: a service file must be a readable YAML file"


def display_root(root: Path) -> str:
    text = root.as_posix()
    return "" if text in {"", "."} else text.rstrip("/") + "/"


def _load_model(
    path: Path, shown: str, model: type[M], problems: list[Problem], raw: bytes | None = None
) -> tuple[M | None, SourceMap | None]:
    if raw is None and not path.is_file():
        problems.append(Problem(shown, 1, 1, "", "file not found"))
        return None, None
    try:
        data, smap = load_yaml_bytes(path.read_bytes() if raw is None else raw, shown)
    except OSError as exc:
        problems.append(Problem(shown, 1, 1, "", f"cannot read: {exc.strerror or exc}"))
        return None, None
    except YamlFileError as exc:
        problems.append(exc.problem)
        return None, None
    if not isinstance(data, dict):
        problems.append(Problem(shown, 1, 1, "", "the file must hold a mapping of fields"))
        return None, None
    leaks = credential_problems(data, smap)
    if leaks:
        problems.extend(leaks)
        return None, smap
    try:
        return model.model_validate(data), smap
    except ValidationError as exc:
        problems.extend(_problem(err, data, smap) for err in exc.errors())
        return None, smap


def _problem(err: ErrorDetails, data: Any, smap: SourceMap) -> Problem:
    """Map a pydantic error to the data path the user wrote (dropping union tags)."""
    path = _data_path(err["loc"], data)
    kind = err["type"]
    if kind == "extra_forbidden":
        return smap.problem(path, "unknown field", key=True)
    if kind == "missing":
        line, col = smap.locate(path)
        field = ".".join(str(p) for p in (*path, err["loc"][-1]))
        return Problem(smap.file, line, col, field, "required field is missing")
    return smap.problem(path, _message(err))


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

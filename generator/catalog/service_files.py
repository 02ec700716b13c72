"""One catalog file read and parsed, before any model: bytes, YAML with positions, and the
credential check."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator import concurrency
from generator.catalog.credentials import credential_problems
from generator.catalog.source import DeferredSourceMap, SourceMap, YamlFileError, load_yaml_bytes
from generator.errors import Problem

SERVICES_DIR = "services"

# (the file's bytes, its mapping, its positions, its problems); the mapping is None when the
# file cannot become a model, the bytes when it could not be read.
Parsed = tuple[bytes | None, dict[str, Any] | None, SourceMap | None, list[Problem]]


def display_root(root: Path) -> str:
    text = root.as_posix()
    return "" if text in {"", "."} else text.rstrip("/") + "/"


def service_files(folder: Path, shown: str, problems: list[Problem]) -> list[Path]:
    """The entries of services/, sorted. A folder that exists but cannot be listed is an
    error: read as empty, it would make the render remove every service."""
    if not os.path.lexists(folder):
        return []
    try:
        return sorted(folder.iterdir(), key=by_name)
    except OSError as exc:
        what = "a dangling symlink" if not folder.exists() else exc.strerror or "unreadable"
        problems.append(Problem(shown, 1, 1, "", f"cannot list the services folder: {what}"))
        return []


def by_name(path: Path) -> str:
    """The sort key of the entries of one folder: a string sort, the same on every platform
    (a `Path` compares case-insensitively on Windows, and slowly)."""
    return path.name


PARALLEL_FILES = 400  # below this a worker process costs more than it wins


def parse_services(paths: Sequence[Path], display: str, extra: Mapping[str, bytes]) -> list[Parsed]:
    """Every entry of services/ parsed, in order. A large catalog's files are parsed in
    shares beside this process (`concurrency`): parsing is most of a catalog's load, and a
    file's parse needs nothing from the others. What comes back is the file's bytes, its
    mapping and its problems; its positions are read again from the bytes only to locate a
    problem (`DeferredSourceMap`), so none travel between processes."""
    shares = concurrency.jobs() if len(paths) >= PARALLEL_FILES else 1
    step = max(1, -(-len(paths) // shares))
    tasks = [
        functools.partial(_parse_share, paths[i : i + step], display, extra)
        for i in range(0, len(paths), step)
    ]
    done = concurrency.run(tasks, units=len(paths), minimum=PARALLEL_FILES)
    return [parsed for share in done for parsed in share]


def _parse_share(paths: Sequence[Path], display: str, extra: Mapping[str, bytes]) -> list[Parsed]:
    return [_deferred(parse_service(path, display, extra)) for path in paths]


def _deferred(parsed: Parsed) -> Parsed:
    """The parse with its positions kept as the file's bytes (parsed again if ever needed)."""
    raw, data, smap, problems = parsed
    if raw is None or smap is None or isinstance(smap, DeferredSourceMap):
        return parsed
    return raw, data, DeferredSourceMap(smap.file, raw), problems


def parse_service(path: Path, display: str, extra: Mapping[str, bytes]) -> Parsed:
    """One entry of services/ (or of `extra`, a file not on disk yet), parsed."""
    shown = f"{display}{SERVICES_DIR}/{path.name}"
    raw = extra.get(path.name)
    if raw is None and (path.suffix != ".yaml" or not path.is_file()):
        if path.suffix == ".yml":
            return None, None, None, [Problem(shown, 1, 1, "", "service files end in .yaml")]
        if path.suffix == ".yaml":
            return None, None, None, [Problem(shown, 1, 1, "", _not_a_file(path))]
        return None, None, None, []
    if raw is None:  # a file, just seen: read here, not looked at again
        read = _read(path, shown)
        if isinstance(read, Problem):
            return None, None, None, [read]
        raw = read
    return parse_file(path, shown, raw, located=False)


def parse_file(path: Path, shown: str, raw: bytes | None = None, *, located: bool = True) -> Parsed:
    """A YAML file that must hold a mapping without credentials in it. `located` False: its
    positions are parsed again from its bytes when first looked up (`load_yaml_bytes`)."""
    if raw is None:
        if not path.is_file():
            return None, None, None, [Problem(shown, 1, 1, "", "file not found")]
        read = _read(path, shown)
        if isinstance(read, Problem):
            return None, None, None, [read]
        raw = read
    try:
        data, smap = load_yaml_bytes(raw, shown, located=located)
    except YamlFileError as exc:
        return raw, None, None, [exc.problem]
    if not isinstance(data, dict):
        problem = Problem(shown, 1, 1, "", "the file must hold a mapping of fields")
        return raw, None, None, [problem]
    leaks = credential_problems(data, smap)
    return raw, (None if leaks else data), smap, leaks


def _read(path: Path, shown: str) -> bytes | Problem:
    try:
        return path.read_bytes()
    except OSError as exc:
        return Problem(shown, 1, 1, "", f"cannot read: {exc.strerror or exc}")


def _not_a_file(path: Path) -> str:
    """Why a service file cannot be read: it is an error, never a removal of the service."""
    if path.is_dir():
        return "a folder, not a service file"
    if path.is_symlink() and not path.exists():
        return f"dangling symlink (points to {path.readlink()}): fix or remove it"
    return "not a regular file: a service file must be a readable YAML file"

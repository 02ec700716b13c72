"""Service files parsed by two processes that meet in the middle.

A forked reader parses from the last file down while the main process works up from the
first; each claims a chunk in a shared two-slot counter before parsing it and stops where
the other's claim begins. `render` and `check` start the reader before importing the rest of
the tool (about 0.15 s on one core), so at 1,000 services it first compiles the built-in
templates (`templating/precompiled.py`) and still parses most files before the main process
asks for them; for 10,000 the two share the rest. Claims only balance the work: whatever the
timing, the main process parses any file neither side took and keeps one result where both
did, so every file is read once into the result.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from generator import parallel
from generator.catalog.service_files import (
    SERVICES_DIR,
    Parsed,
    display_root,
    parse_service,
    service_files,
)
from generator.catalog.source import DeferredSourceMap

if TYPE_CHECKING:
    from generator.templating.precompiled import Compiled

PARALLEL_FILES = 400  # below this many service files a second reader costs more than it wins
CHUNK = 16  # files per claim: small enough that the last one to finish waits little
_SLOT = struct.Struct("q")
_DOWN, _UP = 0, _SLOT.size  # the reader's lowest claim; the main process's claimed end

Key = tuple[str, str, tuple[str, ...]]
_early: list[tuple[Key, Callable[[], list[Parsed]]]] = []  # the one reader started early


def start_early(root: Path) -> None:
    """Begin parsing `root`'s service files now (best effort: a problem is left for the load
    to report)."""
    display = display_root(root)
    files = service_files(root / SERVICES_DIR, "", [])
    if not _early and parallel.worth_it(len(files), minimum=PARALLEL_FILES):
        with contextlib.suppress(OSError):  # no process to spare: the load reads them itself
            _early.append((_key(root, display, files), _meet(files, display, {})))


def parse_all(
    root: Path, files: list[Path], display: str, extra: Mapping[str, bytes]
) -> list[Parsed]:
    """Every file parsed, in order: by the early reader when it read these very files."""
    if _early:
        key, finish = _early.pop()
        parsed = finish()  # also when unused: the reader never outlives this call
        if not extra and key == _key(root, display, files):
            return parsed
    if parallel.worth_it(len(files), minimum=PARALLEL_FILES):
        return _meet(files, display, extra)()
    return [parse_service(file, display, extra) for file in files]


def _key(root: Path, display: str, files: list[Path]) -> Key:
    return (os.fspath(root), display, tuple(map(os.fspath, files)))


def _meet(
    files: list[Path], display: str, extra: Mapping[str, bytes]
) -> Callable[[], list[Parsed]]:
    """Fork the reader now; the returned function does the main process's part and joins."""
    claims = mmap.mmap(-1, 2 * _SLOT.size)  # anonymous and shared with the child
    _SLOT.pack_into(claims, _DOWN, len(files))

    def down(parent: int) -> tuple[int, list[Parsed], Compiled]:
        compiled = _precompile()
        chunks: list[list[Parsed]] = []
        high = len(files)
        while high > 0 and not parallel.parent_gone(parent):
            low = max(0, high - CHUNK)
            _SLOT.pack_into(claims, _DOWN, low)
            low = max(low, _SLOT.unpack_from(claims, _UP)[0])
            if low >= high:
                break
            chunks.append([_deferred(parse_service(f, display, extra)) for f in files[low:high]])
            high = low
        parsed = [parsed for chunk in reversed(chunks) for parsed in chunk]
        return high, parsed, compiled

    pending = parallel.start(down)

    def up() -> list[Parsed]:
        mine: list[Parsed] = []
        try:
            while True:
                end = min(len(mine) + CHUNK, len(files))
                _SLOT.pack_into(claims, _UP, end)
                end = min(end, _SLOT.unpack_from(claims, _DOWN)[0])
                if len(mine) >= end:
                    break
                mine.extend(parse_service(f, display, extra) for f in files[len(mine) : end])
        finally:
            low, theirs, compiled = pending()  # never leave the reader running (nor its error)
        _install(compiled)
        gap = [parse_service(f, display, extra) for f in files[len(mine) : low]]
        return mine + gap + theirs[max(0, len(mine) - low) :]

    return up


def _precompile() -> Compiled:
    """The templates the main process will render with, compiled while it still imports
    (it parses more of the files meanwhile: the claims balance that). Best effort: on any
    failure the main process compiles, and reports a broken template where it renders it."""
    try:
        from generator.templating.engine import precompile  # jinja2: not before the fork

        return precompile()
    except Exception:
        return {}


def _install(compiled: Compiled) -> None:
    if compiled:
        from generator.templating.precompiled import install

        install(compiled)


def _deferred(parsed: Parsed) -> Parsed:
    """What crosses back: the bytes instead of every position (see DeferredSourceMap)."""
    raw, data, smap, problems = parsed
    if data is not None and raw is not None and smap is not None:
        smap = DeferredSourceMap(smap.file, raw)
    return raw, data, smap, problems

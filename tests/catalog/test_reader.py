"""The two readers that meet in the middle: every file once, in order, whatever the timing."""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog import reader
from generator.catalog.load import load_catalog
from generator.catalog.service_files import Parsed, parse_service
from tests.conftest import SERVICE

NAMES = [f"svc-{i:02d}" for i in range(40)]


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")
    monkeypatch.setattr(reader, "CHUNK", 3)


def _names(parsed: list[Parsed]) -> list[str]:
    return [data["name"] for _, data, _, _ in parsed if data is not None]


def _files(make_catalog: Callable[..., Path]) -> tuple[Path, list[Path]]:
    catalog = make_catalog({name: SERVICE.format(name=name) for name in NAMES})
    return catalog, sorted((catalog / "services").iterdir())


def _slow_in(pid_test: Callable[[int], bool], parent: int) -> Callable[..., Parsed]:
    def parse(*args: object) -> Parsed:
        if pid_test(parent):
            time.sleep(0.005)
        return parse_service(*args)  # type: ignore[arg-type]

    return parse


@pytest.mark.parametrize("slow", ["reader", "main", "neither"])
def test_every_file_once_in_order_whoever_is_slow(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, forked: None, slow: str
) -> None:
    catalog, files = _files(make_catalog)
    me = os.getpid()
    tests = {"reader": lambda p: os.getpid() != p, "main": lambda p: os.getpid() == p}
    monkeypatch.setattr(reader, "parse_service", _slow_in(tests.get(slow, lambda _: False), me))
    parsed = reader.parse_all(catalog, files, f"{catalog}/", {})
    assert _names(parsed) == NAMES


class _Blind:
    """A claims counter where one side reads a fixed value: forces a gap or an overlap."""

    def __init__(self, side: int, value: Callable[[int], int], parent: int) -> None:
        self.real, self.side, self.value, self.parent = struct.Struct("q"), side, value, parent
        self.size = self.real.size

    def pack_into(self, buf: bytearray, offset: int, v: int) -> None:
        self.real.pack_into(buf, offset, v)

    def unpack_from(self, buf: bytearray, offset: int) -> tuple[int]:
        reader_process = os.getpid() != self.parent
        if offset == self.side and reader_process == (self.side == reader._UP):
            return (self.value(len(NAMES)),)
        return self.real.unpack_from(buf, offset)


@pytest.mark.parametrize(
    ("side", "value", "what"),
    [
        (reader._UP, lambda n: n, "the reader thinks the main process took all: a gap"),
        (reader._DOWN, lambda n: n, "the main process never sees the reader: an overlap"),
        (reader._UP, lambda n: 0, "the reader never sees the main process: an overlap"),
    ],
)
def test_a_missed_or_stale_claim_still_gives_every_file_once(
    make_catalog: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    forked: None,
    side: int,
    value: Callable[[int], int],
    what: str,
) -> None:
    catalog, files = _files(make_catalog)
    monkeypatch.setattr(reader, "_SLOT", _Blind(side, value, os.getpid()))
    assert _names(reader.parse_all(catalog, files, f"{catalog}/", {})) == NAMES, what


def test_the_early_reader_is_used_only_for_the_files_it_read(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, forked: None
) -> None:
    catalog, _ = _files(make_catalog)
    reader.start_early(catalog)
    assert len(reader._early) == 1
    assert [s.name for s in load_catalog(catalog).services] == NAMES
    assert not reader._early  # taken: never left running

    reader.start_early(catalog)  # then a file is added before the load
    (catalog / "services" / "svc-zz.yaml").write_text(SERVICE.format(name="svc-zz"))
    assert [s.name for s in load_catalog(catalog).services] == [*NAMES, "svc-zz"]

    reader.start_early(catalog)  # a load with a file not on disk yet reads again too
    extra = {"svc-new.yaml": SERVICE.format(name="svc-new").encode()}
    names = [s.name for s in load_catalog(catalog, extra=extra).services]
    assert names == [*NAMES, "svc-new", "svc-zz"]
    assert not reader._early

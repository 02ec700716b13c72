"""A large catalog's service files are parsed in shares beside this process: the catalog and
every problem, located, are what one process reads."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from generator import concurrency
from generator.catalog import service_files
from generator.catalog.load import load_catalog
from generator.errors import CatalogError
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM

BROKEN = {
    "s003": "name: s003\nowner: team-a\nimage: {repository: r, tag: v1}\nreplicas: many\n",
    "s005": "name: s005\nowner: [unclosed\n",
    "s006": "name: s006\nowner: team-a\nimage: {repository: r, tag: v1}\ncolour: red\n",
}


def _load(catalog: Path) -> tuple[Any, list[str]]:
    try:
        return load_catalog(catalog), []
    except CatalogError as exc:
        return None, [str(p) for p in exc.problems]


@pytest.mark.parametrize("broken", [False, True])
def test_shares_parse_what_one_process_parses(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, broken: bool
) -> None:
    services = {f"s{i:03d}": SERVICE.format(name=f"s{i:03d}") for i in range(8)}
    catalog = make_catalog({**services, **(BROKEN if broken else {})}, SERVICE_SCOPE_PLATFORM)
    monkeypatch.setattr(service_files, "PARALLEL_FILES", 2)
    monkeypatch.setenv(concurrency.ENV_VAR, "1")
    alone = _load(catalog)
    parsers: list[int] = []
    real = service_files._parse_share

    def share(paths: Sequence[Path], display: str, extra: Any) -> Any:
        parsers.append(os.getpid())  # kept only where it ran: here, or in a worker's copy
        return real(paths, display, extra)

    monkeypatch.setattr(service_files, "_parse_share", share)
    monkeypatch.setenv(concurrency.ENV_VAR, "2")
    shared = _load(catalog)
    if concurrency.can_fork():
        assert parsers == [os.getpid()]  # one share here, the other in a worker
    assert shared[1] == alone[1]
    assert (shared[1] != []) == broken
    if not broken:
        assert shared[0].services == alone[0].services
        assert shared[0].sources == alone[0].sources
    else:  # located in the right file and line, not at a share's first file
        assert any("services/s003.yaml:4:11: replicas:" in line for line in shared[1]), shared[1]
        assert any("services/s006.yaml:4:1: colour:" in line for line in shared[1])

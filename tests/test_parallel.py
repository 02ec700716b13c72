"""The forked worker: its result, its exception and its death all reach the parent."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import parallel
from generator.catalog.load import Catalog, load_catalog
from generator.errors import CatalogError, OutputError, Problem
from tests.conftest import SERVICE


def test_a_result_comes_back_whole() -> None:
    big = {f"kustomize/svc-{i}/base/x.yaml": "a: b\n" * 50 for i in range(2000)}
    assert parallel.start(lambda parent: (parent, big))() == (os.getpid(), big)


def test_a_user_error_comes_back_with_its_problems() -> None:
    problem = Problem("rendered/x", 1, 1, "output", "a file stands where a generated folder goes")

    def fail(_parent: int) -> None:
        raise OutputError([problem])

    with pytest.raises(OutputError) as caught:
        parallel.start(fail)()
    assert caught.value.problems == [problem]


def test_a_killed_worker_is_an_error_not_a_hang() -> None:
    def die(_parent: int) -> None:
        os._exit(9)

    with pytest.raises(RuntimeError, match="died without a result"):
        parallel.start(die)()


def test_jobs_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITOPS_GEN_JOBS", "1")
    assert not parallel.worth_it(10**6, minimum=1)
    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")
    assert parallel.worth_it(0, minimum=1)
    monkeypatch.delenv("GITOPS_GEN_JOBS")
    assert not parallel.worth_it(199, minimum=200)
    assert parallel.worth_it(200, minimum=200) == ((os.cpu_count() or 1) > 1)


def test_a_result_that_cannot_be_pickled_is_an_error_not_a_cut_result() -> None:
    def unpicklable(_parent: int) -> list[object]:
        return ["x" * 100_000, lambda: None]  # the text streams out before the lambda fails

    with pytest.raises(RuntimeError, match="died without a result"):
        parallel.start(unpicklable)()


def _outcome(catalog: Path) -> Catalog | list[str]:
    try:
        return load_catalog(catalog)
    except CatalogError as exc:
        return [str(p) for p in exc.problems]


@pytest.mark.parametrize("case", ["valid", "broken", "collides"])
def test_a_forked_reader_loads_what_one_process_loads(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Both halves of the files: the same services in the same order, or the same errors,
    located alike (a cross-service rule locates with a position the reader sent back)."""
    names = [f"a-{i}" for i in range(6)]
    if case == "collides":  # sorts last: the forked half; its app takes the chart app's name
        names.append("acme-services")
    services = {name: SERVICE.format(name=name) for name in names}
    if case == "broken":  # one error in each half
        for name in ("a-1", "a-4"):
            services[name] += "replicas: many\n"
    catalog = make_catalog(services)
    monkeypatch.setenv("GITOPS_GEN_JOBS", "1")
    alone = _outcome(catalog)
    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")
    assert _outcome(catalog) == alone
    if case == "valid":
        assert isinstance(alone, Catalog) and len(alone.services) == len(services)
    elif case == "broken":
        assert isinstance(alone, list) and len(alone) == 2
        assert all("replicas" in line for line in alone)
    else:
        assert isinstance(alone, list) and len(alone) == 1
        assert alone[0].startswith(f"{catalog}/services/acme-services.yaml:1:7: name: ")

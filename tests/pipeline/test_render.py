"""A family that renders each service apart is rendered in slices of services, and the slices
merge into exactly the result of one pass."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import concurrency
from generator.catalog.load import load_catalog
from generator.pipeline import render as pipeline
from tests.conftest import (
    FIXTURE_NAMES,
    FIXTURES,
    REPO_CATALOG,
    SERVICE,
    SERVICE_SCOPE_PLATFORM,
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_slices_render_what_one_pass_renders(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    catalog = load_catalog(
        make_catalog(
            {f"s{i}": SERVICE.format(name=f"s{i}") for i in range(7)}, SERVICE_SCOPE_PLATFORM
        )
    )
    monkeypatch.setenv(concurrency.ENV_VAR, jobs)
    monkeypatch.setattr(pipeline, "PARALLEL_SERVICES", 1)
    whole = pipeline.render_all(catalog)
    monkeypatch.setattr(pipeline, "SLICE", 3)  # 7 services: slices of 3, 3 and 1
    sliced = pipeline.render_all(catalog)
    assert sliced.trees == whole.trees
    assert list(sliced.trees["out"]) == list(whole.trees["out"])  # the same order too
    for a, b in zip(sliced.results, whole.results, strict=True):
        # `applications` compare by identity (an `Application` is eq=False)
        fields = [f.name for f in dataclasses.fields(a) if f.name not in ("files", "applications")]
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields], a.family
    assert sliced.inventory.__dict__ == whole.inventory.__dict__


@pytest.mark.parametrize(
    "catalog", [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)], ids=lambda p: p.name
)
def test_any_task_may_be_a_workers_and_its_result_reads_the_same_here(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which tasks the worker takes depends on timing (both ends of one list): any task's
    result may have to travel back, pickled. Here the worker takes every task."""
    loaded = load_catalog(catalog)
    monkeypatch.setenv(concurrency.ENV_VAR, "1")
    here = pipeline.render_all(loaded)
    monkeypatch.setenv(concurrency.ENV_VAR, "2")
    monkeypatch.setattr(pipeline, "PARALLEL_SERVICES", 0)
    run = concurrency.run
    taken: list[int] = []

    def all_in_a_worker(tasks: list[Callable[[], object]], **options: object) -> list[object]:
        taken.append(len(tasks))
        return run(tasks, **{**options, "here": 0})  # type: ignore[arg-type]

    monkeypatch.setattr(concurrency, "run", all_in_a_worker)
    there = pipeline.render_all(loaded)
    assert taken, "the render went through the pool"
    assert there.trees == here.trees
    for a, b in zip(there.results, here.results, strict=True):
        # an `Application` compares by identity: its fields are compared instead
        assert [vars(app) for app in a.applications] == [vars(app) for app in b.applications]
        assert dataclasses.replace(a, applications=()) == dataclasses.replace(b, applications=())


def test_only_a_per_service_family_is_sliced(make_catalog: Callable[..., Path]) -> None:
    from generator.catalog.facts import Facts
    from generator.parts.family import Family

    facts = Facts(
        load_catalog(
            make_catalog(
                {f"s{i}": SERVICE.format(name=f"s{i}") for i in range(5)}, SERVICE_SCOPE_PLATFORM
            )
        )
    )
    apart = Family("apart", lambda f: None, per_service=True)  # type: ignore[arg-type,return-value]
    whole = Family("whole", lambda f: None)  # type: ignore[arg-type,return-value]
    original = pipeline.SLICE
    try:
        pipeline.SLICE = 2
        assert [len(f.services) for f in pipeline._slices(apart, facts)] == [2, 2, 1]
        assert [len(f.services) for f in pipeline._slices(whole, facts)] == [5]
    finally:
        pipeline.SLICE = original


def test_merging_slices_knows_every_field_of_a_family_result() -> None:
    """A field added to FamilyResult must be merged across slices too (`merge_results`)."""
    from generator.parts.result import FamilyResult

    merged = {
        "family", "files", "applications", "produced", "references", "problems",
        "origins", "cloud", "per_service",
    }  # fmt: skip
    assert {f.name for f in dataclasses.fields(FamilyResult)} == merged


def test_the_costliest_tasks_sit_at_either_end_and_the_cheapest_meet_in_the_middle() -> None:
    costs = [5, 40, 1, 30, 2, 20, 10]
    order = pipeline.both_ends(costs)
    assert sorted(order) == list(range(len(costs))), "every task once"
    assert {order[0], order[-1]} == {1, 3}, "the two costliest start either end"
    middle = order[len(order) // 2]
    assert costs[middle] == min(costs), "where the two ends meet, the cheapest task"
    walked_in = [costs[i] for i in order[: len(order) // 2 + 1]]
    assert walked_in == sorted(walked_in, reverse=True), "cheaper towards the middle"


def test_a_family_in_pieces_has_each_sunk_before_the_next_is_made(
    make_catalog: Callable[..., Path],
) -> None:
    """Terraform's env roots are large: no process may hold them all at once."""
    import gc
    import weakref

    from generator.catalog.facts import Facts
    from generator.parts.family import Family
    from generator.parts.result import CloudEffects, FamilyResult

    class Files(dict[str, str]):  # a dict that can be watched going away
        pass

    seen: list[str] = []
    alive: list[weakref.ref[Files]] = []

    def piece(env: str) -> FamilyResult:
        gc.collect()
        seen.append(f"make {env}, {sum(r() is not None for r in alive)} earlier alive")
        files = Files({f"{env}/a": env})
        alive.append(weakref.ref(files))
        return FamilyResult("toy", files, cloud=CloudEffects(terraform={env: f"{env}/a"}))

    def pieces(facts: Facts) -> Iterator[FamilyResult]:
        for env in ("dev", "prod"):
            yield piece(env)  # the generator holds no piece once it went

    def sink(result: FamilyResult) -> list[str]:
        seen.append(f"sink {sorted(result.files)}")
        return sorted(result.files)

    facts = Facts(load_catalog(make_catalog()))
    result, outcomes = pipeline._render(Family("toy", pieces), facts, sink)
    assert seen == [
        "make dev, 0 earlier alive",
        "sink ['dev/a']",
        "make prod, 0 earlier alive",
        "sink ['prod/a']",
    ]
    assert outcomes == [["dev/a"], ["prod/a"]]
    assert result.cloud.terraform == {"dev": "dev/a", "prod": "prod/a"}
    assert result.files == {}
    whole, _ = pipeline._render(Family("toy", pieces), facts, None)
    assert whole.files == {"dev/a": "dev", "prod/a": "prod"}

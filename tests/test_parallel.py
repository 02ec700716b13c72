"""The forked worker: its result, its exception and its death all reach the parent."""

from __future__ import annotations

import os

import pytest

from generator import parallel
from generator.errors import OutputError, Problem


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

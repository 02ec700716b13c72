"""The one room for concurrency: the same results in every mode, and a plain path where the
platform has no `fork` (or no `fcntl`)."""

from __future__ import annotations

import functools
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import concurrency
from generator.catalog.load import load_catalog
from generator.errors import Problem, UserError
from generator.pipeline import render as pipeline
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM


def pid() -> int:
    return os.getpid()


def test_workers_run_the_other_tasks_and_return_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, "3")
    here = os.getpid()
    found = concurrency.run([pid, pid, pid], units=10, minimum=1)
    assert found[0] == here
    assert here not in found[1:], "the other tasks ran in worker processes"


def slow_pid() -> int:
    time.sleep(0.05)  # long enough that no worker reaches the back of the list first
    return os.getpid()


def test_this_process_takes_tasks_from_the_back_until_it_meets_the_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, "2")
    here = os.getpid()
    found = concurrency.run([slow_pid] * 8, units=10, minimum=1, here=None)
    assert len(found) == 8
    assert found[-1] == here, "the last task is this process's first"
    assert found[0] != here, "the first task is the worker's"
    split = found.index(here)
    assert found[:split] == [found[0]] * split, "the worker took a run from the front"
    assert found[split:] == [here] * (8 - split), "this process took the rest, from the back"


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_no_task_waits_in_a_queue_for_a_busy_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool queues work ahead of its workers: a task handed out that way would wait for
    the worker's long first task while this process, done with its own, sat idle."""
    monkeypatch.setenv(concurrency.ENV_VAR, "2")
    here = os.getpid()
    long_first = functools.partial(pid_after, 1.0)
    short = functools.partial(pid_after, 0.05)  # the worker begins before this process is done
    found = concurrency.run([long_first] + [short] * 6, units=10, minimum=1, here=None)
    assert found[0] != here, "the worker took the first task"
    assert found[1:] == [here] * 6, "this process took every task the worker had not begun"


def test_from_the_back_a_workers_error_is_still_raised_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, "2")

    def fails() -> int:
        raise UserError([Problem("catalog/services/a.yaml", 3, 5, "port", "not a port")])

    with pytest.raises(UserError):
        concurrency.run([fails, slow_pid, slow_pid, slow_pid], units=10, minimum=1, here=None)


def test_a_failure_here_leaves_the_tasks_no_worker_began_undone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The error is what the command reports: the worker does not render on for nothing."""
    monkeypatch.setenv(concurrency.ENV_VAR, "2")

    def mark(index: int) -> int:
        (tmp_path / str(index)).touch()
        time.sleep(0.2)
        return index

    def fails() -> int:
        raise UserError([Problem("catalog/services/a.yaml", 3, 5, "port", "not a port")])

    tasks: list[Callable[[], int]] = [functools.partial(mark, i) for i in range(8)]
    with pytest.raises(UserError):
        concurrency.run([*tasks, fails], units=10, minimum=1, here=None)
    begun = sorted(int(p.name) for p in tmp_path.iterdir())
    assert len(begun) <= 3, f"the worker went on with {begun} after the failure"


@pytest.mark.parametrize(
    ("jobs", "units"),
    [("1", 10), ("2", 0)],  # one job; too little work to pay for a worker
)
def test_everything_runs_here_when_a_worker_does_not_pay(
    monkeypatch: pytest.MonkeyPatch, jobs: str, units: int
) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, jobs)
    assert concurrency.run([pid, pid], units=units, minimum=1) == [os.getpid()] * 2


def test_without_fork_everything_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, "2")
    monkeypatch.delattr(os, "fork")
    assert not concurrency.can_fork()
    assert concurrency.run([pid, pid], units=10, minimum=1) == [os.getpid()] * 2


def test_a_refused_fork_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ulimit -u` reached: the pool cannot start its worker, and the work is done here."""
    monkeypatch.setenv(concurrency.ENV_VAR, "2")

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    assert concurrency.run([pid, pid], units=10, minimum=1) == [os.getpid()] * 2


def test_a_workers_user_error_is_raised_here_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, "2")
    problem = Problem("catalog/services/a.yaml", 3, 5, "port", "not a port")

    def fails() -> int:
        raise UserError([problem])

    with pytest.raises(UserError) as caught:
        concurrency.run([pid, fails], units=10, minimum=1)
    assert caught.value.problems == [problem]


def test_the_flag_wins_over_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, "4")
    concurrency.set_jobs(1)
    try:
        assert concurrency.jobs() == 1
    finally:
        concurrency.set_jobs(None)
    assert concurrency.jobs() == 4


def test_a_bad_variable_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(concurrency.ENV_VAR, "two")
    with pytest.raises(UserError, match="'two' is not a positive whole number"):
        concurrency.jobs()


def test_typed_results_are_the_same_in_every_mode(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the worker rendered (Terraform inputs, the chart) reads back as what this process
    rendered: the typed results, not only the files."""
    services = {f"s{i}": SERVICE.format(name=f"s{i}") for i in range(3)}
    catalog = load_catalog(make_catalog(services, platform=SERVICE_SCOPE_PLATFORM))
    monkeypatch.setattr(pipeline, "PARALLEL_SERVICES", 0)
    seen = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv(concurrency.ENV_VAR, jobs)
        rendered = pipeline.render_all(catalog)
        seen[jobs] = (
            rendered.trees,
            rendered.results.terraform(),
            rendered.results.vault_grants(),
            sorted(rendered.results.per_service_files()),
            [(a.env, a.name, a.path) for a in rendered.results.applications()],
            rendered.inventory.produced,
        )
    assert seen["1"] == seen["2"]
    assert seen["1"][1], "the catalog has Terraform inputs to compare"


# A render in a fresh interpreter where the platform has neither `fork` nor `fcntl` (as on
# Windows): what `make portable` runs in CI.
WITHOUT_FORK = Path(__file__).resolve().parents[1] / "tools" / "without_fork.py"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_platform_without_fork_or_fcntl_renders_the_same_bytes(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    services = {f"s{i}": SERVICE.format(name=f"s{i}") for i in range(3)}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    outputs = {}
    for mode in ("default", "portable"):
        out = tmp_path / mode
        command = ["render", "--catalog", str(catalog), "--out", str(out / "rendered")]
        command += ["--workflows-dir", str(out / "wf")]
        launcher = [str(WITHOUT_FORK)] if mode == "portable" else ["-m", "generator"]
        argv = [sys.executable, *launcher, *command]
        env = {**os.environ, concurrency.ENV_VAR: "2"}
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        outputs[mode] = tree(out)
        check = subprocess.run(
            [*argv[: argv.index("render")], "check", *command[1:]],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr
    assert outputs["portable"] == outputs["default"]
    assert len(outputs["default"]) > 20


def test_the_rules_across_files_run_beside_the_render_and_stop_it_before_any_write(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`render` checks the catalog's rules across files while the worker begins: a problem
    there is reported as `validate` reports it (exit 2), and nothing reaches the output, not
    even what the worker was rendering (and staging) when the problem was found."""
    from generator.catalog import load
    from generator.errors import CatalogError
    from generator.output import engine
    from tests.output.test_write import render

    # three AWS services reading through one ClusterSecretStore: refused across files
    services = {f"s{i}": SERVICE.format(name=f"s{i}") for i in range(3)}
    catalog = make_catalog(services)
    with pytest.raises(CatalogError) as expected:
        load_catalog(catalog)
    monkeypatch.setattr(pipeline, "PARALLEL_SERVICES", 0)
    monkeypatch.setenv(concurrency.ENV_VAR, "2")
    ran: list[str] = []

    def read_slowly(root: Path) -> tuple[Any, Callable[[], None]]:
        found, across = load.read_catalog(root)

        def slow_across() -> None:
            ran.append("rules")
            time.sleep(0.3)  # the worker begins a task meanwhile
            across()

        return found, slow_across

    real_render = pipeline._render

    def render_slowly(*args: Any) -> Any:
        time.sleep(0.4)  # still rendering when the rules fail; then it stages its files
        return real_render(*args)

    monkeypatch.setattr(engine, "read_catalog", read_slowly)
    monkeypatch.setattr(pipeline, "_render", render_slowly)
    out = tmp_path / "rendered"
    code, output = render(catalog, out)
    for worker in multiprocessing.active_children():  # any the render left running
        worker.join(timeout=30)
    assert ran == ["rules"]
    assert code == 2
    assert output.splitlines() == [str(p) for p in expected.value.problems]
    assert not out.exists(), sorted(p.relative_to(out) for p in out.rglob("*"))

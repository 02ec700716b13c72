"""Files kept by the process that rendered them: the parent's reports, writes and checks see
exactly what they would see with every text in one process."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import held
from generator.errors import OutputError, Problem
from tests.conftest import SERVICE, run


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def keeper() -> Iterator[held.Held]:
    texts = {"a/x.txt": "x\n", "a/b/y.txt": "y\n"}
    value, handle = held.start(lambda: ("result", texts)).result()
    assert value == "result" and handle.paths == frozenset(texts)
    yield handle
    handle.close()


def test_texts_come_back_and_close_reaps_the_process(keeper: held.Held) -> None:
    assert keeper.texts(["a/x.txt", "not/kept.txt"]) == {"a/x.txt": "x\n"}
    assert keeper.texts(["a/x.txt"], head=1) == {"a/x.txt": "x"}  # a header is enough
    keeper.close()
    assert _gone(keeper.pid)
    keeper.close()  # twice is fine


def test_compare_over_there(keeper: held.Held, tmp_path: Path) -> None:
    base = tmp_path.as_posix()
    (tmp_path / "a").mkdir()
    (tmp_path / "a/x.txt").write_text("old\n")
    keeper.start_compare(base, {"a/x.txt"})
    assert keeper.finish_compare() == (["a/b/y.txt"], {"a/x.txt": "old\n"}, 0)
    (tmp_path / "a/x.txt").write_text("x\n")
    (tmp_path / "a/b").mkdir()
    (tmp_path / "a/b/y.txt").write_text("y\n")
    keeper.start_compare(base, {"a/x.txt", "a/b/y.txt"})
    assert keeper.finish_compare() == ([], {}, 2)


def test_the_keeper_writes_its_files_holding_the_lock_it_is_passed(
    keeper: held.Held, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock is the descriptor's: while the keeper writes with its copy, another run
    cannot take the folder, even after this process has let go of its own."""
    from generator import output_guard
    from generator.output_guard import locked

    monkeypatch.setattr(output_guard, "LOCK_WAIT", 0.1)
    out = tmp_path / "out"
    with locked(out) as lock:
        keeper.start_write(
            [(f"{out}/a", "x.txt", "a/x.txt"), (f"{out}/a/b", "y.txt", "a/b/y.txt")], lock
        )
        keeper.finish_write()
    assert (out / "a/x.txt").read_text() == "x\n" and (out / "a/b/y.txt").read_text() == "y\n"
    assert not list(out.rglob(".*"))  # no temp file left

    with locked(out) as lock:
        socket_copy = os.dup(lock)  # stands for the keeper's copy, kept past this run's end
    with pytest.raises(OutputError, match="another gitops-gen run"), locked(out):
        pass
    os.close(socket_copy)
    with locked(out):
        pass


def test_a_killed_keeper_is_an_error_not_a_hang(keeper: held.Held) -> None:
    os.kill(keeper.pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="died"):
        keeper.texts(["a/x.txt"])


def test_the_renderers_error_reaches_the_parent() -> None:
    problem = Problem("catalog/services/x.yaml", 3, 5, "name", "bad")

    def fail() -> tuple[str, dict[str, str]]:
        raise OutputError([problem])

    with pytest.raises(OutputError) as caught:
        held.start(fail).result()
    assert caught.value.problems == [problem]


@pytest.fixture
def rendered(make_catalog: Callable[..., Path], tmp_path: Path) -> tuple[Path, Path]:
    catalog = make_catalog({f"svc{i}": SERVICE.format(name=f"svc{i}") for i in range(4)})
    out = tmp_path / "rendered"
    assert run(["render", *_args(catalog, out)]).exit_code == 0
    return catalog, out


def _args(catalog: Path, out: Path) -> list[str]:
    """Every folder in the test's own: the workflows default to `.github/workflows` of the
    working directory, which is this repository's."""
    flows = out.parent / "workflows"
    return ["--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(flows)]


def _outputs(catalog: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Check (json, text) and a dry run, with the documents kept over there and without."""
    args = _args(catalog, out)
    seen: dict[str, str] = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("GITOPS_GEN_JOBS", jobs)
        seen[f"json{jobs}"] = run(["check", *args, "--format", "json"]).output
        seen[f"text{jobs}"] = run(["check", *args]).output
        seen[f"dry{jobs}"] = run(["render", *args, "--dry-run"]).output
    return seen


def test_drift_in_kept_files_is_reported_alike(
    rendered: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, out = rendered
    runbook = out / "runbooks/svc1.md"
    runbook.write_text(runbook.read_text().replace("svc1", "svc-one", 1))
    (out / "runbooks/svc2.md").unlink()
    values = next(out.glob("helm/*/values-prod.yaml"))
    values.write_text(values.read_text() + "# edited\n")
    seen = _outputs(catalog, out, monkeypatch)
    for kind in ("json", "text", "dry"):
        assert seen[f"{kind}1"] == seen[f"{kind}2"], kind
    files = {f["path"]: f for f in json.loads(seen["json2"])["files"]}
    assert files[runbook.as_posix()]["status"] == "changed"
    assert (
        "-" in files[runbook.as_posix()]["diff"] and "svc-one" in files[runbook.as_posix()]["diff"]
    )
    assert files[(out / "runbooks/svc2.md").as_posix()]["status"] == "missing"
    assert files[values.as_posix()]["status"] == "changed"


def test_a_render_with_kept_files_restores_them(
    rendered: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, out = rendered
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "runbooks/svc1.md").write_text("edited\n")
    (out / "runbooks/svc2.md").unlink()
    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")
    result = run(["render", *_args(catalog, out)])
    assert result.output.startswith("gitops-gen: 2 written,")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Forks forced; the pid of each documents process started, as it starts."""
    from generator import parallel

    pids: list[int] = []
    real = parallel.start_serving

    def recorded(serve: Callable[..., None]) -> tuple[int, Any, Any]:
        found = real(serve)
        pids.append(found[0])
        return found

    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")
    monkeypatch.setattr(parallel, "start_serving", recorded)
    return pids


def test_a_failure_here_lets_the_keeper_go(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, started: list[int]
) -> None:
    """The main process's own families fail after the documents process started: the error
    comes through, and the process keeping the documents is gone, not left waiting."""
    from generator.catalog.load import load_catalog
    from generator.render import argocd, pipeline

    catalog = load_catalog(make_catalog())

    def broken(*_args: object) -> None:
        raise ValueError("argocd broke")

    monkeypatch.setattr(argocd, "render", broken)
    with pytest.raises(ValueError, match="argocd broke"):
        pipeline.render_all(catalog, hold=True)
    assert len(started) == 1 and _gone(started[0])


def test_a_rule_across_services_fails_while_the_documents_render(
    make_catalog: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    started: list[int],
) -> None:
    """The rules across services run once the documents process has started: their error is
    the run's, located, nothing is written, and that process is stopped, not waited for."""
    from generator.render import runbook

    names = ["a-1", "a-2", "acme-services"]  # the last takes the chart app's name
    catalog = make_catalog({name: SERVICE.format(name=name) for name in names})

    def slow(*args: Any) -> Any:  # the documents process would render for a minute
        time.sleep(60)

    monkeypatch.setattr(runbook, "render", slow)
    begun = time.monotonic()
    result = run(["render", *_args(catalog, tmp_path / "rendered")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"{catalog}/services/acme-services.yaml:1:7: name: ")
    assert time.monotonic() - begun < 30
    assert len(started) == 1 and _gone(started[0])
    assert not (tmp_path / "rendered").exists()

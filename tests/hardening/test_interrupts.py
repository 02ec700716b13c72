"""SIGINT and SIGTERM during `render`: exit 130 / 143 with one line on stderr saying what was
left and that the next render completes it; never click's "Aborted!" and exit 1, never a
half-written file; the next render completes the tree and `check` is clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.output.manifest import MANIFEST
from generator.output.write import TMP_SUFFIX
from tests.conftest import run
from tests.hardening.test_crash import files_under, render_cmd, write_catalog

SERVICES = 30


def interrupted_render(
    catalog: Path, out: Path, wf: Path, signum: int, *, at: int = 0, call: str = "replace"
) -> tuple[int, str]:
    """`gitops-gen render` as the console script runs it (signal handlers installed), in a
    forked child of this warm process. It stops itself (SIGSTOP) just before its `at`-th
    `os.<call>` (a rename, an unlink), or once planned when 0; then it gets `signum` and goes
    on: the signal lands exactly there. Returns its exit code and stderr."""
    err = catalog.parent / f"stderr-{signum}-{at}"
    pid = os.fork()
    if pid == 0:
        try:
            _child(catalog, out, wf, err, (call, at))
        finally:
            os._exit(99)  # never back into pytest
    _, status = os.waitpid(pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), "the render ended before the point it was to stop at"
    os.kill(pid, signum)
    os.kill(pid, signal.SIGCONT)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err.read_text()


def _child(catalog: Path, out: Path, wf: Path, err: Path, gate: tuple[str, int]) -> None:
    from generator.cli import main
    from generator.output import engine, interrupts
    from generator.process import run_and_exit

    fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    sys.stderr = open(2, "w", closefd=False)  # pytest had replaced it
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a shell starts it (the runner may not)
    interrupts.install()
    me = os.getpid()
    call, at = gate
    if at:
        real, count = getattr(os, call), [0]

        def gated(*args: str, **kwargs: object) -> None:
            if os.getpid() == me:
                count[0] += 1
                if count[0] == at:
                    os.kill(me, signal.SIGSTOP)
            real(*args, **kwargs)

        setattr(os, call, gated)  # this forked child's only
    else:
        real_plan = engine.plan_for

        def planned(*args: object, **kwargs: object) -> object:
            plan = real_plan(*args, **kwargs)  # type: ignore[arg-type]
            os.kill(me, signal.SIGSTOP)
            return plan

        engine.plan_for = planned  # type: ignore[assignment]
    sys.argv = ["gitops-gen", *render_cmd(catalog, out, wf)[3:]]
    try:
        run_and_exit(main)
    except SystemExit as exc:  # leave with its code, never back into pytest
        sys.stderr.flush()
        os._exit(exc.code if isinstance(exc.code, int) else 1)


def fix(catalog: Path, out: Path, wf: Path) -> str:
    return f"gitops-gen render --catalog {catalog} --out {out} --workflows-dir {wf}"


@pytest.mark.parametrize(
    ("signum", "jobs"), [(signal.SIGTERM, "1"), (signal.SIGINT, "1"), (signal.SIGTERM, "2")]
)
def test_a_signal_while_writing_stops_with_one_line_and_the_next_render_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int, jobs: str
) -> None:
    monkeypatch.setenv("GITOPS_GEN_JOBS", jobs)
    cat_a = write_catalog(tmp_path / "a", SERVICES, "a")
    cat_b = write_catalog(tmp_path / "b", SERVICES, "b")
    out, wf = tmp_path / "rendered", tmp_path / "wf"
    subprocess.run(render_cmd(cat_a, out, wf), check=True, capture_output=True)
    old = files_under(out)
    subprocess.run(render_cmd(cat_b, out, wf), check=True, capture_output=True)
    new = files_under(out)
    subprocess.run(render_cmd(cat_a, out, wf), check=True, capture_output=True)
    code, stderr = interrupted_render(cat_b, out, wf, signum, at=SERVICES)
    name = signal.Signals(signum).name
    assert (code, stderr) == (
        128 + signum,
        f"gitops-gen: render interrupted by {name} while writing: the output may be incomplete "
        f"(no file is half-written); `{fix(cat_b, out, wf)}` completes it\n",
    )
    left = files_under(out)
    assert not [p for p in left if p.endswith(TMP_SUFFIX)], "a temp file: the stop cut a write"
    manifest = left.pop(MANIFEST)  # marked incomplete: the next render finishes the job
    assert b'\n "complete": false,' in manifest
    for path, data in left.items():  # every other file is the old one or the new one
        assert data in (old.get(path), new.get(path)), path
    done = subprocess.run(render_cmd(cat_b, out, wf), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert files_under(out) == new
    assert not list(tmp_path.rglob(f"*{TMP_SUFFIX}"))
    check = run(["check", "--catalog", str(cat_b), "--out", str(out), "--workflows-dir", str(wf)])
    assert check.exit_code == 0, check.output


def test_a_signal_during_a_delete_leaves_no_emptied_folder(tmp_path: Path) -> None:
    cat_a = write_catalog(tmp_path / "a", SERVICES, "a")
    cat_b = write_catalog(tmp_path / "b", SERVICES, "b")  # every 7th service renamed
    out, wf = tmp_path / "rendered", tmp_path / "wf"
    subprocess.run(render_cmd(cat_a, out, wf), check=True, capture_output=True)
    # just before the first folder a delete emptied is removed: the file is gone already
    code, _ = interrupted_render(cat_b, out, wf, signal.SIGTERM, at=1, call="rmdir")
    assert code == 143
    assert (out / "kustomize" / "new-000").is_dir()  # it had reached the deletes
    empty = [p for p in out.rglob("*") if p.is_dir() and not any(p.iterdir())]
    assert not empty, "a folder the delete emptied is left"
    assert (
        subprocess.run(render_cmd(cat_b, out, wf), capture_output=True, check=False).returncode == 0
    )
    assert not (out / "kustomize" / "svc-000").exists()


def test_a_signal_before_writing_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    cat_a = write_catalog(tmp_path / "a", SERVICES, "a")
    cat_b = write_catalog(tmp_path / "b", SERVICES, "b")
    out, wf = tmp_path / "rendered", tmp_path / "wf"
    subprocess.run(render_cmd(cat_a, out, wf), check=True, capture_output=True)
    before = files_under(tmp_path)
    code, stderr = interrupted_render(cat_b, out, wf, signal.SIGTERM)
    assert (code, stderr) == (
        143,
        "gitops-gen: render interrupted by SIGTERM before writing: the output is as it was; "
        f"`{fix(cat_b, out, wf)}` completes it\n",
    )
    after = files_under(tmp_path)
    assert {p: d for p, d in after.items() if not p.startswith("stderr-")} == before


def test_ctrl_c_is_exit_130_not_click_s_aborted(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the console script's handler (an embedding program), Ctrl-C reaches the
    command as KeyboardInterrupt: the same line and exit code."""
    from generator.output import engine

    def ctrl_c(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "apply_plan", ctrl_c)
    catalog = make_catalog()
    out, wf = catalog.parent / "rendered", catalog.parent / "wf"
    result = run(
        ["render", "--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(wf)]
    )
    assert (result.exit_code, result.stdout, result.stderr) == (
        130,
        "",
        "gitops-gen: render interrupted by SIGINT while writing: the output may be incomplete "
        f"(no file is half-written); `{fix(catalog, out, wf)}` completes it\n",
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_console_script_handles_the_signal_wherever_it_lands(
    tmp_path: Path, signum: int
) -> None:
    """A real process, signalled after a few delays: once started (the handlers are installed
    as the console script begins), it exits 128+N with one line, and the next render completes
    the tree. At least one signal must land in the run itself."""
    catalog = write_catalog(tmp_path / "c", SERVICES, "a")
    out, wf = tmp_path / "rendered", tmp_path / "wf"
    name = signal.Signals(signum).name
    began = time.monotonic()  # how long this machine takes to reach the handlers' install
    subprocess.run(
        [sys.executable, "-m", "generator", "--version"], check=True, capture_output=True
    )
    startup = time.monotonic() - began
    stopped = 0
    for delay in (startup * k for k in (2, 3, 4, 6, 8, 12)):
        proc = subprocess.Popen(
            render_cmd(catalog, out, wf),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
        )
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=120)
        if proc.returncode in (0, -signum):
            continue  # it had finished, or the interpreter was still starting: not ours yet
        stopped += 1
        assert proc.returncode == 128 + signum, stderr
        assert stderr.count("\n") == 1 and stderr.startswith("gitops-gen: "), stderr
        assert f"interrupted by {name}" in stderr and "Aborted" not in stderr
        done = subprocess.run(render_cmd(catalog, out, wf), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
        assert not list(tmp_path.rglob(f"*{TMP_SUFFIX}"))
    assert stopped, "no signal landed in a running render"

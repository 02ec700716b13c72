"""SIGKILL at random points of a render: never a half-written file, nothing touched outside,
and the next render restores a tree that `check` passes, with no temp file left."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.output.stage import STAGING
from generator.output.write import TMP_SUFFIX
from generator.pipeline.render import render_catalog

TRIALS = 100
PLATFORM = """\
system: crash
gitRepo: https://github.com/crash/gitops.git
environments: [{name: dev}, {name: prod, cluster: "https://prod.k8s.crash.internal", oidcProvider: oidc.example/id/PROD}]
aws: {region: eu-west-1, accountId: "111122223333", oidcProvider: oidc.example/id/X, secretStoreScope: service}
secretBackends:
  sm: {type: aws-secrets-manager, key: "{env}/{service}"}
  ssm: {type: aws-parameter-store, key: "/{system}/{env}/{service}/{key}"}
  vault: {type: vault, address: "http://vault:8200", key: "{env}/{service}/creds"}
"""


def write_catalog(root: Path, services: int, variant: str) -> Path:
    (root / "services").mkdir(parents=True)
    (root / "platform.yaml").write_text(PLATFORM)
    backends = ["sm", "ssm", "vault"]
    for i in range(services):
        name = f"svc-{i:03d}" if variant == "a" or i % 7 else f"new-{i:03d}"
        (root / "services" / f"{name}.yaml").write_text(
            f"name: {name}\nowner: t\nimage: {{repository: r/{name}, tag: v{variant}}}\n"
            f"config: {{MODE: {variant}, LONG: '{variant * 2000}'}}\n"
            f"secrets: {{backend: {backends[i % 3]}, keys: [DB_PASSWORD, TOKEN_{variant.upper()}]}}\n"
        )
    return root


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def render_cmd(catalog: Path, out: Path, wf: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator",
        "render",
        "--catalog",
        str(catalog),
        "--out",
        str(out),
        "--workflows-dir",
        str(wf),
    ]


def forked_render(catalog: Path, out: Path, wf: Path, stop_at: int = 0) -> int:
    """A render in a forked child of this already-warm process: kills land in real work.

    `stop_at`: the render stops itself (SIGSTOP) just before its `stop_at`-th file move,
    write or deletion, holding the folder lock, so the caller can kill it exactly there."""
    from generator.output import engine

    pid = os.fork()
    if pid == 0:
        try:
            if stop_at:
                _stop_before_operation(stop_at)
            with engine.staged_plan(catalog, out, wf) as plan:
                engine.apply_plan(plan, held=True)
        except BaseException:
            os._exit(3)
        os._exit(0)
    return pid


def _stop_before_operation(number: int) -> None:
    """In the render process only (a second writer it forks writes on). A write is stopped
    with its temp file complete and the rename to come: the most delicate point."""
    from generator.output import write

    me, done = os.getpid(), [0]
    real_replace, real_delete = os.replace, write._delete

    def gate() -> None:
        if os.getpid() == me:
            done[0] += 1
            if done[0] == number:
                os.kill(me, signal.SIGSTOP)

    def gated_replace(src: str, dst: str) -> None:
        gate()
        real_replace(src, dst)

    def gated_delete(root: Path, folder: str, name: str) -> None:
        gate()
        real_delete(root, folder, name)

    os.replace = gated_replace  # type: ignore[assignment]  # this forked child's only
    write._delete = gated_delete


def wait_stopped(pid: int) -> bool:
    """True once the child has stopped itself; False if it exited instead."""
    _, status = os.waitpid(pid, os.WUNTRACED)
    if os.WIFSTOPPED(status):
        return True
    assert os.waitstatus_to_exitcode(status) == 0
    return False


def wait_until_unlocked(folder: Path) -> None:
    """Take and drop the folder's lock: a writer left running holds it (through the inherited
    descriptor) until it exits. The bound only turns a hang into a failure."""
    import fcntl

    if not folder.exists():
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                assert time.monotonic() < deadline, "a killed run's writer never stopped"
                time.sleep(0.005)
    finally:
        os.close(fd)


def main_process_operations(cat_a: Path, cat_b: Path, out: Path, wf: Path) -> tuple[Path, int]:
    """The catalog whose render changes more here, and how many file writes it makes."""
    from generator.output import engine

    best: tuple[int, Path] = (-1, cat_a)
    for catalog in (cat_a, cat_b):
        plan = engine.plan_for(catalog, out, wf)
        writes = sum(len(r.create) + len(r.update) for r in plan.roots.values())
        best = max(best, (writes - 1, catalog))
    assert best[0] >= 1, "each trial must have writes to interrupt"
    return best[1], best[0]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigkill_at_random_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """jobs=2 forces the render's worker process: a kill of the main process never leaves a
    half-written file either way."""
    monkeypatch.setenv("GITOPS_GEN_JOBS", jobs)
    cat_a = write_catalog(tmp_path / "a", 40, "a")
    cat_b = write_catalog(tmp_path / "b", 40, "b")
    expected: dict[tuple[str, str], set[bytes]] = {}
    for cat in (cat_a, cat_b):
        for root, tree in render_catalog(load_catalog(cat)).items():
            for path, text in tree.items():
                expected.setdefault((root, str(path)), set()).add(text.encode())
    out, wf = tmp_path / "work" / "rendered", tmp_path / "work" / "wf"
    outside = tmp_path / "work" / "outside.txt"
    outside.parent.mkdir()
    outside.write_text("not ours\n")
    before_outside = files_under(tmp_path / "a") | files_under(tmp_path / "b")
    subprocess.run(render_cmd(cat_a, out, wf), check=True, capture_output=True)
    assert os.waitstatus_to_exitcode(os.waitpid(forked_render(cat_b, out, wf), 0)[1]) == 0
    rng = random.Random(20261125)
    killed = 0
    for trial in range(TRIALS):
        catalog, last = main_process_operations(cat_a, cat_b, out, wf)
        pid = forked_render(catalog, out, wf, stop_at=rng.randint(1, last))
        killed += wait_stopped(pid)
        os.kill(pid, signal.SIGKILL)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == -signal.SIGKILL, trial
        wait_until_unlocked(out)
        for root_name, folder in (("out", out), ("workflows", wf)):
            for rel, data in files_under(folder).items():
                name = rel.rsplit("/", 1)[-1]
                if name.endswith(TMP_SUFFIX):
                    continue  # a killed run's leftover: never visible under a real name
                # a killed run's staged files (the next render deletes the folder) are whole too
                shown = rel.removeprefix(f"{STAGING}/")
                if name == ".gitops-gen-manifest.json":
                    assert "files" in json.loads(data), trial
                    continue
                assert data in expected.get((root_name, shown), set()), (trial, root_name, rel)
        assert outside.read_text() == "not ours\n"
        assert sorted(p.name for p in outside.parent.iterdir()) == ["outside.txt", "rendered", "wf"]
    assert killed == TRIALS  # every run was killed in the middle of its writes
    assert files_under(tmp_path / "a") | files_under(tmp_path / "b") == before_outside
    final = subprocess.run(render_cmd(cat_b, out, wf), capture_output=True, text=True, check=False)
    assert final.returncode == 0, final.stderr
    check = subprocess.run(
        [*render_cmd(cat_b, out, wf)[:3], "check", *render_cmd(cat_b, out, wf)[4:]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout[-2000:]
    leftovers = list((tmp_path / "work").rglob(f"*{TMP_SUFFIX}"))
    assert leftovers == []


def check_cmd(catalog: Path, out: Path, wf: Path) -> list[str]:
    cmd = render_cmd(catalog, out, wf)
    return [*cmd[:3], "check", *cmd[4:]]


@pytest.mark.parametrize("second", ["gives-up", "waits"])
def test_two_renders_at_once_never_interleave(tmp_path: Path, second: str) -> None:
    """The first run is stopped mid-write, holding the lock, while the second starts: the
    second either gives up (exit 2, nothing written) or, with a long wait, waits for the lock
    (held from a render's first comparison with disk to its last write) and renders after
    the first finished. Either way the tree is exactly the last successful run's."""
    from generator.output import lock as output_guard

    cat_a = write_catalog(tmp_path / "a", 30, "a")
    cat_b = write_catalog(tmp_path / "b", 30, "b")
    out, wf = tmp_path / "rendered", tmp_path / "wf"
    subprocess.run(render_cmd(cat_b, out, wf), check=True, capture_output=True)
    first = forked_render(cat_a, out, wf, stop_at=20)
    assert wait_stopped(first)
    if second == "gives-up":
        before = files_under(out)
        done = subprocess.run(
            render_cmd(cat_b, out, wf), capture_output=True, text=True, check=False
        )
        assert done.returncode == 2
        assert done.stderr.endswith("another gitops-gen run is writing this folder; try again\n")
        assert files_under(out) == before
        winner = cat_a
    else:
        output_guard.LOCK_WAIT, wait = 3600.0, output_guard.LOCK_WAIT  # the forked render waits
        try:
            other = forked_render(cat_b, out, wf)
        finally:
            output_guard.LOCK_WAIT = wait
        time.sleep(0.5)
        assert os.waitpid(other, os.WNOHANG) == (0, 0), "the second run waits for the lock"
        winner = cat_b
    os.kill(first, signal.SIGCONT)
    assert os.waitstatus_to_exitcode(os.waitpid(first, 0)[1]) == 0
    if second == "waits":
        assert os.waitstatus_to_exitcode(os.waitpid(other, 0)[1]) == 0
    check = subprocess.run(check_cmd(winner, out, wf), capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout[-2000:]


def test_a_held_lock_refuses_with_a_clear_message(tmp_path: Path) -> None:
    import fcntl

    cat = write_catalog(tmp_path / "a", 2, "a")
    out = tmp_path / "rendered"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        done = subprocess.run(
            render_cmd(cat, out, tmp_path / "wf"), capture_output=True, text=True, check=False
        )
    finally:
        os.close(fd)
    assert done.returncode == 2
    assert (
        done.stderr == f"{out}: output: another gitops-gen run is writing this folder; try again\n"
    )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_symlink_inside_is_replaced_or_refused_never_followed(tmp_path: Path, where: str) -> None:
    cat_a = write_catalog(tmp_path / "a", 6, "a")
    cat_b = write_catalog(tmp_path / "b", 6, "b")
    out, wf = tmp_path / "rendered", tmp_path / "wf"
    subprocess.run(render_cmd(cat_a, out, wf), check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "externalsecret.yaml").write_text("outside\n")
    victim = out / "kustomize" / "svc-001" / "base"
    if where == "file":
        (victim / "externalsecret.yaml").unlink()
        os.symlink(elsewhere / "externalsecret.yaml", victim / "externalsecret.yaml")
    else:
        for p in victim.iterdir():
            p.unlink()
        victim.rmdir()
        os.symlink(elsewhere, victim)
    before = files_under(out)
    done = subprocess.run(render_cmd(cat_b, out, wf), capture_output=True, text=True, check=False)
    if where == "file":  # the link itself is replaced by the generated file, never written through
        assert done.returncode == 0, done.stderr
        assert not (victim / "externalsecret.yaml").is_symlink()
    else:
        assert done.returncode == 2 and "symlink" in done.stderr
        assert files_under(out) == before  # refused before the first write: nothing half-applied
    assert (elsewhere / "externalsecret.yaml").read_text() == "outside\n"

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
from generator.render.pipeline import render_catalog
from generator.write import TMP_SUFFIX

TRIALS = 100
PLATFORM = """\
system: crash
gitRepo: https://github.com/crash/gitops.git
environments: [{name: dev}, {name: prod, cluster: "https://prod.k8s.crash.internal"}]
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


def forked_render(catalog: Path, out: Path, wf: Path) -> int:
    """A render in a forked child of this already-warm process: kills land in real work."""
    from generator import engine

    pid = os.fork()
    if pid == 0:
        try:
            engine.apply_plan(engine.plan_for(catalog, out, wf))
        except BaseException:
            os._exit(3)
        os._exit(0)
    return pid


def seconds_until_unlocked(folder: Path) -> float:
    """How long until this process can take the folder's lock (a writer left running holds
    it through the inherited descriptor)."""
    import fcntl

    if not folder.exists():
        return 0.0
    start = time.perf_counter()
    fd = os.open(folder, os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return time.perf_counter() - start
            except BlockingIOError:
                if time.perf_counter() - start > 5:
                    return float("inf")
                time.sleep(0.001)
    finally:
        os.close(fd)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigkill_at_random_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """jobs=2 forces the forked render and the second writer: a kill of the main process
    also stops its writer, which must never leave a half-written file either."""
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
    start = time.perf_counter()
    assert os.waitstatus_to_exitcode(os.waitpid(forked_render(cat_b, out, wf), 0)[1]) == 0
    duration = time.perf_counter() - start
    rng = random.Random(20261125)
    killed = 0
    for trial in range(TRIALS):
        catalog = cat_a if trial % 2 == 0 else cat_b
        pid = forked_render(catalog, out, wf)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        os.kill(pid, signal.SIGKILL)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        killed += code == -signal.SIGKILL
        assert code in (0, -signal.SIGKILL), trial
        assert seconds_until_unlocked(out) < 0.5, trial  # a killed run's writer stops at once
        for root_name, folder in (("out", out), ("workflows", wf)):
            for rel, data in files_under(folder).items():
                name = rel.rsplit("/", 1)[-1]
                if name.endswith(TMP_SUFFIX):
                    continue  # a killed run's leftover: never visible under a real name
                if name == ".gitops-gen-manifest.json":
                    assert "files" in json.loads(data), trial
                    continue
                assert data in expected.get((root_name, rel), set()), (trial, root_name, rel)
        assert outside.read_text() == "not ours\n"
        assert sorted(p.name for p in outside.parent.iterdir()) == ["outside.txt", "rendered", "wf"]
    print(f"{TRIALS} trials, {killed} killed mid-run")
    assert killed >= TRIALS // 4, f"only {killed} runs were really killed mid-way"
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


def test_two_renders_at_once_never_interleave(tmp_path: Path) -> None:
    cat_a = write_catalog(tmp_path / "a", 30, "a")
    cat_b = write_catalog(tmp_path / "b", 30, "b")
    out, wf = tmp_path / "rendered", tmp_path / "wf"
    for _ in range(5):
        procs = [
            subprocess.Popen(
                render_cmd(c, out, wf), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for c in (cat_a, cat_b)
        ]
        results = [(p.wait(), p.stderr.read() if p.stderr else "") for p in procs]
        for code, err in results:
            assert code == 0 or (
                code == 2 and "another gitops-gen run is writing this folder" in err
            ), err
        winner = cat_b if results[1][0] == 0 and results[0][0] != 0 else None
        if winner is not None:
            check = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "generator",
                    "check",
                    "--catalog",
                    str(winner),
                    "--out",
                    str(out),
                    "--workflows-dir",
                    str(wf),
                ],
                capture_output=True,
                check=False,
            )
            assert check.returncode == 0


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
        done.stderr
        == f"{out}:1:1: output: another gitops-gen run is writing this folder; try again\n"
    )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_symlink_inside_is_refused_before_any_write(tmp_path: Path, where: str) -> None:
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
    assert done.returncode == 2 and "symlink" in done.stderr
    assert files_under(out) == before  # refused before the first write: nothing half-applied
    assert (elsewhere / "externalsecret.yaml").read_text() == "outside\n"


def test_a_killed_runs_second_writer_stops_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL the main process while its forked writer is mid-way: the writer stops at its
    next file instead of finishing its half (files slowed to 2 ms each to make that visible)."""
    from generator import write

    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")
    folder = tmp_path / "out"
    folder.mkdir()
    jobs = [(str(folder), f"f{i:04d}", "x\n") for i in range(2000)]  # f1000.. are the child's
    real_write = write._write_file

    def second_half() -> int:
        return sum(1 for p in folder.iterdir() if p.name >= "f1000")

    pid = os.fork()
    if pid == 0:
        try:

            def slow(folder_: str, name: str, text: str) -> None:
                time.sleep(0.002)
                real_write(folder_, name, text)

            write._write_file = slow  # type: ignore[assignment]
            write._write_all(jobs)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 10
    while second_half() < 20 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    time.sleep(0.05)
    at_kill = second_half()
    time.sleep(0.3)  # a writer left running would add about 150 files in this time
    assert 20 <= at_kill == second_half() < 1000

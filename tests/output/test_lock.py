"""One run at a time per output folder: `flock` where it exists, a lock file where it does not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.output import lock


@pytest.fixture(params=["flock", "lock-file"])
def mechanism(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each mechanism in turn; `lock-file` is what a platform with neither fcntl nor msvcrt
    gets."""
    if request.param == "lock-file":
        monkeypatch.setattr(lock, "fcntl", None)
        monkeypatch.setattr(lock, "msvcrt", None)
    monkeypatch.setattr(lock, "LOCK_WAIT", 0.1)
    return str(request.param)


def hold_in_child(root: Path, mechanism: str) -> subprocess.Popen[str]:
    """Another process holding the folder's lock until its stdin closes."""
    code = (
        "import sys; from pathlib import Path; from generator.output import lock\n"
        f"if {mechanism == 'lock-file'}: lock.fcntl = None; lock.msvcrt = None\n"
        "with lock.locked(Path(sys.argv[1])):\n"
        "    print('held', flush=True); sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_second_holder_is_refused_then_let_in(tmp_path: Path, mechanism: str) -> None:
    other = hold_in_child(tmp_path, mechanism)
    try:
        busy = pytest.raises(OutputError, match="another gitops-gen run is writing this folder")
        with busy, lock.locked(tmp_path):
            pass
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(timeout=30)
    with lock.locked(tmp_path):
        pass
    assert list(tmp_path.iterdir()) == [], "nothing is left behind"


def test_a_killed_holders_lock_file_is_taken_over(tmp_path: Path, mechanism: str) -> None:
    other = hold_in_child(tmp_path, mechanism)
    other.kill()
    other.wait(timeout=30)
    with lock.locked(tmp_path):
        if mechanism == "lock-file":
            assert (tmp_path / lock.LOCK_FILE).read_text() == str(os.getpid())
    assert not (tmp_path / lock.LOCK_FILE).exists()

"""A stop that lands where Python can only report an exception (a `__del__`, a callback in a
C library such as pydantic's pattern compiler) prints no traceback and is raised at the next
safe point; any other unraisable error is still reported as Python reports it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent(
    """
    import os, signal
    from generator.output import interrupts

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a shell starts it
    interrupts.install()

    class Stops:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)  # the handler runs inside this method
            sum(range(1000))

    class Fails:
        def __del__(self):
            raise ValueError("a bug of its own")

    obj = {kind}()
    del obj
    print("went on", flush=True)
    try:
        interrupts.safe_point()
    except interrupts.Interrupted as stop:
        print("stopped by", stop.name, flush=True)
    """
)


def _run(kind: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(kind=kind)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_stop_that_could_only_be_reported_is_raised_at_the_next_safe_point() -> None:
    done = _run("Stops")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "went on\nstopped by SIGINT\n"
    assert done.stderr == ""  # no "Exception ignored in ..." traceback


def test_another_unraisable_error_is_still_reported() -> None:
    done = _run("Fails")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "went on\n"
    assert "Exception ignored in" in done.stderr and "a bug of its own" in done.stderr

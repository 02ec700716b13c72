"""SIGINT and SIGTERM: one orderly stop, exit 130 or 143, one line on stderr.

The console script installs `stop` for both signals (`cli.entry`). The first signal raises
`Interrupted` where the process is: like KeyboardInterrupt it unwinds through every `finally`
(the output's lock is released, forked workers are waited for or stopped, the staging folder
goes). While the writer changes the output (`held`), a stop waits for the next `safe_point`,
which the writer reaches between one file operation (a write and its rename, a move, a delete
with the folders it empties) and the next: a stop never leaves a temp file or an emptied
folder behind. What a stop leaves is consistent: every other file is the old or the new one,
and the manifest lists everything a stopped run may have begun, so the next `render`
completes the tree. A second signal while the clean-up runs is not raised again (it would cut
the clean-up short). A stop raised where Python cannot pass an exception on (a `__del__`, a
callback inside a C library such as pydantic's pattern compiler) is reported to
`sys.unraisablehook` and dropped: `install` makes that hook keep it pending, silently, and the
render raises it at its next `safe_point` (after the load, after the render, between writes).
The command says what the stop left (`commands/render.py` for a render);
`cli_errors.handled` prints it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType

SIGNALS = ("SIGINT", "SIGTERM")
_received: list[int] = []  # the signal being handled, once one arrived
_holding: list[bool] = []  # inside `held`: a stop waits for a safe point
_raised: list[bool] = []  # the stop was raised: never again
# the unraisable hook `install` found
_fallback: list[Callable[[sys.UnraisableHookArgs], object]] = []


class Interrupted(BaseException):
    """A stop asked by a signal. Not an Exception: no `except Exception` swallows it."""

    def __init__(self, signum: int, message: str = "") -> None:
        super().__init__(signum, message)
        self.signum = signum
        self.message = message or f"gitops-gen: interrupted by {self.name}"

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # what a shell reports: 130 for SIGINT, 143 for SIGTERM


def install() -> None:
    """`stop` for SIGINT and SIGTERM (the ones this platform has), unless the process was
    started with one ignored (`nohup`, a background job of a script): it stays ignored."""
    for name in SIGNALS:
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, stop)
    if sys.unraisablehook is not _keep_pending:
        _fallback.append(sys.unraisablehook)
        sys.unraisablehook = _keep_pending


def _keep_pending(unraisable: sys.UnraisableHookArgs) -> None:
    """A stop that landed where it could only be reported: no traceback; it is raised again at
    the next safe point. Anything else goes to the hook that was there before."""
    if isinstance(unraisable.exc_value, Interrupted) and _raised:
        _raised.pop()
        return
    (_fallback[-1] if _fallback else sys.__unraisablehook__)(unraisable)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A stop that arrives in the block is raised at the next `safe_point`, or as the block
    ends."""
    _holding.append(True)
    try:
        yield
    finally:
        _holding.pop()
    safe_point()


def safe_point() -> None:
    """Between two file operations: raise the stop that arrived meanwhile, if one did."""
    if _received and not _raised:
        _raised.append(True)
        raise Interrupted(_received[0])


def stop(signum: int, _frame: FrameType | None) -> None:
    if _received:
        return  # the first stop's clean-up is under way: let it finish
    _received.append(signum)
    if not _holding:
        _raised.append(True)
        raise Interrupted(signum)


def settle() -> None:
    """The run is over (its exit code is known): later signals are ignored."""
    for name in SIGNALS:
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, signal.SIG_IGN)


def received() -> int | None:
    """The signal that stopped this run, if one did (an error may come out of the
    clean-up in its place: it is still a stop)."""
    return _received[0] if _received else None


def as_interrupted(exc: BaseException) -> Interrupted | None:
    """The stop `exc` stands for: itself, a Ctrl-C that reached Python as KeyboardInterrupt
    (no handler installed: an embedding program, the tests), or any error raised after a
    signal arrived."""
    if isinstance(exc, Interrupted):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        return Interrupted(signal.SIGINT)
    signum = received()
    return Interrupted(signum) if signum is not None else None

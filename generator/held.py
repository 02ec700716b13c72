"""Files a forked family process rendered and keeps: the parent never holds all their text.

At 10,000 services the documents families (chart values, Terraform inputs, runbooks) are
about 100 MB of text. Passing it back made the parent's peak hold every file of the tree at
once; instead the process that rendered them keeps them and answers the parent: it compares
them with the disk, hands over the texts a report asks for, and writes them itself
while the parent writes the rest. It writes only with the output's lock in hand: the parent
passes it the locked descriptor (over a socket), so, as for every write, a killed run's last
write is over before the next run can plan. It stops when the parent closes the channel (or
dies: the channel then ends).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import signal
import socket
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO, Generic, TypeVar

from generator import parallel

T = TypeVar("T")
Compared = tuple[list[str], dict[str, str], int]  # (create, update: {path: current}, same)


class Held:
    """The parent's handle on the files one forked process keeps (paths relative to the
    output folder)."""

    def __init__(
        self,
        pid: int,
        channel: tuple[BinaryIO, BinaryIO, socket.socket],
        paths: list[str],
    ) -> None:
        self.pid = pid
        self.paths = frozenset(paths)
        self._commands, self._replies, self._fds = channel
        self._closed = False

    def start_compare(self, base: str, listed: set[str]) -> None:
        """Compare each kept file with the disk over there; `finish_compare` gets the answer
        (missing, different with the current text, how many same) and the parent compares
        its own files meanwhile."""
        self._send("compare", base, listed & self.paths)

    def finish_compare(self) -> Compared:
        return self._receive()  # type: ignore[no-any-return]

    def texts(self, paths: Iterable[str], head: int | None = None) -> dict[str, str]:
        """The texts of the kept ones of `paths`; `head`: only their first characters."""
        wanted = [p for p in paths if p in self.paths]
        return self._ask("texts", wanted, head) if wanted else {}

    def start_write(self, jobs: list[tuple[str, str, str]], lock: int) -> None:
        """Write each `(folder, name, path)` over there, holding `lock` (the output's locked
        descriptor) meanwhile; `finish_write` waits for the end, or raises its error."""
        socket.send_fds(self._fds, [b"lock"], [lock])
        self._send("write", jobs)

    def finish_write(self) -> None:
        self._receive()

    def close(self) -> None:
        """Let the process go and reap it (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for stream in (self._commands, self._replies, self._fds):
            with contextlib.suppress(OSError):  # the other end is gone already
                stream.close()
        os.waitpid(self.pid, 0)

    def _ask(self, command: str, *args: Any) -> Any:
        self._send(command, *args)
        return self._receive()

    def _send(self, command: str, *args: Any) -> None:
        try:
            pickle.dump((command, args), self._commands, protocol=pickle.HIGHEST_PROTOCOL)
            self._commands.flush()
        except BrokenPipeError:
            raise RuntimeError("a gitops-gen worker process died") from None

    def _receive(self) -> Any:
        return _read_reply(self._replies)


class Pending(Generic[T]):
    """The forked process while it renders: its result, or cancelling it."""

    def __init__(self, pid: int, channel: tuple[BinaryIO, BinaryIO, socket.socket]) -> None:
        self.pid, self._channel = pid, channel

    def result(self) -> tuple[T, Held]:
        """Wait for the result and give the handle on the kept texts; the process's
        exception is raised here, as `parallel.start` does."""
        try:
            value, paths = _read_reply(self._channel[1])
        except BaseException:
            self._handle([]).close()
            raise
        return value, self._handle(paths)

    def cancel(self) -> None:
        """Nobody will ask for the result (the parent failed): stop the process now."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self._handle([]).close()

    def _handle(self, paths: list[str]) -> Held:
        return Held(self.pid, self._channel, paths)


def start(make: Callable[[], tuple[T, dict[str, str]]]) -> Pending[T]:
    """Fork a process that runs `make()` -> (a result for the parent, the texts it keeps)."""
    parent = os.getpid()
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)  # for the lock

    def serve(to_parent: BinaryIO, from_parent: BinaryIO) -> None:
        mine.close()
        _serve(make, parent, to_parent, from_parent, theirs)

    pid, commands, replies = parallel.start_serving(serve)
    theirs.close()
    return Pending(pid, (commands, replies, mine))


def _read_reply(replies: BinaryIO) -> Any:
    """One answer of the process, or its exception raised here."""
    try:
        ok, value = pickle.load(replies)  # noqa: S301 - our own child's bytes
    except (EOFError, pickle.UnpicklingError):
        raise RuntimeError("a gitops-gen worker process died without a result") from None
    if not ok:
        raise value
    return value


def _serve(
    make: Callable[[], tuple[T, dict[str, str]]],
    parent: int,
    to_parent: BinaryIO,
    from_parent: BinaryIO,
    fds: socket.socket,
) -> None:
    """The child: render, send the result and the kept paths, then answer until EOF."""
    try:
        value, texts = make()
    except BaseException as exc:
        parallel.send_exception(exc, to_parent)
        return
    _reply(to_parent, (value, list(texts)))
    handlers: dict[str, Callable[..., Any]] = {
        **_HANDLERS,
        "write": functools.partial(_write, fds=fds),
    }
    while True:
        try:
            command, args = pickle.load(from_parent)  # noqa: S301 - our own parent's bytes
        except (EOFError, OSError, pickle.UnpicklingError):
            return  # the parent closed the channel, or is gone
        if parallel.parent_gone(parent):
            return
        try:
            answer = handlers[command](texts, parent, *args)
        except BaseException as exc:
            parallel.send_exception(exc, to_parent)
            continue
        _reply(to_parent, answer)


def _reply(stream: BinaryIO, value: Any) -> None:
    pickle.dump((True, value), stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def _compare(texts: dict[str, str], _parent: int, base: str, listed: set[str]) -> Compared:
    from generator.plan import compare

    return compare(base, texts, listed)


def _write(
    texts: dict[str, str], parent: int, jobs: list[tuple[str, str, str]], *, fds: socket.socket
) -> bool:
    """Write the kept files while holding the parent's lock: a SIGKILLed parent's lock stays
    held until this stops, at its next file."""
    from generator.write import write_many

    _, lock, _, _ = socket.recv_fds(fds, 16, 1)
    try:
        write_many([(folder, name, texts[path]) for folder, name, path in jobs], parent)
    finally:
        for fd in lock:
            os.close(fd)
    return True


def _texts(
    texts: dict[str, str], _parent: int, paths: list[str], head: int | None
) -> dict[str, str]:
    return {path: texts[path][:head] for path in paths}


_HANDLERS: dict[str, Callable[..., Any]] = {
    "compare": _compare,
    "texts": _texts,
}

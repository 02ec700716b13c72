"""What the tool says, and how: the one place for verbosity, colour and progress.

`--quiet` keeps errors and what a command was asked to print (a report, a schema, a listing);
summaries, notes and warnings go. `--verbose` adds a line per step: what it did and how long
it took. Colour only on a terminal, never with `NO_COLOR` set (https://no-color.org), always
with `FORCE_COLOR` set. A step that runs past `PROGRESS_AFTER` seconds shows a ticking line
on stderr, on a terminal only: never in a pipe or a CI log.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click

QUIET, NORMAL, VERBOSE = 0, 1, 2
PROGRESS_AFTER = 2.0  # seconds: shorter work shows nothing
PROGRESS_EVERY = 0.5
_state = {"level": NORMAL}


def set_level(level: int) -> None:
    _state["level"] = level


def level() -> int:
    return _state["level"]


def colour(stream: TextIO) -> bool:
    """NO_COLOR wins, then FORCE_COLOR, then: a terminal that is not `dumb`."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _is_terminal(stream) and os.environ.get("TERM") != "dumb"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def _say(text: str, *, err: bool, fg: str | None = None, bold: bool | None = None) -> None:
    stream = sys.stderr if err else sys.stdout
    styled = bool(fg or bold) and colour(stream)
    # click drops styles on a stream that is not a terminal; FORCE_COLOR keeps them
    click.echo(click.style(text, fg=fg, bold=bold) if styled else text, err=err, color=styled)


def error(line: str) -> None:
    """Always shown, on stderr."""
    _say(line, err=True, fg="red")


def warning(line: str) -> None:
    if level() > QUIET:
        _say(line, err=True, fg="yellow")


def note(line: str) -> None:
    if level() > QUIET:
        _say(line, err=True, fg="cyan")


def info(text: str) -> None:
    """A summary or next steps on stdout (text may hold several lines)."""
    if level() > QUIET:
        _say(text.removesuffix("\n"), err=False)


def report(text: str, *, diff: bool = False) -> None:
    """What the command was asked for (kept by --quiet); `diff`: a text report whose diff
    lines are coloured on a terminal."""
    if not diff or not colour(sys.stdout):
        click.echo(text, nl=False)
        return
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in text.splitlines(keepends=True):
        fg = None if line.startswith(("+++", "---")) else styles.get(line[:1])
        click.echo(click.style(line, fg=fg) if fg else line, nl=False, color=True)


class Step:
    """What a step did: `detail` is filled in by its body, shown by --verbose."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.detail = ""


@contextmanager
def step(name: str) -> Iterator[Step]:
    """Time the work in the block; --verbose says what it did and how long it took, and a
    terminal sees it tick after PROGRESS_AFTER seconds."""
    current = Step(name)
    start = time.monotonic()
    ticker = _Ticker(name, start) if _shows_progress() else None
    try:
        yield current
    finally:
        if ticker is not None:
            ticker.stop()
    if level() >= VERBOSE:
        what = f"{name}: {current.detail}" if current.detail else name
        _say(f"gitops-gen: {what} ({time.monotonic() - start:.2f} s)", err=True, fg="cyan")


def _shows_progress() -> bool:
    """A person watching a terminal: not quiet, stderr a terminal, not a CI runner."""
    return level() > QUIET and _is_terminal(sys.stderr) and not os.environ.get("CI")


class _Ticker:
    """`gitops-gen: NAME... 3 s` on stderr, rewritten in place, erased at the end."""

    def __init__(self, name: str, start: float) -> None:
        self.name, self.start = name, start
        self.done = threading.Event()
        self.shown = False
        self.thread = threading.Thread(target=self._run, name="gitops-gen-progress", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        if self.done.wait(PROGRESS_AFTER):
            return
        while not self.done.is_set():
            elapsed = time.monotonic() - self.start
            sys.stderr.write(f"\rgitops-gen: {self.name}... {elapsed:.0f} s")
            sys.stderr.flush()
            self.shown = True
            self.done.wait(PROGRESS_EVERY)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        if self.shown:
            sys.stderr.write("\r\x1b[K")  # the line goes; what follows starts clean
            sys.stderr.flush()

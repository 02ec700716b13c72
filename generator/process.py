"""How the console script leaves: with its exit code, and quietly when its reader went away."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable

import click

from generator.output.interrupts import Interrupted, settle


def run_and_exit(main: Callable[[], object]) -> None:
    """Run `main`; flush what it printed. A reader that stopped early (`gitops-gen check |
    head`) is no error: stdout is pointed at the null device (the recipe of Python's signal
    documentation), so the interpreter's own final flush does not complain either."""
    # A short run that makes next to no cyclic garbage: the collector's passes over a heap
    # that only grows (the catalog, the rendered text) are pure cost. One switch, here.
    gc.disable()
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except Interrupted as exc:  # outside a command (click parsing it): nothing was done
        click.echo(exc.message, err=True)
        code = exc.exit_code
    settle()  # the run is over: a signal now changes nothing, and raises nothing
    if code is not None and not isinstance(code, int):
        click.echo(str(code), err=True)  # what Python itself does with a non-int exit code
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
    # The interpreter's last collection, as it exits, walks every object still alive (it
    # runs with the collector off too): at 10,000 services a few tenths of a second spent on
    # objects that go with the process. Frozen objects are left out of every collection.
    gc.freeze()
    sys.exit(code or 0)

"""How a command ends: a user error is one located line per problem and exit 2, a stop by
SIGINT/SIGTERM the line the command left, anything else a bug (exit 3) with how to report it."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from generator import console
from generator.output.interrupts import as_interrupted

F = TypeVar("F", bound=Callable[..., Any])
CRASH_HINT = (
    "This is a bug in gitops-gen. Run the same command again with GITOPS_GEN_DEBUG=1 to see the "
    "traceback, and report it to the maintainers of the gitops-gen you installed (the "
    "repository you install it from) with: the command, `gitops-gen --version`, the traceback, "
    "and the smallest catalog that shows it (names and paths only, never secret values)."
)


def handled(func: F) -> F:
    """User errors: one located line each, exit 2. SIGINT/SIGTERM: the line the command left
    (`interrupts`), exit 130/143, never click's "Aborted!" and exit 1. Anything else: a bug,
    exit 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BaseException as exc:
            code = _report(exc)
            if code is None:
                raise
            sys.exit(code)

    return wrapper  # type: ignore[return-value]


def _report(exc: BaseException) -> int | None:
    """Say what `exc` means, on stderr, and give the exit code (None: let it propagate)."""
    from generator.errors import UserError

    stop = as_interrupted(exc)
    if stop is not None:
        console.error(stop.message)
        return stop.exit_code
    if isinstance(exc, UserError):
        for problem in exc.problems:
            console.error(str(problem))
        return exc.exit_code
    if not isinstance(exc, Exception) or os.environ.get("GITOPS_GEN_DEBUG"):
        return None
    console.error(f"gitops-gen: internal error ({type(exc).__name__}). {CRASH_HINT}")
    return 3


def exit_with(code: int) -> None:
    """A command's exit code; 0 returns normally, as click expects of a command."""
    if code:
        sys.exit(code)

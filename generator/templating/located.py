"""Template errors located at `file:line`: a user's override exits 2, a built-in's is a bug.

Jinja rewrites a render error's traceback so each template frame carries the template's file
and line, but `UndefinedError` itself carries no line (jinja #1760): walk the traceback and
take the innermost template frame.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from generator.errors import GeneratorError, Problem, UserError

if TYPE_CHECKING:
    import jinja2

FIELD = "template"
_OBJECT = re.compile(r"'(?:[\w.]+\.)?(\w+) object'")


class BuiltinTemplateError(GeneratorError):
    """A built-in template failed: a bug in the tool (exit 3), located for the report."""


def syntax_problem(
    exc: jinja2.TemplateSyntaxError, origins: dict[str, str], builtin: Path
) -> GeneratorError:
    return _located(exc.filename or "", exc.lineno, exc.message or str(exc), origins, builtin)


def internal_or_user(exc: Exception, origins: dict[str, str], builtin: Path) -> GeneratorError:
    """The error, located: a UserError for an override, BuiltinTemplateError for a built-in."""
    import jinja2

    if isinstance(exc, GeneratorError):
        return exc
    if isinstance(exc, jinja2.TemplateSyntaxError):  # an included partial, compiled late
        return syntax_problem(exc, origins, builtin)
    frame = _innermost_template_frame(exc.__traceback__, origins, str(builtin))
    file, line = frame if frame else ("", 1)
    return _located(file, line, _message(exc), origins, builtin)


def _message(exc: Exception) -> str:
    import jinja2

    if isinstance(exc, jinja2.UndefinedError):  # `'a.b.View object' has no attribute 'x'`
        return _OBJECT.sub(r"'\1'", exc.message or "undefined name")
    return f"{type(exc).__name__}: {exc}"


def _innermost_template_frame(
    tb: TracebackType | None, origins: dict[str, str], builtin: str
) -> tuple[str, int] | None:
    found = None
    while tb is not None:
        file = tb.tb_frame.f_code.co_filename
        if file in origins or file.startswith(builtin):
            found = (file, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _located(
    file: str, line: int, message: str, origins: dict[str, str], builtin: Path
) -> GeneratorError:
    if file in origins:
        return UserError([Problem(origins[file], line, 1, FIELD, message)])
    shown = Path(file).relative_to(builtin).as_posix() if file.startswith(str(builtin)) else file
    return BuiltinTemplateError(f"built-in template {shown}:{line}: {message}")

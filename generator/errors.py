"""One error tree. User errors carry located problems and exit 2; anything else is a bug."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing a person can fix, printed as `file:line:col: field: message`. Line 0 means
    no location (a flag, a variable, a whole file): `where: field: message`, never an
    invented `:1:1`."""

    file: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.line == NOWHERE:
            return ": ".join(part for part in (self.file, self.field, self.message) if part)
        return f"{self.file}:{self.line}:{self.col}: {self.field or '(file)'}: {self.message}"


NOWHERE = 0  # the line of a problem that has no location in a file


def unlocated(where: str, field: str, message: str) -> Problem:
    """A problem with a flag (`--base`), a variable (`VAULT_TOKEN`) or a whole file."""
    return Problem(where, NOWHERE, NOWHERE, field, message)


class GeneratorError(Exception):
    """Base of every error the tool raises on purpose."""

    exit_code = 3


class UserError(GeneratorError):
    """Bad input: a catalog, flag or output folder the user can fix. Exit 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[UserError], tuple[list[Problem]]]:
        """Rebuilt from its problems: a worker process sends it back pickled."""
        return type(self), (self.problems,)

    @classmethod
    def single(cls, file: str, field: str, message: str, line: int = 1, col: int = 1) -> UserError:
        return cls([Problem(file, line, col, field, message)])

    @classmethod
    def unlocated(cls, where: str, field: str, message: str) -> UserError:
        """A flag's or a variable's error: `--base: 'x' is not a commit`, no line or column."""
        return cls([unlocated(where, field, message)])


class CatalogError(UserError):
    """The catalog does not validate."""


class ConsistencyError(UserError):
    """The rendered output would reference objects it does not produce."""


class OutputError(UserError):
    """The output folder cannot be written safely (symlink escape, concurrent run). Its
    problems name a path, never a line in it: `rendered/x: output: message`."""

    @classmethod
    def single(cls, file: str, field: str, message: str, line: int = 1, col: int = 1) -> UserError:
        return cls([unlocated(file, field, message)])

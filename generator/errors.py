"""One error tree. User errors carry located problems and exit 2; anything else is a bug."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing a person can fix, printed as `file:line:col: field: message`."""

    file: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.field or '(file)'}: {self.message}"


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


class CatalogError(UserError):
    """The catalog does not validate."""


class ConsistencyError(UserError):
    """The rendered output would reference objects it does not produce."""


class OutputError(UserError):
    """The output folder cannot be written safely (symlink escape, concurrent run)."""

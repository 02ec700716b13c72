"""Reading a repo's template overrides: regular files inside the templates folder, bounded.

An override folder is the team's text, and what a template reads lands in `rendered/` and in
PR comments. So a file there is read only when it is a regular file found by walking the
folder without following a link: a symlink (to the process environment in procfs, to a
password file, to the zero device), a FIFO (which would hang the read), a device, a socket,
or a file larger than `MAX_TEMPLATE_BYTES` is refused, located at the file (exit 2). Jinja
names never leave the folder either: a name is looked up only among the files found there.
The built-in templates ship inside the package and are read as they are.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from generator.errors import Problem, UserError
from generator.templating.builtin import NOT_TEMPLATES
from generator.templating.located import FIELD

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_TEMPLATE_BYTES = 1 << 20  # 1 MiB: the largest built-in is a few KiB
_ONLY = "templates are read only as regular files inside the templates folder"
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)
_OPEN = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # the last link on the way, where the system has it
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in opens at once (and is then refused)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _kind(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _refusal(shown: str, what: str) -> Problem:
    return Problem(shown, 1, 1, FIELD, f"is {what}: {_ONLY}")


def _too_large(shown: str, size: int) -> Problem:
    msg = f"is larger than {MAX_TEMPLATE_BYTES} bytes ({size}): templates are at most 1 MiB"
    return Problem(shown, 1, 1, FIELD, msg)


def check_folder(folder: Path, shown: str) -> None:
    """The templates folder itself may not be a link (its files would be read elsewhere)."""
    if folder.is_symlink():
        raise UserError([_refusal(shown.rstrip("/") or str(folder), "a symbolic link")])


def override_files(root: Path, shown: str) -> dict[str, os.stat_result]:
    """Every file under `root` by POSIX name relative to it, with its `lstat` (hidden files and
    folders skipped: never read). Anything but a folder or a regular file within the size
    bound is refused, every one at once."""
    found: dict[str, os.stat_result] = {}
    problems: list[Problem] = []
    for rel, info in _walk(root, "", shown):
        where = f"{shown}{rel}"
        if stat.S_ISREG(info.st_mode):
            if info.st_size > MAX_TEMPLATE_BYTES:
                problems.append(_too_large(where, info.st_size))
            else:
                found[rel] = info
        else:
            problems.append(_refusal(where, _kind(info.st_mode)))
    if problems:
        raise UserError(problems)
    return found


def _walk(root: Path, prefix: str, shown: str) -> Iterator[tuple[str, os.stat_result]]:
    """(name, lstat) of every entry but real folders, depth first, never through a link."""
    try:
        with os.scandir(root) as entries:
            listed = sorted((e.name, e) for e in entries)
    except OSError as exc:
        where = f"{shown}{prefix}".rstrip("/") or str(root)
        raise UserError.single(where, FIELD, f"cannot be read ({exc.strerror})") from None
    for name, entry in listed:
        if name.startswith(".") or name in NOT_TEMPLATES:  # a package's markers (this repo's
            continue  # own templates/ is the built-in package, read by an installed copy)
        info = entry.stat(follow_symlinks=False)
        rel = f"{prefix}{name}"
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(root / name, f"{rel}/", shown)
        else:
            yield rel, info


def read_override(root: Path, name: str, shown: str) -> str:
    """The text of `root/name` when it is still a regular file inside `root` (it may have
    changed since the folder was walked), at most `MAX_TEMPLATE_BYTES`; refused otherwise."""
    where = f"{shown}{name}"
    path = root
    for part in name.split("/")[:-1]:  # no link on the way down
        path = path / part
        mode = _lstat_mode(path, where)
        if not stat.S_ISDIR(mode):
            raise UserError([_refusal(f"{shown}{path.relative_to(root).as_posix()}", _kind(mode))])
    path = root / name
    if not stat.S_ISREG(mode := _lstat_mode(path, where)):
        raise UserError([_refusal(where, _kind(mode))])
    try:
        fd = os.open(path, _OPEN)
    except OSError as exc:  # ELOOP: a link swapped in since the look
        raise UserError.single(where, FIELD, f"cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserError([_refusal(where, _kind(info.st_mode))])
        data = _read_at_most(fd, MAX_TEMPLATE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise UserError([_too_large(where, len(data))])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"is not UTF-8 text (byte {exc.start + 1})"
        raise UserError.single(where, FIELD, msg) from None


def _lstat_mode(path: Path, where: str) -> int:
    try:
        return os.lstat(path).st_mode
    except OSError as exc:
        raise UserError.single(where, FIELD, f"cannot be read ({exc.strerror})") from None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(limit - size, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class TemplateLoader(jinja2.BaseLoader):
    """Jinja's loader: an override by its name among the files found in the folder (read by
    `read_override`), else the built-in. Jinja itself refuses `..` in a name."""

    def __init__(
        self, builtin: Path, overrides: Path | None, names: frozenset[str], shown: str
    ) -> None:
        self.builtin = builtin
        self.overrides = overrides
        self.names = names
        self.shown = shown

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        name = "/".join(pieces)
        if self.overrides is not None and name in self.names:
            path = self.overrides / name
            return read_override(self.overrides, name, self.shown), str(path), _current
        path = self.builtin.joinpath(*pieces)
        try:
            return path.read_text(encoding="utf-8"), str(path), _current
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise jinja2.TemplateNotFound(template) from None


def _current() -> bool:
    return True  # compiled once per run (auto_reload is off)

"""Read a generated file as it is on disk, and only as this tool writes it: a link, a FIFO,
a device or an executable file is reported as drift, never followed or waited on."""

from __future__ import annotations

import errno
import os
import stat

from generator.errors import OutputError


def read_current(
    base: str, path: str, listings: dict[str, frozenset[str]] | None = None
) -> str | None:
    """The current file, or None. String paths (pathlib joins cost more than the reads), and
    one listing per folder so a first render does not try to open every missing file."""
    parent, _, name = path.rpartition("/")
    if listings is not None and name not in _listing(base, parent, listings):
        return None
    full = f"{base}/{path}"
    try:
        return _read_bytes(full).decode("utf-8", errors="surrogateescape")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except NotAsWrittenError as exc:
        return exc.note
    except IsADirectoryError:
        raise OutputError.single(
            full, "output", "a folder stands where a generated file goes"
        ) from None
    except OSError as exc:  # no permission, too many open files (`ulimit -n`)...
        msg = f"cannot read it: {exc.strerror or exc}; nothing was written"
        raise OutputError.single(full, "output", msg) from None


class NotAsWrittenError(Exception):
    """A generated path holds something that is not the file this tool writes: a link, a
    FIFO or device, an executable file. Argo CD would read it, so it is drift (`render`
    replaces it: `os.replace` swaps the entry itself, never writing through a link)."""

    def __init__(self, what: str, content: bytes = b"") -> None:
        text = content.decode("utf-8", errors="surrogateescape")
        self.note = f"(on disk: {what}, not the file gitops-gen writes)\n{text}"
        super().__init__(what)


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOFOLLOW", 0)  # a link is reported, not followed
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO is reported, not waited on
)


def _read_bytes(full: str) -> bytes:
    """The whole file through the raw descriptor: faster than a buffered `open`, and a
    no-change render reads every file of the tree."""
    try:
        fd = os.open(full, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAsWrittenError(f"a symbolic link to {os.readlink(full)}") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), full)
        if not stat.S_ISREG(mode):
            raise NotAsWrittenError("not a regular file (a FIFO, socket or device)")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    if mode & 0o111:  # git keeps the executable bit, and nothing generated is a program
        raise NotAsWrittenError(
            f"an executable file (mode {stat.S_IMODE(mode):o})", b"".join(chunks)
        )
    return b"".join(chunks)


def _listing(base: str, folder: str, listings: dict[str, frozenset[str]]) -> frozenset[str]:
    """The names in `folder`, listed once; a folder whose parent does not hold it is empty
    without asking the file system (a first render: no `listdir` per missing folder)."""
    found = listings.get(folder)
    if found is None:
        up, _, name = folder.rpartition("/")
        if folder and name not in _listing(base, up, listings):
            found = frozenset()
        else:
            try:
                found = frozenset(os.listdir(f"{base}/{folder}" if folder else base))
            except (FileNotFoundError, NotADirectoryError):
                found = frozenset()
        listings[folder] = found
    return found

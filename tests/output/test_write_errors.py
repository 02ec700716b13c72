"""A write the file system refuses (a full disk) leaves no temp file and says what it left."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.output import stage, write
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM
from tests.output.test_write import render, snapshot_dir


class FullDisk:
    """`os` as the writer sees it, on a disk that fills after `room` writes."""

    def __init__(self, room: int) -> None:
        self.room = room

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def write(self, fd: int, data: memoryview) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= 1
        return os.write(fd, data)


@pytest.mark.parametrize("room", [0, 5])
def test_a_disk_full_while_staging_leaves_the_output_as_it_was(
    make_catalog: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    room: int,
) -> None:
    """The new and changed files are staged before anything in the output changes: a disk
    that fills then leaves the output as it was, and no staging folder."""
    catalog, out = make_catalog(platform=SERVICE_SCOPE_PLATFORM), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    (catalog / "services" / "more.yaml").write_text(SERVICE.format(name="more"))
    before = snapshot_dir(out)
    monkeypatch.setattr(stage, "os", FullDisk(room))
    code, output = render(catalog, out)
    assert code == 2
    assert output.startswith(f"{out}/")
    assert output.endswith(": output: No space left on device; nothing in the output was changed\n")
    assert snapshot_dir(out) == before
    monkeypatch.undo()
    assert render(catalog, out)[0] == 0


def test_a_full_disk_while_writing_leaves_no_temp_file_and_names_what_to_do(
    make_catalog: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staged, then the first write of the output (the manifest listing what this run may
    begin) fails: no temp file, and the message says how to complete the output."""
    catalog, out = make_catalog(platform=SERVICE_SCOPE_PLATFORM), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    (catalog / "services" / "more.yaml").write_text(SERVICE.format(name="more"))
    before = snapshot_dir(out)
    monkeypatch.setattr(write, "os", FullDisk(0))
    code, output = render(catalog, out)
    assert code == 2
    assert "No space left on device; the output is incomplete" in output
    assert "run `gitops-gen render` again to complete it" in output
    assert snapshot_dir(out) == before  # the staging folder went with the failure
    monkeypatch.undo()
    assert render(catalog, out)[0] == 0


def test_a_file_that_cannot_be_read_is_a_located_error(
    make_catalog: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too many open files (`ulimit -n`) while comparing with the disk: exit 2 naming the
    file, nothing written."""
    from generator.output import disk

    catalog, out = make_catalog(), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    before = snapshot_dir(out)

    def exhausted(_full: str) -> bytes:
        raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))

    monkeypatch.setattr(disk, "_read_bytes", exhausted)
    code, output = render(catalog, out)
    assert code == 2
    assert output.endswith(": output: cannot read it: Too many open files; nothing was written\n")
    assert output.startswith(f"{out}/")
    assert snapshot_dir(out) == before

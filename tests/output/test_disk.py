"""A generated file is read as it is on disk, and only as this tool writes it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.output.disk import read_current


def test_a_plain_file_reads_as_its_text_and_a_missing_one_as_none(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.yaml").write_text("kind: x\n", encoding="utf-8")
    assert read_current(str(tmp_path), "a/f.yaml") == "kind: x\n"
    assert read_current(str(tmp_path), "a/missing.yaml") is None
    assert read_current(str(tmp_path), "b/f.yaml", listings={}) is None


@pytest.mark.parametrize("kind", ["link", "fifo", "executable"])
def test_what_this_tool_never_writes_is_read_as_drift_not_followed(
    tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "elsewhere.yaml"
    target.write_text("kind: x\n", encoding="utf-8")
    path = tmp_path / "f.yaml"
    if kind == "link":
        path.symlink_to(target)
    elif kind == "fifo":
        os.mkfifo(path)  # opened without blocking: a FIFO must never hang the comparison
    else:
        path.write_text("kind: x\n", encoding="utf-8")
        path.chmod(0o755)
    text = read_current(str(tmp_path), "f.yaml")
    assert text is not None
    assert text.startswith("(on disk: "), text
    assert text != target.read_text(encoding="utf-8")


def test_a_folder_where_a_file_goes_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").mkdir()
    with pytest.raises(OutputError, match="a folder stands where a generated file goes"):
        read_current(str(tmp_path), "f.yaml")

"""Where the static and Jinja templates live: the repo's `templates/`, or the installed copy."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def templates_dir() -> Path:
    for candidate in (
        Path(__file__).resolve().parent.parent.parent / "templates",  # source checkout / editable
        Path(sys.prefix) / "share" / "gitops-gen" / "templates",  # wheel data-files
    ):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("gitops-gen templates folder is missing from this installation")


@cache
def static_text(family: str, name: str) -> str:
    return (templates_dir() / family / name).read_text(encoding="utf-8")

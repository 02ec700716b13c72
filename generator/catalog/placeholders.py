"""Values `init` writes for the team to replace (`git.invalid`, `REPLACE-WITH-...`): left in
platform.yaml they validate, so validate, render and check warn about each, located."""

from __future__ import annotations

import re
from pathlib import Path

PLACEHOLDER = re.compile(r"git\.invalid|REPLACE-WITH-[A-Z0-9-]*")


def placeholder_warnings(platform_file: Path, shown: str) -> list[str]:
    """One `file:line:col: warning: ...` line per placeholder left in `platform_file`."""
    try:
        lines = platform_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []  # the load reports an unreadable file
    warnings = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
        for found in PLACEHOLDER.finditer(text):
            key = text.split(":", 1)[0].strip().lstrip("- ") or "value"
            warnings.append(
                f"{shown}:{number}:{found.start() + 1}: warning: {key}: {found.group()!r} is a "
                "placeholder init wrote: replace it with your own value"
            )
    return warnings

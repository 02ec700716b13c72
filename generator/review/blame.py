"""Blame a drifted hunk of a shared file on the service it belongs to.

The chart's `values.yaml` / `values-<env>.yaml` hold every service under `services:` (the
chart family names them in its result, `per_service`); a service's change shows up there as a
hunk inside its own block. Naming `platform.yaml` as
the cause (the file's header) would send a reviewer to the wrong file.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_SERVICE_KEY = re.compile(r"^  ([a-z0-9][-a-z0-9]*):\s*$")
_BLOCK = "services:\n"
CONTEXT = 3

Opcode = tuple[str, int, int, int, int]


def service_hunks(path: str, old: str, new: str) -> dict[str, str] | None:
    """{service: its hunks as a unified diff}, or None when the file has no `services:`
    block or a hunk lies outside every service (then the whole file keeps its header's cause)."""
    if not (old.count(f"\n{_BLOCK}") or new.count(f"\n{_BLOCK}")):
        return None
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    hunks: dict[str, list[str]] = {}
    for group in SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(CONTEXT):
        for owner, part in _by_owner(a, b, group):
            if owner is None:
                return None
            hunks.setdefault(owner, []).append(_hunk(a, b, part))
    return {svc: f"--- a/{path}\n+++ b/{path}\n" + "".join(h) for svc, h in hunks.items()}


def _by_owner(
    a: list[str], b: list[str], group: list[Opcode]
) -> list[tuple[str | None, list[Opcode]]]:
    """A hunk split where its changes pass from one service's block to the next (two
    neighbours changed within a few lines are one hunk to difflib, two causes to a reviewer):
    each part keeps up to CONTEXT lines of the unchanged run between them."""
    parts: list[tuple[str | None, list[Opcode]]] = []
    between: Opcode | None = None  # the unchanged run since the last change
    for op in group:
        if op[0] == "equal":
            between = op
            continue
        owner = _owner(a, b, op)
        if parts and parts[-1][0] == owner:
            parts[-1][1].extend([between, op] if between else [op])
        elif parts and between:
            _, i1, i2, j1, j2 = between
            keep = min(CONTEXT, i2 - i1)
            parts[-1][1].append(("equal", i1, i1 + keep, j1, j1 + keep))
            parts.append((owner, [("equal", i2 - keep, i2, j2 - keep, j2), op]))
        else:
            parts.append((owner, [between, op] if between else [op]))
        between = None
    if parts and between:
        parts[-1][1].append(between)
    return parts


def _owner(a: list[str], b: list[str], op: Opcode) -> str | None:
    """The service key above (or at) the change's first line."""
    tag, i1, _, j1, _ = op
    lines, start = (a, i1) if tag == "delete" else (b, j1)
    for line in reversed(lines[: start + 1]):
        found = _SERVICE_KEY.match(line)
        if found:
            return found.group(1)
        if line[:1] not in {" ", ""} or line == _BLOCK:
            return None
    return None


def _hunk(a: list[str], b: list[str], group: list[Opcode]) -> str:
    first, last = group[0], group[-1]
    out = [f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"]
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            out += [" " + line for line in a[i1:i2]]
            continue
        out += ["-" + line for line in a[i1:i2]]
        out += ["+" + line for line in b[j1:j2]]
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _range(start: int, stop: int) -> str:
    """Unified diff's `start,length` (difflib's own rule)."""
    length = stop - start
    begin = start + 1 if length else start
    return str(begin) if length == 1 else f"{begin},{length}"

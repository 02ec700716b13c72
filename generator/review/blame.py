"""The blame of a shared file's hunks: which service's change each one is.

The chart's `values.yaml` / `values-<env>.yaml` hold every service under `services:` (the
chart family names them in its result, `per_service`); a service's change shows up there as a
hunk inside its own block. Naming `platform.yaml` as the cause (the file's header) would send
a reviewer to the wrong file.

Blame comes from that structure, not from one sequence match over the whole file: each side
is cut into per-service blocks in one pass, blocks are paired by service name, and only a
pair that differs is diffed (a block is small). A platform-wide change (every image tag
bumped) then costs one small diff per service. `difflib.SequenceMatcher` over a whole
shared file grows much faster than the file when most of its blocks change: its matches
are searched over every repeat of lines such as `    enabled: true`.
"""

from __future__ import annotations

import re

from generator.review.linediff import CONTEXT, Opcode, grouped, hunk_range, opcodes

_SERVICE_KEY = re.compile(r"^  ([a-z0-9][-a-z0-9]*):\s*$")
_BLOCK = "services:\n"
Segment = tuple[str | None, int, int]  # (its service or None, first line, end line)


def service_hunks(path: str, old: str, new: str) -> dict[str, str] | None:
    """{service: its hunks as a unified diff}, or None when the file has no `services:`
    block or a hunk lies outside every service (then the whole file keeps its header's cause)."""
    if not (old.count(f"\n{_BLOCK}") or new.count(f"\n{_BLOCK}")):
        return None
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    owners_a, segments_a = _segments(a)
    owners_b, segments_b = _segments(b)
    codes = _block_opcodes(a, segments_a, b, segments_b)
    if codes is None:
        return None
    hunks: dict[str, list[str]] = {}
    for group in grouped(codes):
        for owner, part in _by_owner(owners_a, owners_b, group):
            if owner is None:
                return None
            hunks.setdefault(owner, []).append(_hunk(a, b, part))
    return {svc: f"--- a/{path}\n+++ b/{path}\n" + "".join(h) for svc, h in hunks.items()}


def _segments(lines: list[str]) -> tuple[list[str | None], list[Segment]]:
    """Each line's service (the key above it, unless a line outside the map comes between)
    and the runs of lines of one service (or of none), in one pass."""
    owners: list[str | None] = []
    segments: list[Segment] = []
    owner: str | None = None
    start = 0
    for n, line in enumerate(lines):
        found = _SERVICE_KEY.match(line) if line[:2] == "  " and line[2:3] != " " else None
        was = owner
        if found:
            owner = found.group(1)
        elif line[:1] != " ":
            owner = None
        if n and (found or owner != was):
            segments.append((was, start, n))
            start = n
        owners.append(owner)
    if lines:
        segments.append((owner, start, len(lines)))
    return owners, segments


def _block_opcodes(
    a: list[str], segments_a: list[Segment], b: list[str], segments_b: list[Segment]
) -> list[Opcode] | None:
    """The line opcodes of the whole file, built block by block: blocks paired by service,
    a changed pair diffed alone, a block that only one side has deleted or inserted whole.
    None when anything outside every service block changed."""
    keys_a, keys_b = [s[0] for s in segments_a], [s[0] for s in segments_b]
    paired = [("equal", 0, len(keys_a), 0, len(keys_b))] if keys_a == keys_b else None
    codes: list[Opcode] = []
    for tag, s1, s2, t1, t2 in paired or opcodes(keys_a, keys_b, autojunk=False):
        if tag == "equal":
            for (key, alo, ahi), (_, blo, bhi) in zip(
                segments_a[s1:s2], segments_b[t1:t2], strict=True
            ):
                if a[alo:ahi] == b[blo:bhi]:
                    codes.append(("equal", alo, ahi, blo, bhi))
                elif key is None:
                    return None
                else:
                    inner = opcodes(a[alo:ahi], b[blo:bhi], autojunk=False)
                    codes += [
                        (t, i1 + alo, i2 + alo, j1 + blo, j2 + blo) for t, i1, i2, j1, j2 in inner
                    ]
            continue
        gone, added = segments_a[s1:s2], segments_b[t1:t2]
        if any(key is None for key, _, _ in (*gone, *added)):
            return None
        i = segments_a[s1][1] if s1 < len(segments_a) else len(a)
        j = segments_b[t1][1] if t1 < len(segments_b) else len(b)
        codes += [("delete", lo, hi, j, j) for _, lo, hi in gone]
        i = gone[-1][2] if gone else i
        codes += [("insert", i, i, lo, hi) for _, lo, hi in added]
    return _joined(codes)


def _joined(codes: list[Opcode]) -> list[Opcode]:
    """Adjacent unchanged runs as one, as difflib reports them (hunks are cut by their length)."""
    out: list[Opcode] = []
    for code in codes:
        if out and code[0] == "equal" == out[-1][0]:
            out[-1] = ("equal", out[-1][1], code[2], out[-1][3], code[4])
        else:
            out.append(code)
    return out


def _by_owner(
    owners_a: list[str | None], owners_b: list[str | None], group: list[Opcode]
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
        owner = owners_a[op[1]] if op[0] == "delete" else owners_b[op[3]]
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


def _hunk(a: list[str], b: list[str], group: list[Opcode]) -> str:
    first, last = group[0], group[-1]
    out = [f"@@ -{hunk_range(first[1], last[2])} +{hunk_range(first[3], last[4])} @@\n"]
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            out += [" " + line for line in a[i1:i2]]
            continue
        out += ["-" + line for line in a[i1:i2]]
        out += ["+" + line for line in b[j1:j2]]
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)

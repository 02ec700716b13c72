"""Line diffs whose cost follows the change.

`opcodes` is difflib's own answer where the input is small (so small diffs read exactly as
they always did), and above that, lines found once on each side as anchors (patience diff),
difflib again only between them, within a bounded search.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Iterator, Sequence
from difflib import SequenceMatcher

CONTEXT = 3
# the size (lines of one side times lines of the other) up to which difflib matches a range
# itself: its cost grows with that product, and below it its answer is kept exactly
SMALL = 40_000
# how many times over the anchor search of one diff may read its inputs: each pass over a
# range finds the lines unique in it; a pathological text could otherwise need one per line
ANCHOR_READS = 10

Opcode = tuple[str, int, int, int, int]
Match = tuple[int, int, int]  # (i, j, size): a[i:i+size] == b[j:j+size]
Span = tuple[int, int, int, int]  # a[alo:ahi] against b[blo:bhi]


def hunk_range(start: int, stop: int) -> str:
    """Unified diff's `start,length` (difflib's own rule)."""
    length = stop - start
    begin = start + 1 if length else start
    return str(begin) if length == 1 else f"{begin},{length}"


def unified_diff(a: list[str], b: list[str], fromfile: str, tofile: str) -> Iterator[str]:
    """`difflib.unified_diff(a, b, fromfile, tofile)`'s lines, from `opcodes`."""
    for n, group in enumerate(grouped(opcodes(a, b, autojunk=True))):
        if not n:
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{hunk_range(first[1], last[2])} +{hunk_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            yield from ("-" + line for line in a[i1:i2])
            yield from ("+" + line for line in b[j1:j2])


def grouped(codes: list[Opcode], context: int = CONTEXT) -> Iterator[list[Opcode]]:
    """`SequenceMatcher.get_grouped_opcodes` over opcodes made elsewhere: the changes with
    `context` unchanged lines around them, cut where more than twice that lies between."""
    codes = list(codes) or [("equal", 0, 1, 0, 1)]
    tag, i1, i2, j1, j2 = codes[0]
    if tag == "equal":
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    tag, i1, i2, j1, j2 = codes[-1]
    if tag == "equal":
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        start, other = i1, j1
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            yield group
            group = []
            start, other = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, start, i2, other, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], *, autojunk: bool) -> list[Opcode]:
    """`SequenceMatcher(None, a, b, autojunk=autojunk).get_opcodes()` where `a` and `b` are
    small; for larger ones the same kind of answer at a cost that follows the change."""
    i = j = 0
    codes: list[Opcode] = []
    for ai, bj, size in [*_matches(a, b, autojunk), (len(a), len(b), 0)]:
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert"
        if i < ai or j < bj:
            codes.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            codes.append(("equal", ai, i, bj, j))
    return codes


def _matches(a: Sequence[Hashable], b: Sequence[Hashable], autojunk: bool) -> list[Match]:
    """The matching runs, in order: difflib's on a small range; on a large one, the common
    head and tail, then the lines found once on each side (in an order both sides keep) as
    anchors, and the ranges between them in turn. A large range with no anchor stays one
    change, as does any left once the anchor search has read its budget (a few times both
    inputs): the diff is coarser there, never slow."""
    found: list[Match] = []
    todo: list[Span] = [(0, len(a), 0, len(b))]
    budget = ANCHOR_READS * (len(a) + len(b))
    while todo:
        alo, ahi, blo, bhi = todo.pop()
        if (ahi - alo) * (bhi - blo) > SMALL:
            head, tail = _shared_ends(a, b, (alo, ahi, blo, bhi))
            found += [(alo, blo, head)] if head else []
            found += [(ahi - tail, bhi - tail, tail)] if tail else []
            alo, blo, ahi, bhi = alo + head, blo + head, ahi - tail, bhi - tail
        if alo == ahi or blo == bhi:
            continue
        if (ahi - alo) * (bhi - blo) <= SMALL:
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=autojunk)
            found += [(alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n]
            continue
        budget -= (ahi - alo) + (bhi - blo)
        anchors = _anchors(a, b, (alo, ahi, blo, bhi)) if budget >= 0 else []
        for i, j in anchors:
            todo.append((alo, i, blo, j))
            found.append((i, j, 1))
            alo, blo = i + 1, j + 1
        if anchors:
            todo.append((alo, ahi, blo, bhi))
    return _merged(sorted(found))


def _shared_ends(a: Sequence[Hashable], b: Sequence[Hashable], span: Span) -> tuple[int, int]:
    """How many items both sides of the range share at its head, and then at its tail."""
    alo, ahi, blo, bhi = span
    head = tail = 0
    while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
        head += 1
    while (
        alo + head < ahi - tail
        and blo + head < bhi - tail
        and a[ahi - 1 - tail] == b[bhi - 1 - tail]
    ):
        tail += 1
    return head, tail


def _anchors(a: Sequence[Hashable], b: Sequence[Hashable], span: Span) -> list[tuple[int, int]]:
    """The items found exactly once on each side of the range, paired; of those, the longest
    run in one order on both sides (patience sorting)."""
    alo, ahi, blo, bhi = span
    once_a: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        once_a[a[i]] = -1 if a[i] in once_a else i
    once_b: dict[Hashable, int] = {}
    for j in range(blo, bhi):
        if once_a.get(b[j], -1) >= 0:
            once_b[b[j]] = -1 if b[j] in once_b else j
    pairs = sorted((once_a[item], j) for item, j in once_b.items() if j >= 0)
    tails: list[int] = []  # the smallest last j of an increasing run of each length
    ends: list[int] = []  # which pair ends it
    back: list[int] = []  # each pair's predecessor in its run
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        back.append(ends[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[k], ends[k] = j, n
    run: list[tuple[int, int]] = []
    n = ends[-1] if ends else -1
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]


def _merged(found: list[Match]) -> list[Match]:
    """Touching runs as one (difflib's matching blocks never touch)."""
    out: list[Match] = []
    for i, j, n in found:
        if out and out[-1][0] + out[-1][2] == i and out[-1][1] + out[-1][2] == j:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + n)
        else:
            out.append((i, j, n))
    return out

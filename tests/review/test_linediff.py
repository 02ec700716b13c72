"""Line diffs whose cost follows the change: difflib's own answer for a small file, and a
correct, small one for a large file changed throughout."""

from __future__ import annotations

import difflib
import random

import pytest

from generator.review import linediff
from generator.review.linediff import SMALL, unified_diff
from generator.review.report import _diff
from tests.review.test_blame import changed_lines


def entries(count: int, value: str = "v1", skip: frozenset[int] = frozenset()) -> str:
    """A large JSON-like text whose lines mostly repeat (as tfvars and app lists do)."""
    out = ["{\n"]
    for n in range(count):
        if n not in skip:
            out += [
                f'  "svc-{n:05d}": {{\n',
                '    "enabled": true,\n',
                f'    "tag": "{value}"\n',
                "  },\n",
            ]
    return "".join([*out, "}\n"])


def assert_correct(old: str, new: str, diff: str) -> tuple[list[int], list[int]]:
    """The hunks hold what both texts hold where they say, and removing their `-` lines
    from `old` leaves what removing their `+` lines from `new` leaves: `new` is `old` patched."""
    removed, added = changed_lines(old, new, diff)
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    gone, came = set(removed), set(added)
    assert [x for i, x in enumerate(a) if i not in gone] == [
        y for j, y in enumerate(b) if j not in came
    ]
    return removed, added


def test_the_report_diff_of_a_small_file_is_difflibs() -> None:
    pick = random.Random(24)
    lines = ["a\n", "b\n", "  enabled: true\n", "  port: 8080\n", "}\n", "x\n"]
    for _ in range(200):
        a = [pick.choice(lines) for _ in range(pick.randrange(0, 60))]
        b = [line for line in a if pick.random() > 0.2]
        for _ in range(pick.randrange(0, 8)):
            b.insert(pick.randrange(0, len(b) + 1), pick.choice(lines))
        ours = "".join(unified_diff(a, b, "a/f", "b/f"))
        assert ours == "".join(difflib.unified_diff(a, b, "a/f", "b/f"))
    assert _diff("f", "a\nb", "a\nc") == (
        "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
        "+c\n\\ No newline at end of file\n"
    )


def test_the_report_diff_of_a_large_file_changed_throughout_names_only_what_changed() -> None:
    old = entries(3000)
    new = entries(3000, value="v2", skip=frozenset(range(0, 3000, 7)))
    assert len(old.splitlines()) ** 2 > SMALL  # the large path, not difflib's own
    removed, added = assert_correct(old, new, _diff("f", old, new))
    dropped = len(range(0, 3000, 7))
    assert (len(removed), len(added)) == (3000 + 3 * dropped, 3000 - dropped)
    first, last = '  "svc-00001": {\n', '  "svc-02998": {\n'
    swapped = old.replace(first, "#").replace(last, first).replace("#", last)  # lines move
    removed, added = assert_correct(old, swapped, _diff("f", old, swapped))
    assert len(removed) == len(added) == 2


def test_the_report_diff_without_any_line_found_once_is_still_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = "".join(f"{'ab'[n % 2]}\n" for n in range(2000))
    new = "".join(f"{'ab'[n % 3 % 2]}\n" for n in range(2100))
    assert_correct(old, new, _diff("f", old, new))
    assert_correct(old, "", _diff("f", old, ""))
    assert_correct("", new, _diff("f", "", new))
    monkeypatch.setattr(linediff, "ANCHOR_READS", 0)  # its search for anchors cut short
    old, new = entries(3000), entries(3000, value="v2", skip=frozenset(range(0, 3000, 7)))
    removed, _ = assert_correct(old, new, _diff("f", old, new))
    assert removed == list(range(1, len(old.splitlines()) - 2))  # all but the shared ends

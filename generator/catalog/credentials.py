"""Refuse catalog values that look like real credentials or cannot travel through YAML.

The catalog holds names and paths only. A pasted AWS key, PEM block, JWT or token in any
field (a config value, a description, an image tag) would be committed and rendered into
ConfigMaps and Git history; stop it at load time, with its location. Control characters
are refused too: Helm's `toJson` leaves C1 controls raw and its YAML parser then rejects
the chart (found by the property tests with a U+0097 in a config value).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.catalog.source import DataPath, SourceMap
from generator.errors import Problem

# (what, substrings that must all be present, pattern): the cheap substring test first keeps
# a long value linear; the URL pattern alone backtracked quadratically on 2,000 letters.
PATTERNS = (
    (
        "an AWS access key id",
        (),
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b"),
    ),
    ("a private key (PEM)", ("PRIVATE KEY",), re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY")),
    ("a JSON Web Token", ("eyJ",), re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")),
    ("a GitHub token", ("_",), re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{40,})")),
    ("a Slack token", ("xox",), re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a password in a URL", ("://", "@"), re.compile(r"://[^/\s:@]+:[^/\s@]{3,}@")),
)


# C0 controls but tab and newline, DEL, C1 controls, and the two non-characters YAML forbids
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def credential_problems(data: Any, smap: SourceMap) -> list[Problem]:
    """One scan of all the file's values joined by newlines: no pattern matches a newline,
    so joining cannot make a match, and a clean file (the usual case) is done in one pass.
    Only a file with a hit is walked again to locate each one."""
    values: list[str] = []
    _collect(data, values)
    text = "\n".join(values)
    if UNPRINTABLE.search(text) is None and _leak(text) is None:
        return []
    return list(_located(data, smap, ()))


def _collect(data: Any, out: list[str]) -> None:
    if isinstance(data, dict):
        for value in data.values():
            _collect(value, out)
    elif isinstance(data, list):
        for value in data:
            _collect(value, out)
    elif isinstance(data, str):
        out.append(data)


def _leak(text: str) -> str | None:
    for what, needles, pattern in PATTERNS:
        if all(n in text for n in needles) and pattern.search(text):
            return what
    return None


def _located(data: Any, smap: SourceMap, path: DataPath) -> Iterator[Problem]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _located(value, smap, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _located(value, smap, (*path, i))
    elif isinstance(data, str):
        bad = UNPRINTABLE.search(data)
        if bad:
            msg = f"contains the control character U+{ord(bad.group()):04X}: remove it"
            yield smap.problem(path, msg)
            return
        what = _leak(data)
        if what is not None:
            msg = f"looks like {what}: secret values never go in the catalog (use secrets.keys)"
            yield smap.problem(path, msg)

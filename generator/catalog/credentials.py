"""Refuse catalog values that look like real credentials or cannot travel through YAML.

The catalog holds names and paths only. A pasted API key, PEM block, JWT or token in any
field (a config value, a description, an image tag) would be committed and rendered into
ConfigMaps and Git history; stop it at load time, with its location. The value rules are
detect-secrets' regex plugins (a maintained set: AWS, Stripe, OpenAI, GitHub, GitLab, Slack,
JWT, PEM, basic auth in a URL, ...), plus gitleaks' `gcp-api-key` rule, which detect-secrets
lacks; they ship as data in `credential_rules` (generated from detect-secrets, so a render
never imports it). Config names are matched against detect-secrets' keyword list plus a few
words of ours. Control characters are refused too: Helm's `toJson` leaves C1 controls raw and
its YAML parser then rejects the chart (found by the property tests with a U+0097 in a config
value).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from generator.catalog.credential_rules import NAME_WORDS, VALUE_RULES
from generator.catalog.source import DataPath, SourceMap
from generator.errors import Problem

# ours, besides detect-secrets' KeywordDetector words (api_?key, db_?pass, password, secret,
# ...): the whole words PASS / PWD, and names ending in KEY, AUTH, AUTH_HEADER, AUTHORIZATION,
# BEARER or COOKIE (`GF_AUTH_ANONYMOUS_ENABLED` is a switch, `AUTH_HEADER` a credential).
_OUR_NAME_WORDS = (
    r"token|credential|private",
    r"(?:^|_)(?:pass|pwd)(?:_|$)",
    r"(?:^|_)(?:key|auth|authorization|bearer|cookie)(?:_header)?$",
)


def _formally_valid_jwt(token: str) -> bool:
    """detect-secrets' JwtTokenDetector.is_formally_valid, its padding rule included: each
    part decodes as base64url and the first two as JSON."""
    for index, part_text in enumerate(token.split(".")):
        try:
            part = part_text.encode("ascii")
            if len(part) % 4 == 1:
                return False
            part += {2: b"==", 3: b"==="}.get(len(part) % 4, b"")
            decoded = base64.urlsafe_b64decode(part)
            if index < 2:
                json.loads(decoded.decode("utf-8"))
        except (ValueError, RecursionError):  # binascii, Unicode and JSON errors among them
            return False
    return True


# The checks a plugin's analyze_string applies after its regex (named in credential_rules).
CHECKS: dict[str, Callable[[str], bool]] = {"jwt": _formally_valid_jwt}


@dataclass(frozen=True)
class Pattern:
    what: str  # the rule's name, shown to the user, e.g. "Stripe Access Key"
    source: str
    flags: int
    check: Callable[[str], bool] | None
    anchors: tuple[tuple[str, ...], ...]  # each match holds one literal of each set
    folded: bool  # IGNORECASE: the anchors are lower case and hold for ASCII text only

    def may_match(self, text: str, lowered: str | None) -> bool:
        """False when text lacks every literal of an anchor set after the first (the index
        found the first): no match is possible."""
        hay = lowered if self.folded else text
        if hay is None:  # re's IGNORECASE also folds e.g. U+017F to `s`: run the regex
            return True
        return all(any(a in hay for a in any_of) for any_of in self.anchors[1:])

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Compiled when a text first holds the anchors: most patterns never run, and
        compiling all of them costs more than a clean catalog's whole scan."""
        return re.compile(self.source, self.flags)

    def found_in(self, text: str) -> bool:
        """Whether detect-secrets' RegexBasedDetector.analyze_string (and the plugin's check)
        would yield anything for this pattern."""
        if self.check is None and self.regex.groups < 2:
            return self.regex.search(text) is not None  # findall yields every match
        return any(self.check is None or self.check(hit) for hit in self._hits(text))

    def _hits(self, text: str) -> Iterator[str]:
        for match in self.regex.findall(text):
            if isinstance(match, tuple):
                yield from filter(None, match)
            else:
                yield match


@dataclass(frozen=True)
class _Scanner:
    """Every pattern in rule order, indexed by the first anchor set of each: a text is run
    only through the patterns one of whose first-set literals it holds (and the rest)."""

    patterns: tuple[Pattern, ...]
    index: tuple[tuple[str, tuple[int, ...]], ...]
    folded_index: tuple[tuple[str, tuple[int, ...]], ...]  # lower case, IGNORECASE patterns
    unanchored: frozenset[int]
    all_folded: frozenset[int]

    def findings(self, text: str) -> Iterator[str]:
        """The rule of each pattern that finds a credential in text, in rule order."""
        todo = {i for anchor, ids in self.index if anchor in text for i in ids}
        lowered = text.lower() if text.isascii() else None
        if lowered is None:
            todo |= self.all_folded
        else:
            todo.update(i for anchor, ids in self.folded_index if anchor in lowered for i in ids)
        for i in sorted(todo | self.unanchored):
            pattern = self.patterns[i]
            if pattern.may_match(text, lowered) and pattern.found_in(text):
                yield pattern.what

    def leak(self, text: str) -> str | None:
        """The first rule (in rule order) that finds a credential in text."""
        return next(self.findings(text), None)


@lru_cache(maxsize=1)
def scanner() -> _Scanner:
    """The value rules of credential_rules, indexed on first use."""
    patterns: list[Pattern] = []
    index: dict[tuple[str, bool], list[int]] = {}
    for what, _plugin, sources, check in VALUE_RULES:
        for source, flags, anchors in sources:
            folded = bool(flags & re.IGNORECASE)
            for literal in anchors[0] if anchors else ():
                index.setdefault((literal, folded), []).append(len(patterns))
            patterns.append(Pattern(what, source, flags, CHECKS.get(check), anchors, folded))
    return _Scanner(
        tuple(patterns),
        tuple((a, tuple(ids)) for (a, folded), ids in index.items() if not folded),
        tuple((a, tuple(ids)) for (a, folded), ids in index.items() if folded),
        frozenset(i for i, p in enumerate(patterns) if not p.anchors),
        frozenset(i for i, p in enumerate(patterns) if p.folded),
    )


@lru_cache(maxsize=1)
def _secret_name() -> re.Pattern[str]:
    return re.compile("|".join((*NAME_WORDS, *_OUR_NAME_WORDS)), re.IGNORECASE)


@lru_cache(maxsize=4096)  # the same config names recur in every service file
def looks_like_secret_name(name: str) -> bool:
    """`DB_PASS`, `APIKEY`, `AUTH_HEADER`, `stripe.secret`: a name for secrets.keys."""
    return _secret_name().search(name.replace(".", "_").replace("-", "_")) is not None


# C0 controls but tab and newline, DEL, C1 controls, and the two non-characters YAML forbids
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def credential_problems(data: Any, smap: SourceMap) -> list[Problem]:
    """One scan of all the file's values joined by newlines, so a clean file (the usual case)
    costs one anchor lookup per rule and a few patterns. Only a file with a hit is walked again
    to locate each one; a hit that only the joining made is then found in no single value and
    reported nowhere."""
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
    return scanner().leak(text)


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
            msg = f"looks like a credential ({what}): secret values never go in the catalog"
            yield smap.problem(path, msg + " (use secrets.keys)")

"""Refuse catalog values that look like real credentials or cannot travel through YAML.

The catalog holds names and paths only. A pasted API key, PEM block, JWT or token in any
field (a config value, a description, an image tag) would be committed and rendered into
ConfigMaps and Git history; stop it at load time, with its location. The value rules are
detect-secrets' regex plugins (a maintained set: AWS, Stripe, OpenAI, GitHub, GitLab, Slack,
JWT, PEM, basic auth in a URL, ...), plus gitleaks' `gcp-api-key` rule, which detect-secrets
lacks. Config names are matched against detect-secrets' keyword list plus a few words of
ours. Control characters are refused too: Helm's `toJson` leaves C1 controls raw and its YAML
parser then rejects the chart (found by the property tests with a U+0097 in a config value).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.catalog.source import DataPath, SourceMap
from generator.errors import Problem

# Not credentials: a public IP address is a legitimate config value.
_NOT_CREDENTIALS = {"IPPublicDetector"}
# gitleaks rule `gcp-api-key` (detect-secrets has no Google rule)
_GOOGLE_API_KEY = re.compile(r"\bAIza[\w-]{35}")

# detect-secrets' KeywordDetector words (api_?key, db_?pass, password, secret, ...), plus
# ours: the whole words PASS / PWD, and names ending in KEY, AUTH, AUTH_HEADER, AUTHORIZATION,
# BEARER or COOKIE (`GF_AUTH_ANONYMOUS_ENABLED` is a switch, `AUTH_HEADER` a credential).
_OUR_NAME_WORDS = (
    r"token|credential|private",
    r"(?:^|_)(?:pass|pwd)(?:_|$)",
    r"(?:^|_)(?:key|auth|authorization|bearer|cookie)(?:_header)?$",
)


@dataclass(frozen=True)
class _Rule:
    what: str  # shown to the user, e.g. "Stripe Access Key"
    find: Callable[[str], Iterable[str]]


@lru_cache(maxsize=1)
def value_rules() -> tuple[_Rule, ...]:
    """Every regex-based detect-secrets plugin (imported on first use) and the Google rule."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    classes: list[type[Any]] = list(get_mapping_from_secret_type_to_class().values())
    rules = [
        _Rule(str(cls.secret_type), cls().analyze_string)
        for cls in sorted(classes, key=lambda c: str(c.secret_type))
        if issubclass(cls, RegexBasedDetector) and cls.__name__ not in _NOT_CREDENTIALS
    ]
    rules.append(_Rule("Google API Key", _GOOGLE_API_KEY.findall))
    return tuple(rules)


@lru_cache(maxsize=1)
def _secret_name() -> re.Pattern[str]:
    from detect_secrets.plugins.keyword import DENYLIST

    return re.compile("|".join((*DENYLIST, *_OUR_NAME_WORDS)), re.IGNORECASE)


def looks_like_secret_name(name: str) -> bool:
    """`DB_PASS`, `APIKEY`, `AUTH_HEADER`, `stripe.secret`: a name for secrets.keys."""
    return _secret_name().search(name.replace(".", "_").replace("-", "_")) is not None


# C0 controls but tab and newline, DEL, C1 controls, and the two non-characters YAML forbids
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def credential_problems(data: Any, smap: SourceMap) -> list[Problem]:
    """One scan of all the file's values joined by newlines, so a clean file (the usual case)
    costs one pass per rule. Only a file with a hit is walked again to locate each one; a hit
    that only the joining made is then found in no single value and reported nowhere."""
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
    for rule in value_rules():
        if any(True for _ in rule.find(text)):
            return rule.what
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
            msg = f"looks like a credential ({what}): secret values never go in the catalog"
            yield smap.problem(path, msg + " (use secrets.keys)")

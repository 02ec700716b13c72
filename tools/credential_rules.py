"""Write generator/catalog/credential_rules.py from the installed detect-secrets.

`python -m tools.credential_rules` (from the repository root, with the dev requirements
installed). The catalog scan ships detect-secrets' regex plugins as data, so a render does not
import detect-secrets (and `requests` with it). tests/hardening/test_credential_rules.py
regenerates the data and fails when the committed module differs, e.g. after a
detect-secrets bump that changed a rule.

For each pattern it also derives anchors from the parsed pattern: up to three sets of
literals such that every match contains one literal of each set, so the scan runs (and
compiles) a pattern only on text that holds them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "generator" / "catalog" / "credential_rules.py"
COMMAND = "python -m tools.credential_rules"

# Not credentials: a public IP address is a legitimate config value.
NOT_CREDENTIALS = {"IPPublicDetector"}
# Plugins whose analyze_string adds a check after the regex: the check's name in credentials.py.
CHECKS = {"JwtTokenDetector": "jwt"}
# gitleaks rule `gcp-api-key` (detect-secrets has no Google rule): pinned here by hand.
GOOGLE = ("Google API Key", "gitleaks:gcp-api-key", r"\bAIza[\w-]{35}")
MAX_ANCHOR_SETS = 3  # a fourth rarely rules a pattern out when the first three did not
FLAG_NAMES = ("IGNORECASE", "LOCALE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII")

Pattern = tuple[str, int, tuple[tuple[str, ...], ...]]  # source, flags, anchors
Rule = tuple[str, str, tuple[Pattern, ...], str]  # what, plugin, patterns, check


def rules() -> tuple[Rule, ...]:
    """detect-secrets' regex plugins sorted by secret type, then the Google rule."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    found: list[Rule] = []
    mapping: dict[str, Any] = dict(get_mapping_from_secret_type_to_class())
    for what, cls in sorted(mapping.items()):
        if not issubclass(cls, RegexBasedDetector) or cls.__name__ in NOT_CREDENTIALS:
            continue
        check = CHECKS.get(cls.__name__, "")
        if not check and cls.analyze_string is not RegexBasedDetector.analyze_string:
            sys.exit(f"{cls.__name__} overrides analyze_string: port its check to credentials.py")
        patterns = tuple(pattern(p.pattern, p.flags) for p in cls().denylist)
        found.append((what, cls.__name__, patterns, check))
    what, plugin, source = GOOGLE
    found.append((what, plugin, (pattern(source, re.UNICODE),), ""))
    return tuple(found)


def name_words() -> tuple[str, ...]:
    from detect_secrets.plugins.keyword import DENYLIST

    return tuple(DENYLIST)


def pattern(source: str, flags: int) -> Pattern:
    flags &= ~re.UNICODE  # implied for str patterns
    return source, flags, anchors(source, flags)


def anchors(source: str, flags: int) -> tuple[tuple[str, ...], ...]:
    """Sets of literals: every match contains one literal of each set, best set first; ()
    when none is certain. Under IGNORECASE they are lower case and only hold for ASCII text
    (re folds e.g. U+017F to `s`)."""
    found = _requirements(sre_parse.parse(source, flags).data)
    if flags & re.IGNORECASE:
        found = [{a.lower() for a in any_of} for any_of in found if _all_ascii(any_of)]
    # `pass` in the text is enough: `password` need not be looked for as well
    minimal = {tuple(sorted(a for a in s if not any(b != a and b in a for b in s))) for s in found}
    useful = [a for a in minimal if not any(b != a and _implies(b, a) for b in minimal)]
    ranked = sorted(useful, key=lambda any_of: (_score(any_of), any_of), reverse=True)
    return tuple(ranked[:MAX_ANCHOR_SETS])


def _implies(stronger: tuple[str, ...], weaker: tuple[str, ...]) -> bool:
    """Each literal of `stronger` contains one of `weaker`: finding it finds `weaker` too."""
    return all(any(w in s for w in weaker) for s in stronger)


def _all_ascii(literals: set[str]) -> bool:
    return all(a.isascii() for a in literals)


def _requirements(items: list[tuple[Any, Any]]) -> list[set[str]]:
    """Every any-of literal set that a match of this sequence must contain."""
    found: list[set[str]] = []
    run = ""
    for op, av in items:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run and op is sre.BRANCH and all(_leading(alt) for alt in av[1]):
            found.append({run + _leading(alt) for alt in av[1]})
        if run:
            found.append({run})
        run = ""
        found += _inner(op, av)
    if run:
        found.append({run})
    return [any_of for any_of in found if any_of]


def _inner(op: Any, av: Any) -> list[set[str]]:
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        return [] if add_flags or del_flags else _requirements(body.data)
    if op is sre.ATOMIC_GROUP:
        return _requirements(av.data)
    if op is sre.BRANCH:
        best = [max(_requirements(alt.data), key=_score, default=set()) for alt in av[1]]
        return [set().union(*best)] if all(best) else []
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _requirements(av[2].data)
    return []


def _leading(items: Iterable[tuple[Any, Any]]) -> str:
    run = ""
    for op, av in items:
        if op is not sre.LITERAL:
            break
        run += chr(av)
    return run


def _score(any_of: Iterable[str]) -> tuple[int, int]:
    """Longer shortest literal first (rarer in text), then fewer literals to look for."""
    literals = list(any_of)
    return min(len(a) for a in literals), -len(literals)


def render() -> str:
    release = version("detect-secrets")
    lines = [
        f'"""Generated from detect-secrets {release} by `{COMMAND}`: do not edit.',
        "",
        "detect-secrets' regex plugins (each plugin's secret type, pattern sources and flags, in",
        "its `denylist` order) plus gitleaks' `gcp-api-key` rule, and detect-secrets'",
        "KeywordDetector words for config names. Anchors: sets of literals; every match of the",
        "pattern contains one literal of each set (lower case for IGNORECASE patterns, valid for",
        "ASCII text only).",
        '"""',
        "",
        "# ruff: noqa: E501",
        "from __future__ import annotations",
        "",
        "import re",
        "",
        f'DETECT_SECRETS_VERSION = "{release}"',
        "",
        "# (secret type, plugin, ((pattern source, flags, anchors), ...), extra check)",
        "Pattern = tuple[str, int, tuple[tuple[str, ...], ...]]",
        "VALUE_RULES: tuple[tuple[str, str, tuple[Pattern, ...], str], ...] = (",
    ]
    for what, plugin, patterns, check in rules():
        lines += ["    (", f"        {what!r},", f"        {plugin!r},", "        ("]
        for source, flags, found in patterns:
            lines += [
                f"            ({source!r}, {_flags(flags)}, {_tuple(found)}),",
            ]
        lines += ["        ),", f"        {check!r},", "    ),"]
    lines += [")", "", "NAME_WORDS = ("]
    lines += [f"    {word!r}," for word in name_words()]
    lines += [")", ""]
    return "\n".join(lines)


def _flags(flags: int) -> str:
    names = [f"re.{n}" for n in FLAG_NAMES if flags & getattr(re, n)]
    return " | ".join(names) if names else "0"


def _tuple(items: tuple[object, ...]) -> str:
    shown = [_tuple(i) if isinstance(i, tuple) else repr(i) for i in items]
    return f"({shown[0]},)" if len(shown) == 1 else f"({', '.join(shown)})"


if __name__ == "__main__":
    TARGET.write_text(render())
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(TARGET)], check=True)
    print(f"wrote {TARGET}")

"""The shipped credential rules are detect-secrets' (pinned in requirements-dev.txt): the data
module is what the generator makes from the installed release, and the scanner gives the same
verdicts as detect-secrets' own analyze_string, anchors and all."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog import credential_rules
from generator.catalog.credentials import CHECKS, Pattern, scanner
from tools import credential_rules as generator_script

REGENERATE = f"run `{generator_script.COMMAND}` and review the diff"
GOOGLE = re.compile(generator_script.GOOGLE[2])


def test_the_committed_rules_are_those_of_the_installed_detect_secrets() -> None:
    from importlib.metadata import version

    assert version("detect-secrets") == credential_rules.DETECT_SECRETS_VERSION, REGENERATE
    assert generator_script.rules() == credential_rules.VALUE_RULES, REGENERATE
    assert generator_script.name_words() == credential_rules.NAME_WORDS, REGENERATE


def test_every_named_check_exists() -> None:
    named = {check for *_, check in credential_rules.VALUE_RULES if check}
    assert named == set(CHECKS)


def detect_secrets_findings(text: str) -> set[str]:
    """What detect-secrets' regex plugins (minus the public IP one) and the Google rule say."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    mapping: dict[str, Any] = dict(get_mapping_from_secret_type_to_class())
    found = {
        what
        for what, cls in mapping.items()
        if issubclass(cls, RegexBasedDetector)
        and cls.__name__ not in generator_script.NOT_CREDENTIALS
        and any(True for _ in cls().analyze_string(text))
    }
    return found | ({"Google API Key"} if GOOGLE.search(text) else set())


# Built from parts so no scanner flags this file; each is shaped like the real thing.
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
CORPUS = [
    "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "sk-" + "proj-" + "Ab1" * 20 + "T3BlbkFJ" + "Cd2" * 20,
    "AI" + "za" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "AKIA" + "IOSFODNN7EXAMPLE",
    "aws_secret_access_key = '" + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" + "'",
    "AWS pa\u017fs = '" + "A1" * 20 + "'",  # re's IGNORECASE folds U+017F to s
    "-----BEGIN " + "RSA PRIVATE KEY-----",
    "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
    JWT,
    "eyJ" + "hbGciOi.not-json.x",  # JWT-shaped, not a JWT: the extra check refuses it
    "gh" + "p_" + "a1B2" * 9,
    "glp" + "at-" + "abcdefghij0123456789",
    "glc" + "bt-" + "1f_" + "abcdefghij0123456789",
    "xox" + "b-1234567890-abcdefghij",
    "https://hooks.slack.com/services/" + "T0123ABCD/B0123ABCD/" + "abcdefghijklmnop",
    "postgres://app:hunter2x@db:5432/app",
    "//registry.npmjs.org/:_auth" + "Token=npm_abcdefghijklmnop",
    "ibm_cloud_iam_key = '" + "a" * 44 + "'",
    "softlayer_api_key: " + "0" * 64,
    "SG." + "a" * 22 + "." + "b" * 43,
    "AC" + "0" * 32,
    "https://api.example.com/v1",
    "203.0.113.7:443",
    "8f14e45fceea167a5a36dedd4bea2543c3f9a1b2",
    "eu-west-1",
    "ghcr.io/bench/svc-00001\nv1.1.0\nDB_PASSWORD\nAPI_TOKEN",
    "password: correct horse",
    "caf\u00e9 \u212aey: value",
]


@pytest.mark.parametrize("text", CORPUS)
def test_the_scanner_agrees_with_detect_secrets(text: str) -> None:
    assert set(scanner().findings(text)) == detect_secrets_findings(text)


def test_the_corpus_has_leaks_and_clean_values() -> None:
    verdicts = [bool(detect_secrets_findings(text)) for text in CORPUS]
    assert 15 < sum(verdicts) < len(CORPUS)


PATTERNS = [
    re.compile(source, flags)
    for *_, patterns, _check in credential_rules.VALUE_RULES
    for source, flags, _anchors in patterns
]


@settings(
    derandomize=True,  # the same examples on every run
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.sampled_from(PATTERNS).flatmap(st.from_regex))
def test_text_a_rule_matches_gets_the_same_verdicts(text: str) -> None:
    """Text made from each pattern (the anchors must not hide it), with its surroundings."""
    assert set(scanner().findings(text)) == detect_secrets_findings(text)


@pytest.mark.parametrize("text", ["c", "ac", "bc", "abc", "c ac", "x"])
@pytest.mark.parametrize("source", ["(a)?(b)?c", "(a)?c", "a?c"])
def test_groups_count_as_analyze_string_counts_them(source: str, text: str) -> None:
    """Empty groups of a match are no finding when a pattern has two or more groups (findall
    gives tuples), and are one when it has a single group; no current rule has such a match."""
    from detect_secrets.plugins.base import RegexBasedDetector

    class Plugin(RegexBasedDetector):
        secret_type = "test"
        denylist = (re.compile(source),)

    expected = any(True for _ in Plugin().analyze_string(text))
    assert Pattern("test", source, 0, None, (), folded=False).found_in(text) == expected

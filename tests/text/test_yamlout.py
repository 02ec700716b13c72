"""The one YAML writer every catalog value goes through: what it writes reads back as exactly
the value it was given, whatever the string (YAML 1.1's booleans, numbers, dates, comments,
newlines, NEL and other breaks)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.text.yamlout import Block, dump
from tests.hardening.strategies import NASTY

CORPUS_WITH_REPEATS = [
    *NASTY,
    "line\n",
    "line\n\n",
    "\n",
    "\nleading",
    "a\r",
    "a\r\nb",
    "\r",
    "tab\t",
    "\t",
    "  two spaces  ",
    "On",
    "NO",
    "Off",
    "y",
    "Null",
    "NULL",
    "~x",
    "1.10",
    "010",
    "0o17",
    ".inf",
    "2001-12-14",
    "{{",
    "}}",
    "a #b",
    "a: b",
    "a:b",
    "\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9",
    "\u65e5\u672c",
    "x\u0085y",
    "plain",
    "with/slash_and.dot-1",
]

CORPUS = list(dict.fromkeys(CORPUS_WITH_REPEATS))

strings = st.one_of(
    st.sampled_from(CORPUS), st.lists(st.sampled_from(CORPUS), min_size=2, max_size=3).map("".join)
)
leaves = st.one_of(strings, st.integers(), st.booleans(), st.none())
documents = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(strings, inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(strings, documents, min_size=1, max_size=4))
def test_dump_reads_back_as_the_same_value(doc: dict[str, Any]) -> None:
    assert yaml.safe_load(dump(doc)) == doc


@pytest.mark.parametrize("value", CORPUS, ids=repr)
def test_every_corpus_string_reads_back_as_key_value_and_item(value: str) -> None:
    doc = {value: value, "list": [value, {value: [value]}]}
    assert yaml.safe_load(dump(doc)) == doc


@pytest.mark.parametrize("script", ["echo a\necho b\n", "a\n\nb\n\n", " indented\nx", "a\nb"])
def test_blocks_read_back(script: str) -> None:
    assert yaml.safe_load(dump({"run": Block(script)})) == {"run": script}

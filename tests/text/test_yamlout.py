"""The one YAML writer every catalog value goes through: what it writes reads back as exactly
the value it was given, whatever the string (YAML 1.1's booleans, numbers, dates, comments,
newlines, NEL and other breaks)."""

from __future__ import annotations

import tracemalloc
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


def test_a_second_level_mapping_is_laid_out_as_any_other() -> None:
    """A second level's mapping (a service's values) is written as one block at once."""
    doc = {
        "services": {"a": {"port": 80, "probes": {"path": "/"}}, "b": {}},
        "items": [{"spec": {"x": "y"}, "name": "n"}],
    }
    assert dump(doc) == (
        "services:\n"
        "  a:\n"
        "    port: 80\n"
        "    probes:\n"
        "      path: /\n"
        "  b: {}\n"
        "items:\n"
        "  - spec:\n"
        '      x: "y"\n'
        '    name: "n"\n'
    )
    # a list's item whose first key holds a mapping at the second level
    assert dump([{"spec": {"x": "z"}, "name": "m"}]) == "- spec:\n    x: z\n  name: m\n"


def test_a_large_file_holds_no_string_per_line_until_the_end() -> None:
    """A line's string costs about 50 bytes beside its text: held for every line of a large
    file (the chart's values: a block per service), the writer's passing peak was six times
    the file."""
    doc = {
        "services": {
            f"service-{i:05d}": {
                "enabled": True,
                "port": 8080,
                "config": {f"KEY_{k}": f"value-{k}" for k in range(8)},
                "resources": {"cpu": "100m", "memory": "128Mi"},
            }
            for i in range(3000)
        }
    }
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        text = dump(doc)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(text)  # the blocks, their join and the writer's memos

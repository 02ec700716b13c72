"""A catalog file read without its positions (the service files' parse) gives exactly what the
located read gives: the same values, or the same located error."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.catalog import source
from generator.catalog.source import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NODES,
    DeferredSourceMap,
    YamlFileError,
    load_yaml_bytes,
)

FILE = "catalog/services/a.yaml"


def outcome(raw: bytes, *, located: bool) -> tuple[str, Any]:
    try:
        data, smap = load_yaml_bytes(raw, FILE, located=located)
    except YamlFileError as exc:
        return "error", exc.problem
    return "data", (repr(data), type(smap) is DeferredSourceMap)


def same(raw: bytes) -> None:
    kind, located = outcome(raw, located=True)
    kind_plain, plain = outcome(raw, located=False)
    assert kind_plain == kind
    if kind == "error":
        assert plain == located
    else:
        assert plain[0] == located[0]  # repr: types and order too (True is not 1)
        assert plain[1] and not located[1]


scalars = (
    st.text(max_size=12)
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.sampled_from(["0x1F", "0o17", "1e3", ".inf", "-.Inf", ".NaN", "~", "Null", "yes", "on"])
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_any_document_reads_the_same_without_positions(doc: Any, flow: bool) -> None:
    same(yaml.safe_dump({"name": doc}, default_flow_style=flow).encode())


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a duplicate key
        "a: &x {b: 1}\nc:\n  <<: *x\n",  # a merge key
        "a: !!binary aGk=\n",  # a tag outside the core schema
        "a: !foo x\n",
        "a: !!int abc\n",  # a tag the value disagrees with
        "a: !!float 3\n",
        "a: !!bool yes\n",
        "a: !!str 3\nb: !!int 0x10\nc: !!null ~\n",  # tags the values agree with
        "? [a, b]\n: 1\n",  # a key that is not a scalar
        "? !!int 3\n: x\n",  # a tagged key
        f"a: {'9' * (MAX_INT_DIGITS + 1)}\n",
        f"a: {'1' * MAX_INT_DIGITS}\n",
        "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
        "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n",
        "a: &x ["
        + ", ".join(["1"] * 200)
        + "]\nb: ["
        + ", ".join(["*x"] * (MAX_NODES // 200))
        + "]\n",
        "a: 'quoted'\nb: |\n  block\nc: \"2\"\nd: 2\ne: -0x1\n",
    ],
)
def test_every_refusal_and_edge_reads_the_same_without_positions(text: str) -> None:
    same(text.encode())


def test_a_deferred_file_places_its_fields_when_asked() -> None:
    raw = b"name: a\nsecrets:\n  keys: [A, B]\n"
    _, smap = load_yaml_bytes(raw, FILE, located=False)
    _, full = load_yaml_bytes(raw, FILE)
    assert smap.locate(("secrets", "keys", 1)) == full.locate(("secrets", "keys", 1)) == (3, 13)


SPECIAL = ["Null", "NULL", "null", "~", "", ".NaN", "+.inf", "0x1F", "-0o17", "1e3", "True", "on"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("~nNuUlLtTrRfFaAsS+-.0123456789eExXoOiI_ \u017f")))
def test_a_plain_scalar_read_without_its_regexes_is_text_or_a_bool(value: str) -> None:
    """`_resolve` reads a scalar whose first character can begin no null, int or float as
    text (or a bool) without the core schema's regexes: none of them could match it."""
    for text in (value, *SPECIAL):
        if text[:1] and text[:1] not in source._NOT_TEXT_FIRST:
            assert not any(r.match(text) for r in (source._NULL, source._INT, source._FLOAT))
            assert source._resolve(text) == source._BOOL.get(text, text)

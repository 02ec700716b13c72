"""The fast reader gives what PyYAML's safe loader gives: the same objects for every document
the tool renders and for the corners of YAML (tags, merge keys, aliases), the same errors."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.text.yamlin import load_all
from tests.conftest import REPO_CATALOG, render_tree

SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=SAFE))


def same(text: str) -> bool:
    """The same objects, types and key order included (`True == 1` for `==`, not for repr)."""
    return repr(load_all(text)) == repr(safe(text))


def test_every_yaml_file_the_repo_renders_reads_the_same() -> None:
    """The chart's and the Backstage skeleton's templates are not YAML: left out."""
    tree = render_tree(REPO_CATALOG)
    texts = [
        text
        for path, text in tree.items()
        if path.endswith((".yaml", ".yml")) and not ("/templates/" in path or "/skeleton/" in path)
    ]
    assert len(texts) > 100
    for text in texts:
        assert same(text), text


CORNERS = {
    "scalars": "a: yes\nb: ~\nc: 0x1f\nd: 1_000\ne: .inf\nf: 1e3\ng: '1'\nh: on\ni: 0o17\n",
    "timestamp": "when: 2001-12-14t21:59:43.10-05:00\nday: 2002-12-14\n",
    "merge": "base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n",
    "merge list": "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n",
    "binary": "data: !!binary aGVsbG8=\n",
    "set": "s: !!set {a, b}\n",
    "omap": "o: !!omap [{a: 1}, {b: 2}]\n",
    "explicit str": "n: !!str 123\nm: !!int '7'\n",
    "value key": "a: {=: 1}\n",
    "duplicate keys": "a: 1\na: 2\n",
    "several documents": "---\na: 1\n---\n- x\n---\nplain\n--- |\n  block\n",
    "empty document": "---\n---\na: 1\n",
    "multi-line": "a: |\n  one\n  two\nb: >\n  folded\n  text\nc: 'it''s'\nd: \"\\t\\u00e9\"\n",
}


@pytest.mark.parametrize("text", CORNERS.values(), ids=CORNERS.keys())
def test_a_corner_of_yaml_reads_the_same(text: str) -> None:
    assert same(text)


def test_an_alias_is_the_same_object_as_the_safe_loader_keeps_it() -> None:
    text = "a: &x {k: [1, 2]}\nb: *x\nc: &l [1]\nd: *l\n"
    doc = load_all(text)[0]
    assert doc == safe(text)[0]
    assert doc["a"] is doc["b"] and doc["c"] is doc["d"]


def test_a_recursive_alias_is_built_as_the_safe_loader_builds_it() -> None:
    doc = load_all("a: &x [1, *x]\n")[0]
    assert doc["a"][1] is doc["a"]


ERRORS = {
    "unknown tag": "a: !foo 1\n",
    "python tag": "a: !!python/object:os.system x\n",
    "unhashable key": "? [1, 2]\n: v\n",
    "mapping key": "? {a: 1}\n: v\n",
    "bad int": "a: !!int x\n",
}


@pytest.mark.parametrize("text", ERRORS.values(), ids=ERRORS.keys())
def test_what_the_safe_loader_refuses_is_refused_the_same_way(text: str) -> None:
    with pytest.raises(Exception) as theirs:
        safe(text)
    with pytest.raises(type(theirs.value)) as ours:
        load_all(text)
    assert str(ours.value) == str(theirs.value)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["yes", "No", "~", "0x10", "1e3", "2001-01-01", "<<", "=", ".nan", "-"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(DATA, st.booleans())
def test_whatever_safe_dump_writes_reads_the_same(data: Any, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert same(text)
    texts = [text, text.replace("'", ""), text.replace('"', "")]  # unquoted: resolved anew
    for variant in texts[1:]:
        try:
            safe(variant)
        except yaml.YAMLError:
            continue
        assert same(variant)

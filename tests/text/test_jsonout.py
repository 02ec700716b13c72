"""The JSON writer (Terraform's inputs, the manifest): `json.dumps` with `indent`, byte for
byte, at the C encoder's speed."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.text.jsonout import dumps_indented


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
def test_fast_json_writer_matches_the_standard_library(doc: object) -> None:
    assert dumps_indented(doc) == json.dumps(doc, indent=2)
    assert dumps_indented(doc, indent=1) == json.dumps(doc, indent=1)  # the manifest's layout

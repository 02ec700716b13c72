"""The shipped JSON Schemas are the models' own, and the comment joins them as json.dumps would."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.catalog.schema import KINDS, generated, generated_text, schema_text


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_schema_is_what_the_models_give(kind: str) -> None:
    assert schema_text(kind) == generated_text(kind), (
        f"generator/catalog/schemas/{kind}.schema.json is stale: "
        "run `python -m generator.catalog.schema` and commit the files"
    )


@given(kind=st.sampled_from(KINDS), comment=st.text(min_size=1))
def test_a_comment_becomes_the_first_key(kind: str, comment: str) -> None:
    doc = {"$comment": comment, **generated(kind)}
    assert schema_text(kind, comment) == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

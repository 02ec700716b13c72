"""The whole rendered tree of every fixture catalog, byte for byte."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from generator.catalog.load import load_catalog
from generator.render.pipeline import render_catalog
from tests.conftest import FIXTURE_NAMES, FIXTURES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_rendered_tree(name: str, snapshot: SnapshotAssertion) -> None:
    roots = render_catalog(load_catalog(FIXTURES / name))
    tree = {f"{root}/{path}": text for root, files in roots.items() for path, text in files.items()}
    assert tree == snapshot

"""The whole rendered tree of every fixture catalog, byte for byte."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.conftest import FIXTURE_NAMES, FIXTURES, render_tree


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_rendered_tree(name: str, snapshot: SnapshotAssertion) -> None:
    tree = {str(path): text for path, text in render_tree(FIXTURES / name).items()}
    assert tree == snapshot

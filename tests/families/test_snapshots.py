"""Every fixture catalog's output, byte for byte, one snapshot per output family.

One snapshot per (catalog, family) keeps a review readable: a change to the Vault family rewrites
the Vault snapshots only, not one tree-sized file.
"""

from __future__ import annotations

from functools import cache

import pytest
from syrupy.assertion import SnapshotAssertion

from generator.catalog.load import load_catalog
from generator.pipeline.render import OUT, render_catalog
from tests.conftest import FIXTURE_NAMES, FIXTURES

# The top folder of each family under rendered/, and the workflows root.
FAMILIES = (
    "argocd",
    "backstage",
    "helm",
    "kustomize",
    "platform",
    "runbooks",
    "schema",
    "terraform",
    "vault",
    "workflows",
)


@cache
def tree(name: str) -> dict[str, str]:
    """`{family/path: text}`: the workflows root keeps its own name as the family."""
    roots = render_catalog(load_catalog(FIXTURES / name))
    return {
        (path if root == OUT else f"{root}/{path}"): text
        for root, files in roots.items()
        for path, text in files.items()
    }


def family_of(path: str) -> str:
    return path.split("/", 1)[0]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_file_has_a_family(name: str) -> None:
    """A new family must be added to FAMILIES, or its output would escape every snapshot."""
    unknown = sorted({family_of(p) for p in tree(name)} - set(FAMILIES))
    assert unknown == []


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_family_output(name: str, family: str, snapshot: SnapshotAssertion) -> None:
    files = {p: t for p, t in tree(name).items() if family_of(p) == family}
    assert files == snapshot

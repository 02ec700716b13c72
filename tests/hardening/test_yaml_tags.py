"""YAML tags beyond the core schema are refused with their location: a catalog file is data,
and `!!python/object`, `!!binary` or an application tag would mean something else elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.errors import CatalogError
from tests.conftest import SERVICE

REFUSED = {
    "python-object": ("!!python/object:os.system x", "YAML tag !!python/object:os.system"),
    "python-apply": ("!!python/object/apply:os.system [ls]", "YAML tag !!python/object/apply"),
    "binary": ("!!binary aGVsbG8=", "YAML tag !!binary"),
    "set": ("!!set {a}", "YAML tag !!set"),
    "timestamp": ("!!timestamp 2001-12-14", "YAML tag !!timestamp"),
    "local": ("!vault secret/x", "YAML tag !vault"),
    "verbatim": ("!<tag:example.com,2000:x> y", "YAML tag tag:example.com,2000:x"),
    "wrong-core": ('!!int "x"', "'x' is not a !!int"),
}


def problems(root: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return [str(p).removeprefix(f"{root}/") for p in info.value.problems]


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_non_core_tags_are_refused_where_they_are(
    kind: str, make_catalog: Callable[..., Path]
) -> None:
    value, message = REFUSED[kind]
    root = make_catalog({"svc": SERVICE.format(name="svc") + f"config:\n  MODE: {value}\n"})
    [problem] = problems(root)
    assert problem.startswith(f"services/svc.yaml:8:9: config.MODE: {message}")


def test_a_tag_on_a_key_is_refused(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog({"svc": SERVICE.format(name="svc") + "config:\n  !!binary TU9ERQ==: x\n"})
    assert problems(root) == ["services/svc.yaml:8:3: config: YAML tag !!binary is not supported"]


def test_core_tags_and_plain_dates_read_as_written(make_catalog: Callable[..., Path]) -> None:
    """`!!str 12` is the string "12"; an untagged date stays a string (no YAML 1.1 timestamp)."""
    extra = "config: !!map\n  A: !!str 12\n  B: 2001-12-14\n  C: !!str on\n"
    root = make_catalog({"svc": SERVICE.format(name="svc") + extra})
    config = load_catalog(root).services[0].config
    assert {k: config[k] for k in "ABC"} == {"A": "12", "B": "2001-12-14", "C": "on"}

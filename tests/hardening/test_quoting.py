"""One quoting path, no `$`-before-newline slips: a catalog value with a trailing newline
reaches the output as itself, and a trailing newline in a name never passes a pattern (what
the YAML writer writes reads back as its value: `tests/text/test_yamlout.py`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import StringConstraints, TypeAdapter, ValidationError

from generator.catalog.load import load_catalog
from generator.catalog.models import CONFIG_KEY, DNS_LABEL, DURATION, ENV_KEY, SINGLE_LINE
from generator.catalog.templates import PLACEHOLDER, fill
from generator.errors import CatalogError
from tests.conftest import PLATFORM, SERVICE, render_tree


def test_a_trailing_newline_in_a_config_value_reaches_the_values_files(
    make_catalog: Callable[..., Path],
) -> None:
    """The issue's case: `"line\\n"` lost its newline in the chart's per-env values."""
    root = make_catalog({"svc": SERVICE.format(name="svc") + 'config:\n  MODE: "line\\n"\n'})
    values = [
        yaml.safe_load(text)
        for path, text in sorted(render_tree(root).items())
        if path.startswith("helm/") and path.rsplit("/", 1)[-1].startswith("values-")
    ]
    assert len(values) == 2
    assert [v["services"]["svc"]["config"]["MODE"] for v in values] == ["line\n", "line\n"]


def problems(root: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return [str(p).removeprefix(f"{root}/") for p in info.value.problems]


def test_a_backend_name_with_a_newline_is_refused(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace("  ssm:\n", '  "ssm\\n":\n')
    assert '"ssm\\n"' in platform
    root = make_catalog({}, platform=platform)
    assert problems(root) == [
        "platform.yaml:15:3: secretBackends['ssm\\n']: backend name 'ssm\\n' is not a DNS-1123 label"
    ]


def test_a_service_naming_a_backend_with_a_newline_is_refused(
    make_catalog: Callable[..., Path],
) -> None:
    text = SERVICE.format(name="svc").replace("backend: aws", 'backend: "aws\\n"')
    assert problems(make_catalog({"svc": text})) == [
        "services/svc.yaml:5:12: secrets.backend: 'aws\\n' is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)"
    ]


@pytest.mark.parametrize(
    ("pattern", "good"),
    [
        (DNS_LABEL, "svc"),
        (ENV_KEY, "DB_HOST"),
        (CONFIG_KEY, "LOG_LEVEL"),
        (DURATION, "1m"),
        (SINGLE_LINE, "x"),
    ],
)
def test_model_patterns_refuse_a_trailing_newline(pattern: str, good: str) -> None:
    """pydantic-core's regex engine reads `$` as the end of the text (Python's `re` would
    also accept a final newline): pinned here so a change of engine cannot slip."""
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    assert adapter.validate_python(good) == good
    with pytest.raises(ValidationError):
        adapter.validate_python(good + "\n")


_FIELDS = ("system", "env", "service", "key", "namespace")
_TEXT = st.text(st.characters(blacklist_characters="{}"), max_size=6)


@given(st.lists(st.tuples(_TEXT, st.sampled_from(_FIELDS)), max_size=4), _TEXT, _TEXT)
def test_a_template_expands_as_the_placeholder_pattern_reads_it(
    pieces: list[tuple[str, str]], tail: str, value: str
) -> None:
    """The cached split of `fill` and a plain substitution by the placeholder pattern agree,
    whatever a value holds (braces in a value are never read as a placeholder)."""
    template = "".join(f"{text}{{{name}}}" for text, name in pieces) + tail
    values = {name: f"{value}{{{name}}}" for name in _FIELDS}
    expected = PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    assert fill(template, values) == expected

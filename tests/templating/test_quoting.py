"""A value is quoted once: a template's own quotes around a whole `{{ }}` are the filter's,
and a value inside a longer quoted string is a located error that says what to write."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path

import hcl2
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import UserError
from generator.templating.engine import Templates
from generator.templating.quoting import QUOTED, in_quotes
from tests.templating.test_engine import engine
from tests.templating.test_overrides import built_in, override, render

VALUES = ["1h", "plain", "on", "a: b", 'say "hi"', "it's", "", "{{ x }}", 8080]


@pytest.mark.parametrize("value", VALUES)
def test_a_whole_quoted_yaml_value_is_the_value_as_a_string(tmp_path: Path, value: object) -> None:
    tpl = engine(tmp_path, {}, {"x.yaml.j2": "key: \"{{ v }}\"\nother: '{{ v }}'\n"})
    assert yaml.safe_load(tpl.render("x.yaml.j2", v=value)) == {
        "key": str(value),
        "other": str(value),
    }


@settings(max_examples=200, deadline=None)
@given(value=st.text())
def test_no_text_is_quoted_twice(value: str) -> None:
    tpl = Templates(Path(__file__).parent / "data", None)
    assert yaml.safe_load(tpl.render("quoted.yaml.j2", value=value)) == {"key": value}


@pytest.mark.parametrize(
    ("name", "text", "load"),
    [
        ("x.json.j2", '{"key": "{{ v }}"}', lambda t: json.loads(t)["key"]),
        ("x.tf.j2", 'key = "{{ v }}"', lambda t: hcl2.loads(t)["key"]),
        ("x.sh.j2", 'echo "{{ v }}"', lambda t: shlex.split(t)[1]),
    ],
)
def test_a_whole_quoted_value_works_in_json_hcl_and_shell(
    tmp_path: Path, name: str, text: str, load: Callable[[str], object]
) -> None:
    """The same output as the value written bare: its quotes are the filter's."""
    bare = text.replace('"{{ v }}"', "{{ v }}")
    tpl = engine(tmp_path, {}, {name: text + "\n", f"bare/{name}": bare + "\n"})
    value = 'a "b" $c \\d'
    quoted = tpl.render(name, v=value)
    assert quoted == tpl.render(f"bare/{name}", v=value)
    assert load(quoted) in (value, json.dumps(value))  # python-hcl2 keeps a string's quotes


@pytest.mark.parametrize(
    "line",
    ['key: "every-{{ v }}"', 'key: "{{ v }}-x"', 'key: "{{ a }}{{ b }}"', 'run: echo "hi {{ v }}"'],
)
def test_a_value_inside_a_longer_quoted_string_is_a_located_error(
    tmp_path: Path, line: str
) -> None:
    tpl = engine(tmp_path, {}, {"x.yaml.j2": f"a: 1\n{line}\n"})
    with pytest.raises(UserError) as caught:
        tpl.render("x.yaml.j2", v="1h", a="x", b="y")
    assert str(caught.value) == f"templates/x.yaml.j2:2:1: template: {QUOTED}"


def test_quotes_in_raw_text_comments_and_markdown_are_left_alone(tmp_path: Path) -> None:
    files = {
        "x.yaml.j2": 'a: "{% raw %}${{ github.ref }}{% endraw %}"\nb: {{ v }} # the "{{ v }}" one\n',
        "x.md.j2": 'Say "{{ v }}" and "a-{{ v }}".\n',
    }
    tpl = engine(tmp_path, {}, files)
    comment = 'b: "1h" # the ""1h"" one\n'  # a comment is text: nothing to settle there
    assert tpl.render("x.yaml.j2", v="1h") == 'a: "${{ github.ref }}"\n' + comment
    assert tpl.render("x.md.j2", v="1h") == 'Say "1h" and "a-1h".\n'


@pytest.mark.parametrize(
    ("line", "inside"),
    [('k: "', True), ('k: "a" "', True), ('k: "a\\"', True), ('k: "a"', False), ('# "', False)],
)
def test_in_quotes(line: str, inside: bool) -> None:
    assert in_quotes(line) is inside


def test_an_external_secret_override_may_quote_its_refresh_interval(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    name = "eso/externalsecret.yaml.j2"
    text = built_in(name).replace(
        "refreshInterval: {{ es.refresh_interval }}", 'refreshInterval: "{{ es.refresh_interval }}"'
    )
    assert text != built_in(name)
    override(catalog, name, text)
    assert render(catalog) == (0, "")
    found = catalog.parent / "rendered" / "kustomize" / "svc" / "base" / "externalsecret.yaml"
    assert yaml.safe_load(found.read_text())["spec"]["refreshInterval"] == "1h"

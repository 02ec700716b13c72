"""The engine on its own: one quoting path per format, located errors, override checks."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import hcl2
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import UserError
from generator.templating.engine import Templates
from generator.templating.located import BuiltinTemplateError
from generator.text import yamlout
from generator.text.jsonout import dumps_indented

STRUCTURE = ["a: b\nc: d", "{{ x }}", "on", "no", "1.10", "- item", "#x", "x: {y: z}", "${x}", ""]


def make(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def engine(
    tmp_path: Path, builtin: dict[str, str], overrides: dict[str, str] | None = None
) -> Templates:
    base = make(tmp_path / "builtin", builtin)
    over = make(tmp_path / "over", overrides) if overrides is not None else None
    return Templates(base, over, "templates/" if over else "")


@pytest.mark.parametrize("value", [*STRUCTURE, 7, True, None, "plain-name"])
def test_yaml_values_are_quoted_exactly_as_yamlout_writes_them(
    tmp_path: Path, value: object
) -> None:
    tpl = engine(tmp_path, {"x.yaml.j2": "key: {{ value }}\nother: 1\n"})
    text = tpl.render("x.yaml.j2", value=value)
    assert text == f"key: {yamlout.scalar(value)}\nother: 1\n"
    assert yaml.safe_load(text) == {"key": value, "other": 1}


@settings(max_examples=200, deadline=None)
@given(value=st.text())
def test_no_text_adds_yaml_structure(value: str) -> None:
    tpl = Templates(Path(__file__).parent / "data", None)
    assert yaml.safe_load(tpl.render("one-key.yaml.j2", value=value)) == {"key": value}


def test_yaml_filter_dumps_structure_through_yamlout(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {"x.yaml.j2": "metadata:\n{{ {'labels': labels} | yaml(2) }}\n"})
    labels = {"app": "on", "note": "a: b\nc: d", "empty": {}}
    text = tpl.render("x.yaml.j2", labels=labels)
    assert text == "metadata:\n" + "".join(
        f"  {line}\n" for line in yamlout.dump({"labels": labels}).splitlines()
    )
    assert yaml.safe_load(text) == {"metadata": {"labels": labels}}


def test_json_filter_dumps_structure_as_the_json_writer_does(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {"x.json.j2": '{\n  "data": {{ data | json(2) }}\n}\n'})
    data = {"a": [1, "on", "é"], "b": {}, "c": {"d": None}}
    assert tpl.render("x.json.j2", data=data) == dumps_indented({"data": data}) + "\n"


def test_a_mapping_printed_bare_is_an_error_not_a_python_repr(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {}, {"x.yaml.j2": "a: 1\nkey: {{ labels }}\n"})
    with pytest.raises(UserError, match=r"templates/x.yaml.j2:2:1: template: TypeError"):
        tpl.render("x.yaml.j2", labels={"a": "b"})


@pytest.mark.parametrize("value", STRUCTURE)
def test_other_formats_quote_each_value(tmp_path: Path, value: str) -> None:
    tpl = engine(
        tmp_path,
        {
            "x.json.j2": '{"key": {{ value }}}\n',
            "x.tf.j2": "locals {\n  key = {{ value }}\n}\n",
            "x.sh.j2": "echo {{ value }}\n",
        },
    )
    assert json.loads(tpl.render("x.json.j2", value=value)) == {"key": value}
    literal = hcl2.loads(tpl.render("x.tf.j2", value=value))["locals"][0]["key"]
    assert json.loads(literal.replace("$${", "${").replace("%%{", "%{")) == value  # one string
    assert shlex.split(tpl.render("x.sh.j2", value=value)) == ["echo", value]


def test_undefined_name_in_an_override_is_located(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {"x.yaml.j2": "a: 1\n"}, {"x.yaml.j2": "a: 1\nb: {{ nmae }}\n"})
    with pytest.raises(UserError) as err:
        tpl.render("x.yaml.j2", name="n")
    assert str(err.value) == "templates/x.yaml.j2:2:1: template: 'nmae' is undefined"


def test_undefined_attribute_inside_an_included_override_names_the_partial(tmp_path: Path) -> None:
    tpl = engine(
        tmp_path,
        {"x.yaml.j2": 'a: 1\n{% include "part.yaml.j2" %}\n', "part.yaml.j2": "b: 2\n"},
        {"part.yaml.j2": "b: 2\n\nc: {{ view.missing }}\n"},
    )
    with pytest.raises(UserError) as err:
        tpl.render("x.yaml.j2", view={"name": "n"})
    assert str(err.value).startswith("templates/part.yaml.j2:3:1: template: ")
    assert "missing" in str(err.value)


def test_syntax_error_in_an_override_is_located(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {"x.yaml.j2": "a: 1\n"}, {"x.yaml.j2": "a: 1\n{% if %}\n"})
    with pytest.raises(UserError, match=r"^templates/x.yaml.j2:2:1: template: "):
        tpl.render("x.yaml.j2")


def test_syntax_error_in_an_included_override_names_the_partial(tmp_path: Path) -> None:
    tpl = engine(
        tmp_path,
        {"x.yaml.j2": 'a: 1\n{% include "_part.j2" %}\n', "_part.j2": "b: 2\n"},
        {"_part.j2": "b: 2\n{{ }}\n"},
    )
    with pytest.raises(UserError, match=r"^templates/_part.j2:2:1: template: Expected an expr"):
        tpl.render("x.yaml.j2")


def test_a_built_in_template_error_is_a_bug_not_a_user_error(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {"x.yaml.j2": "a: {{ nope }}\n"})
    with pytest.raises(BuiltinTemplateError, match=r"built-in template x.yaml.j2:1: 'nope'"):
        tpl.render("x.yaml.j2")


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("x.yaml.j2", "a: 1\nb: [\n", 2, "output is not valid YAML"),
        ("x.yaml.j2", "a: 1\n\nb: c: d\n", 3, "output is not valid YAML"),
        (
            "x.yaml.j2",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n",
            1,
            "the ConfigMap document needs metadata.name",
        ),
        ("x.json.j2", '{"a": 1,\n}\n', 2, "output is not valid JSON"),
        ("x.tf.j2", 'locals {\n  a = "b"\n', 2, "output is not valid HCL"),
    ],
)
def test_an_override_whose_output_does_not_parse_is_located(
    tmp_path: Path, name: str, text: str, line: int, message: str
) -> None:
    tpl = engine(tmp_path, {name: "{}\n"}, {name: text})
    with pytest.raises(UserError) as err:
        tpl.render(name)
    assert str(err.value).startswith(f"templates/{name}:{line}:1: template: {message}")


@pytest.mark.parametrize(
    "include",
    [
        '{% include "part.yaml.j2" %}',
        '{%- include "part.yaml.j2" -%}',
        '{%+  include "part.yaml.j2" %}',
    ],
)
def test_a_broken_partial_override_is_checked_through_the_template_including_it(
    tmp_path: Path, include: str
) -> None:
    tpl = engine(
        tmp_path,
        {"x.yaml.j2": include + "\n", "part.yaml.j2": "a: 1"},
        {"part.yaml.j2": "a: [1"},
    )
    with pytest.raises(UserError, match="output is not valid YAML"):
        tpl.render("x.yaml.j2")


def test_built_in_outputs_are_not_parsed(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {"x.yaml.j2": "a: [1\n"})
    assert tpl.render("x.yaml.j2") == "a: [1\n"  # proven by tests instead, at no cost per run


def test_override_shadows_a_static_file_by_name(tmp_path: Path) -> None:
    tpl = engine(tmp_path, {"helm/a.yaml": "built-in", "helm/b.yaml": "b"}, {"helm/a.yaml": "mine"})
    assert (tpl.static("helm/a.yaml"), tpl.static("helm/b.yaml")) == ("mine", "b")


def test_a_static_override_is_parsed_as_its_extension_says(tmp_path: Path) -> None:
    tpl = engine(
        tmp_path,
        {"terraform/main.tf": "", "helm/a.yaml": ""},
        {"terraform/main.tf": 'locals {\n  a = "b"\n', "helm/a.yaml": "{{- range . }}\n"},
    )
    with pytest.raises(UserError, match=r"^templates/terraform/main.tf:2:1: template: output is"):
        tpl.static("terraform/main.tf")
    assert tpl.static("helm/a.yaml") == "{{- range . }}\n"  # a Go template: Helm judges it

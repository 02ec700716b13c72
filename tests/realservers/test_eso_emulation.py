"""The ESO emulation the AWS proof relies on: its Go template subset gives what Go's
text/template with sprig gives (helm's engine judges it) on the templates gitops-gen renders,
`target.template` is applied as ESO's ApplyTemplate applies it, and anything the emulation
does not know fails loudly instead of passing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.backends.eso import key_template
from tests.families.test_fail_closed import run_templates
from tests.realservers.aws import SyncError, apply_template
from tests.realservers.gotemplate import FUNCTIONS, EmulationError, TemplateError, execute

ESO_ROOT = ".Values.secrets"  # ESO's templates see the fetched data itself
VALUES = [
    "v",
    " padded\t",
    "{{ x }} $HOME 'q' \"d\"",
    "line\nbreak",
    "\x1c",  # not a space to Go (Python's strip would take it)
    "\u200b",  # zero width space: a format character, not a space
    "",
    " ",
    "\t\n\r",
    "\v\f",
    "\x85\xa0",
    "\u2003\u3000\u2028",
]


def emulated(key: str, value: str) -> str | None:
    """The emulation's output, or None when the template failed the sync."""
    try:
        return execute(key, key_template(key), {key: value})
    except TemplateError as exc:
        assert f"error calling fail: declared key {key} is empty or blank" in str(exc)
        return None


def real(chart: Path, key: str, value: str) -> str | None:
    try:
        return run_templates(chart, {key: key_template(key)}, {key: value}, root=ESO_ROOT)[key]
    except RuntimeError as exc:  # helm words `fail` its own way
        assert f"declared key {key} is empty or blank in the AWS secret" in str(exc)
        return None


@pytest.mark.tools
def test_the_emulation_gives_what_go_and_sprig_give(tmp_path: Path) -> None:
    kept = {f"K{i}": v for i, v in enumerate(VALUES) if emulated(f"K{i}", v) is not None}
    texts = {k: key_template(k) for k in kept}
    assert run_templates(tmp_path / "ok", texts, kept, root=ESO_ROOT) == kept
    failed = [(f"K{i}", v) for i, v in enumerate(VALUES) if f"K{i}" not in kept]
    assert 0 < len(failed) < len(VALUES)
    for n, (key, value) in enumerate(failed):
        assert real(tmp_path / f"c{n}", key, value) is None, repr(value)


def test_only_the_named_functions_and_constructs_are_emulated() -> None:
    assert sorted(FUNCTIONS) == ["eq", "fail", "index", "toString", "trim"]
    data = {"A": "a"}
    for text in (
        '{{ index . "A" | upper }}',
        "{{ .A }}",
        "{{ range . }}x{{ end }}",
        "{{ with . }}x{{ end }}",
        "{{ 1 }}",
        '{{ $v := "a" }}{{ $v = "b" }}',
        "{{/* a comment */}}",
        '{{ if eq "a" true }}x{{ end }}',
        '{{ template "x" }}',
    ):
        with pytest.raises(EmulationError):
            execute("A", text, data)
    assert execute("A", '{{- if eq (trim "  ") "" -}} blank {{- else -}} no {{- end }}', {}) == (
        "blank"
    )
    with pytest.raises(TemplateError, match="undefined variable"):
        execute("A", '{{ if "y" }}{{ $v := "x" }}{{ end }}{{ $v }}', data)


def test_replace_keeps_only_the_templated_keys() -> None:
    target = {"name": "s", "template": {"data": {"B": '{{ index . "A" }}!'}}}
    assert apply_template(target, {"A": "a", "X": "x"}) == {"B": "a!"}


def test_merge_keeps_the_fetched_keys_under_the_templated_ones() -> None:
    template = {"mergePolicy": "Merge", "data": {"A": '{{ index . "A" }}!'}}
    got = apply_template({"name": "s", "template": template}, {"A": "a", "X": "x"})
    assert got == {"A": "a!", "X": "x"}


def test_a_template_without_data_keeps_the_fetched_keys() -> None:
    template = {"metadata": {"labels": {"l": "v"}}}
    assert apply_template({"name": "s", "template": template}, {"A": "a"}) == {"A": "a"}
    assert apply_template({"name": "s"}, {"A": "a"}) == {"A": "a"}


def test_a_failing_template_writes_no_secret() -> None:
    target = {"name": "s", "template": {"data": {"A": key_template("A")}}}
    with pytest.raises(SyncError) as failed:
        apply_template(target, {"A": " "})
    assert str(failed.value).startswith("could not apply template: could not execute template")
    assert "error calling fail: declared key A is empty or blank" in str(failed.value)
    labels = {"name": "s", "template": {"metadata": {"labels": {"l": '{{ fail "no" }}'}}}}
    with pytest.raises(SyncError):
        apply_template(labels, {"A": "a"})


def test_what_eso_does_not_render_or_the_emulation_does_not_know() -> None:
    with pytest.raises(SyncError, match="unsupported template engine version: v1"):
        apply_template({"name": "s", "template": {"engineVersion": "v1"}}, {})
    for target in (
        {"name": "s", "creationPolicy": "Merge"},
        {"name": "s", "template": {"templateFrom": [{"configMap": {"name": "c"}}]}},
        {"name": "s", "template": {"mergePolicy": "Other"}},
        {"name": "s", "deletionPolicy": "Delete"},
    ):
        with pytest.raises(EmulationError):
            apply_template(target, {"A": "a"})

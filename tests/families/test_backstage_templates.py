"""Backstage entities come from templates a GitOps repo can override; catalog text stays text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.commands.test_new_service import snapshot_dir
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM
from tests.templating.test_overrides import built_in, override, render

COMPONENT = "backstage/component.yaml.j2"
SOFTWARE_TEMPLATE = "backstage/software-template.yaml.j2"
ANNOTATION_LOOP = "    {{ key }}: {{ value }}\n{% endfor %}\n"


def components(catalog: Path) -> dict[str, dict[str, Any]]:
    files = (catalog.parent / "rendered" / "backstage" / "services").glob("*/catalog-info.yaml")
    return {f.parent.name: yaml.safe_load(f.read_text()) for f in files}


def test_an_annotation_added_to_the_component_template_reaches_every_component(
    make_catalog: Callable[..., Path],
) -> None:
    services = {n: SERVICE.format(name=n) for n in ("api", "web")}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    assert render(catalog) == (0, "")
    before = components(catalog)
    text = built_in(COMPONENT)
    line = "    pagerduty.com/service-id: {{ component.owner }}\n"
    edited = text.replace(ANNOTATION_LOOP, ANNOTATION_LOOP + line)
    assert edited != text
    override(catalog, COMPONENT, edited)
    assert render(catalog) == (0, "")
    after = components(catalog)
    assert set(after) == {"api", "web"}
    for entity in after.values():
        assert entity["metadata"]["annotations"].pop("pagerduty.com/service-id") == "team-a"
    assert after == before  # nothing else changed


BROKEN = {  # the override's text, the line to blame, the message
    "undefined": ("kind: Template\nmetadata:\n  name: {{ template.nmae }}\n", 3, "template: 'Te"),
    "no-name": ("apiVersion: x/v1\nkind: Template\nmetadata: {}\n", 1, "template: the Template"),
}


@pytest.mark.parametrize(("text", "line", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_software_template_exits_2_located_and_leaves_rendered_untouched(
    make_catalog: Callable[..., Path], text: str, line: int, message: str
) -> None:
    catalog = make_catalog()
    assert render(catalog)[0] == 0
    before = snapshot_dir(catalog.parent / "rendered")
    file = override(catalog, SOFTWARE_TEMPLATE, text)
    code, stderr = render(catalog)
    assert (code, stderr.count("\n")) == (2, 1), stderr
    assert stderr.startswith(f"{file.as_posix()}:{line}:1: {message}"), stderr
    assert snapshot_dir(catalog.parent / "rendered") == before


def test_a_description_shaped_like_yaml_stays_one_string(
    make_catalog: Callable[..., Path],
) -> None:
    description = "owner: {name: mallory} # - x"
    service = SERVICE.format(name="svc") + f"description: '{description}'\n"
    catalog = make_catalog({"svc": service})
    assert render(catalog) == (0, "")
    entity = components(catalog)["svc"]
    assert entity["metadata"]["description"] == description
    assert list(entity["metadata"]) == ["name", "description", "annotations", "links"]
    assert entity["spec"]["owner"] == "team-a"

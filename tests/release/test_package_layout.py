"""The package lists every module folder and template folder, and reads templates as data."""

from __future__ import annotations

import tomllib

from generator.templating.builtin import builtin_names, static_text, templates_dir
from tests.tools import ROOT

PACKAGE = "generator.builtin_templates"


def listed_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_every_module_folder_and_template_folder_is_packaged() -> None:
    expected = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "generator").rglob("__init__.py")
    }
    templates = ROOT / "templates"
    expected |= {
        ".".join((PACKAGE, *p.relative_to(templates).parts)).rstrip(".")
        for p in [templates, *templates.rglob("*")]
        if p.is_dir() and p.name != "__pycache__"
    }
    missing = expected - listed_packages()
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_templates_are_read_from_the_one_copy() -> None:
    assert templates_dir() == ROOT / "templates"  # the editable install reads the checkout
    assert static_text("helm", "service.yaml") == (ROOT / "templates/helm/service.yaml").read_text()
    names = builtin_names()
    assert "scaffold/service.yaml" in names
    assert not [n for n in names if n.endswith((".py", ".pyc"))]


def test_one_version_string() -> None:
    from importlib.metadata import version

    import generator

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in config["project"] and config["project"]["dynamic"] == ["version"]
    assert version("gitops-gen") == generator.__version__

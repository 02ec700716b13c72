"""`gitops-gen templates list` and `templates eject NAME`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.templating.engine import builtin_templates
from tests.conftest import run

NAME = "kustomize/overlay-kustomization.yaml.j2"


def test_list_names_every_template_with_the_file_used(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog()
    mine = catalog.parent / "templates" / "helm" / "configmap.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# mine\n")
    result = run(["templates", "list", "--catalog", str(catalog)])
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    builtin = builtin_templates()
    assert [r[0] for r in rows] == builtin.names()
    by_name = {r[0]: r[1:] for r in rows}
    assert by_name["helm/configmap.yaml"] == ["override", str(mine)]
    assert by_name[NAME] == ["built-in", str(builtin.builtin / NAME)]
    assert {r[1] for r in rows} == {"built-in", "override"}


def test_eject_copies_the_built_in_and_never_overwrites(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog()
    target = catalog.parent / "templates" / NAME
    first = run(["templates", "eject", NAME, "--catalog", str(catalog)])
    assert (first.exit_code, first.stdout) == (0, f"gitops-gen: wrote {target.as_posix()}\n")
    assert target.read_bytes() == (builtin_templates().builtin / NAME).read_bytes()
    target.write_text("edited\n")
    again = run(["templates", "eject", NAME, "--catalog", str(catalog)])
    assert again.exit_code == 2
    assert again.stderr.startswith(f"{target}:1:1: templatesPath: already exists")
    assert target.read_text() == "edited\n"


def test_eject_honours_templates_path(make_catalog: Callable[..., Path]) -> None:
    from tests.conftest import PLATFORM

    catalog = make_catalog(platform=PLATFORM + "templatesPath: platform/tpl\n")
    assert run(["templates", "eject", NAME, "--catalog", str(catalog)]).exit_code == 0
    assert (catalog.parent / "platform" / "tpl" / NAME).is_file()


def test_eject_of_an_unknown_name_exits_2_with_close_matches(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    result = run(["templates", "eject", "kustomize/overlay.yaml.j2", "--catalog", str(catalog)])
    assert result.exit_code == 2
    head = "templates eject: name: 'kustomize/overlay.yaml.j2' is not a template; "
    assert result.stderr.startswith(f"{head}did you mean {NAME}, ")  # the closest first
    assert "kustomize/base-kustomization.yaml.j2" in result.stderr
    assert result.stderr.endswith("?\n") and result.stderr.count("\n") == 1
    assert not (catalog.parent / "templates").exists()


def test_list_leaves_out_what_makes_the_folder_a_package(make_catalog: Callable[..., Path]) -> None:
    """templates/ is also the package `generator.builtin_templates`: its __init__.py is no template."""
    names = [
        line.split()[0]
        for line in run(["templates", "list", "--catalog", str(make_catalog())]).output.splitlines()
    ]
    assert "__init__.py" not in names
    assert not [n for n in names if "__pycache__" in n]
    assert "helm/deployment.yaml" in names

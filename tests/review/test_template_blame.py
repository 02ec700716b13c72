"""`check` blames the drift a template change causes on the template file, and the drift a
catalog change causes on the catalog file, with an override in place both times."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM, run
from tests.templating.test_overrides import built_in, override, render

ES = "eso/externalsecret.yaml.j2"
NOTE = "  annotations:\n    team.example.com/cost: cc-1\nspec:\n"


def check(catalog: Path, fmt: str = "text") -> tuple[int, str]:
    root = catalog.parent
    args = ["check", "--catalog", str(catalog), "--out", str(root / "rendered")]
    result = run([*args, "--workflows-dir", str(root / "workflows"), "--format", fmt])
    return result.exit_code, result.output.replace(f"{root.as_posix()}/", "")


def rendered_with_override(make_catalog: Callable[..., Path]) -> Path:
    services = {"a": SERVICE.format(name="a"), "b": SERVICE.format(name="b")}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    override(catalog, ES, built_in(ES))
    assert render(catalog) == (0, "")
    assert check(catalog)[0] == 0
    return catalog


def test_a_template_edit_is_blamed_on_the_template_file(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = rendered_with_override(make_catalog)
    override(catalog, ES, built_in(ES).replace("\nspec:\n", "\n" + NOTE))
    code, out = check(catalog)
    assert code == 1
    listing = out.split("\n--- ")[0]
    assert (
        listing
        == (
            "gitops-gen: 3 file(s) drift from the catalog; fix: "
            f"`gitops-gen render --catalog {catalog.as_posix()} --out rendered --workflows-dir "
            "workflows`\n"
            "from template templates/eso/externalsecret.yaml.j2:\n"
            "  changed             rendered/.gitops-gen-templates.json\n"
            "  changed             rendered/kustomize/a/base/externalsecret.yaml\n"
            "  changed             rendered/kustomize/b/base/externalsecret.yaml\n"
        )
        or listing
    )
    files = json.loads(check(catalog, "json")[1])["files"]
    assert {(f["source"], f["template"]) for f in files} == {
        ("templates/eso/externalsecret.yaml.j2", True)
    }


def test_a_service_edit_with_an_override_in_place_is_blamed_on_the_service(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = rendered_with_override(make_catalog)
    service = catalog / "services" / "a.yaml"
    service.write_text(service.read_text().replace("[DB_PASSWORD]", "[DB_PASSWORD, DB_USER]"))
    code, out = check(catalog)
    assert code == 1
    assert "from catalog services/a.yaml:\n" in out
    assert "template" not in out.split("\n--- ")[0]
    files = json.loads(check(catalog, "json")[1])["files"]
    assert ("services/a.yaml", False) in {(f["source"], f["template"]) for f in files}
    assert not [f for f in files if f["template"] or f["source"].startswith("templates/")]


def test_a_new_added_file_is_blamed_on_itself(make_catalog: Callable[..., Path]) -> None:
    catalog = rendered_with_override(make_catalog)
    override(
        catalog,
        "kustomize/env/note.yaml.j2",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ service.name }}-note\n",
    )
    code, out = check(catalog)
    assert code == 1
    listing = out.split("\n--- ")[0]
    assert "from template templates/kustomize/env/note.yaml.j2:\n" in listing
    assert "  missing  [dev]      rendered/kustomize/a/overlays/dev/note.yaml\n" in listing
    assert "  changed  [dev]      rendered/kustomize/a/overlays/dev/kustomization.yaml\n" in listing
    assert "from catalog" not in listing

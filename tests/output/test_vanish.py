"""Nothing vanishes silently: unreadable service files are errors, emptying needs a flag."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.output.stray import STRAY
from tests.catalog.test_validation import errors
from tests.conftest import SERVICE, run
from tests.output.test_write import check, render, snapshot_dir


def test_dangling_symlink_is_an_error_not_a_removal(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog({"a": SERVICE.format(name="a")}), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    before = snapshot_dir(out)
    (catalog / "services" / "a.yaml").unlink()
    (catalog / "services" / "a.yaml").symlink_to("../../shared/a.yaml")
    assert errors(catalog) == [
        "services/a.yaml:1:1: (file): dangling symlink (points to ../../shared/a.yaml): fix or remove it"
    ]
    code, output = render(catalog, out)
    assert code == 2 and "dangling symlink" in output
    assert snapshot_dir(out) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_service_file_is_an_error(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog()
    (catalog / "services" / "svc.yaml").chmod(0)
    assert errors(catalog) == ["services/svc.yaml:1:1: (file): cannot read: Permission denied"]


def test_folder_named_like_a_service_file_is_an_error(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog()
    (catalog / "services" / "b.yaml").mkdir()
    assert errors(catalog) == ["services/b.yaml:1:1: (file): a folder, not a service file"]


def test_dangling_services_folder_is_an_error(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog({})
    (catalog / "services").rmdir()
    (catalog / "services").symlink_to("missing")
    assert errors(catalog) == [
        "services:1:1: (file): cannot list the services folder: a dangling symlink"
    ]


def test_emptying_the_catalog_needs_allow_empty(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    before = snapshot_dir(out)
    (catalog / "services" / "svc.yaml").unlink()
    code, output = render(catalog, out)
    assert code == 2
    removed = output.split("(")[1].split(" ")[0]
    assert output.strip() == (
        f"{catalog.as_posix()}/services/: services: the catalog has no services: this "
        f"render would remove every service's output ({removed} generated files); if that is "
        "intended, run again with --allow-empty"
    )
    assert int(removed) > 5 and snapshot_dir(out) == before
    code, output = render(catalog, out, "--allow-empty")
    assert code == 0 and f"{removed} removed" in output


def test_empty_catalog_first_render_needs_no_flag(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog({}), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    assert render(catalog, out)[0] == 0
    assert run(["validate", "--catalog", str(catalog)]).exit_code == 0


def test_stray_application_fails_check(make_catalog: Callable[..., Path], tmp_path: Path) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    (out / "argocd" / "dev" / "sneaky.yaml").write_text("kind: Application\n")
    (out / "helm" / "acme-services" / "templates" / "extra").mkdir()
    (out / "helm" / "acme-services" / "templates" / "extra" / "x.yaml").write_text("a: 1\n")
    (out / "terraform" / "envs" / "dev" / "backend.tf").write_text("terraform {}\n")
    (out / "kustomize" / "svc" / "overlays" / "dev" / "notes.txt").write_text("unused\n")
    result = check(catalog, out)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("  stray")]
    assert lines == [
        f"  stray               {out.as_posix()}/helm/acme-services/templates/extra/x.yaml",
        f"  stray    [dev]      {out.as_posix()}/argocd/dev/sneaky.yaml",
    ]
    assert f"{STRAY}:" in result.output
    code, output = render(catalog, out)
    assert code == 0 and f"warning: {out.as_posix()}/argocd/dev/sneaky.yaml" in output
    assert (out / "argocd" / "dev" / "sneaky.yaml").is_file()
    for path in ("argocd/dev/sneaky.yaml", "helm/acme-services/templates/extra/x.yaml"):
        (out / path).unlink()
    assert check(catalog, out).exit_code == 0

"""Templates render in Jinja's immutable sandbox, and an override is read only as a regular file
inside the templates folder: anything else is a located exit 2 that leaves rendered/ as it was,
never a hang, a crash, or a file's content in the output."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.errors import UserError
from generator.templating.engine import builtin_templates
from generator.templating.files import MAX_TEMPLATE_BYTES, read_override
from generator.templating.formats import YAML
from tests.commands.test_new_service import snapshot_dir
from tests.conftest import run
from tests.templating.test_overrides import override, render

RUNBOOK = "runbooks/runbook.md.j2"
ONLY = "templates are read only as regular files inside the templates folder"
POPEN = '{{ cycler.__init__.__globals__.os.popen("touch %s").read() }}\n'


def rendered_once(make_catalog: Callable[..., Path]) -> tuple[Path, dict[str, bytes]]:
    catalog = make_catalog()
    assert render(catalog) == (0, "")
    return catalog, snapshot_dir(catalog.parent / "rendered")


def refused(catalog: Path, before: dict[str, bytes]) -> str:
    """The render's stderr, once it is known to have exited 2 and written nothing."""
    code, stderr = render(catalog)
    assert code == 2, stderr
    assert snapshot_dir(catalog.parent / "rendered") == before
    return stderr


def test_an_unsafe_attribute_in_an_override_is_located_and_never_runs(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, before = rendered_once(make_catalog)
    marker = tmp_path / "ran"
    file = override(catalog, RUNBOOK, "# Runbook\n\n" + POPEN % marker)
    assert refused(catalog, before) == (
        f"{file.as_posix()}:3:1: template: SecurityError: "
        "access to attribute '__init__' of 'type' object is unsafe.\n"
    )
    assert not marker.exists()


def test_an_override_cannot_change_a_value_it_is_given(make_catalog: Callable[..., Path]) -> None:
    catalog, before = rendered_once(make_catalog)
    file = override(catalog, RUNBOOK, "{% set keys = [] %}{{ keys.append(1) }}\n")
    assert refused(catalog, before) == (
        f"{file.as_posix()}:1:1: template: SecurityError: "
        "access to attribute 'append' of 'list' object is unsafe.\n"
    )


def test_every_environment_templates_render_in_is_the_immutable_sandbox() -> None:
    from generator.commands.init import _environment as init_environment

    assert isinstance(builtin_templates()._env(YAML), ImmutableSandboxedEnvironment)
    assert isinstance(init_environment(), ImmutableSandboxedEnvironment)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/shadow", "/dev/zero"])
def test_an_override_that_is_a_symlink_is_refused(
    make_catalog: Callable[..., Path], target: str
) -> None:
    catalog, before = rendered_once(make_catalog)
    link = catalog.parent / "templates" / RUNBOOK
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    assert refused(catalog, before) == (
        f"{link.as_posix()}:1:1: template: is a symbolic link: {ONLY}\n"
    )


def test_a_symlinked_folder_in_the_templates_folder_is_refused(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, before = rendered_once(make_catalog)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "runbook.md.j2").write_text("# from elsewhere\n")
    link = catalog.parent / "templates" / "runbooks"
    link.parent.mkdir()
    link.symlink_to(elsewhere)
    assert refused(catalog, before) == (
        f"{link.as_posix()}:1:1: template: is a symbolic link: {ONLY}\n"
    )


def test_a_templates_folder_that_is_a_symlink_is_refused(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, before = rendered_once(make_catalog)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "runbooks").mkdir(parents=True)
    (elsewhere / RUNBOOK).write_text("# from elsewhere\n")
    link = catalog.parent / "templates"
    link.symlink_to(elsewhere)
    assert refused(catalog, before) == (
        f"{link.as_posix()}:1:1: template: is a symbolic link: {ONLY}\n"
    )


def test_a_fifo_override_is_refused_without_hanging(make_catalog: Callable[..., Path]) -> None:
    catalog, before = rendered_once(make_catalog)
    fifo = catalog.parent / "templates" / RUNBOOK
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    out, flows = catalog.parent / "rendered", catalog.parent / "workflows"
    args = ["--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(flows)]
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "render", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (
        2,
        f"{fifo.as_posix()}:1:1: template: is a FIFO: {ONLY}\n",
    )
    assert snapshot_dir(out) == before


def test_a_device_override_is_refused(make_catalog: Callable[..., Path]) -> None:
    catalog, before = rendered_once(make_catalog)
    device = catalog.parent / "templates" / RUNBOOK
    device.parent.mkdir(parents=True)
    try:
        os.mknod(device, 0o600 | 0o020000, os.makedev(1, 5))  # a character device: the zero one
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    assert refused(catalog, before) == (
        f"{device.as_posix()}:1:1: template: is a character device: {ONLY}\n"
    )


def test_an_override_over_the_size_bound_is_refused(make_catalog: Callable[..., Path]) -> None:
    catalog, before = rendered_once(make_catalog)
    size = MAX_TEMPLATE_BYTES + 1
    file = override(catalog, RUNBOOK, "#" * size)
    assert refused(catalog, before) == (
        f"{file.as_posix()}:1:1: template: is larger than {MAX_TEMPLATE_BYTES} bytes ({size}): "
        "templates are at most 1 MiB\n"
    )


def test_an_include_that_leaves_the_templates_folder_is_refused(
    make_catalog: Callable[..., Path],
) -> None:
    catalog, before = rendered_once(make_catalog)
    (catalog.parent / "secret.txt").write_text("s3cret\n")
    file = override(catalog, RUNBOOK, '# Runbook\n{% include "../../secret.txt" %}\n')
    assert refused(catalog, before) == (
        f"{file.as_posix()}:2:1: template: TemplateNotFound: ../../secret.txt\n"
    )


def test_an_override_swapped_for_a_link_after_the_walk_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    (root / "runbooks").mkdir(parents=True)
    (root / RUNBOOK).symlink_to("/proc/self/environ")
    with pytest.raises(UserError) as caught:
        read_override(root, RUNBOOK, "templates/")
    assert str(caught.value) == f"templates/{RUNBOOK}:1:1: template: is a symbolic link: {ONLY}"


def test_templates_list_and_eject_refuse_a_symlink_in_the_templates_folder(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    link = catalog.parent / "templates" / "runbooks"
    link.parent.mkdir()
    link.symlink_to("/etc")
    expected = f"{link.as_posix()}:1:1: template: is a symbolic link: {ONLY}\n"
    for args in (["templates", "list"], ["templates", "eject", RUNBOOK]):
        result = run([*args, "--catalog", str(catalog)])
        assert (result.exit_code, result.stderr) == (2, expected)
    assert not Path("/etc/runbook.md.j2").exists()

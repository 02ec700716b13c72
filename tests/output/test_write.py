"""Nothing lost: atomic write-if-changed, prune only generated files, a failed render writes nothing."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from generator.catalog.load import load_catalog
from generator.output.manifest import manifest_text
from generator.output.write import union_manifest
from generator.pipeline.render import render_catalog
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM, run


def snapshot_dir(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def render(catalog: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = run(
        [
            "render",
            "--catalog",
            str(catalog),
            "--out",
            str(out),
            "--workflows-dir",
            str(out.parent / "wf"),
            *extra,
        ]
    )
    return result.exit_code, result.output


def check(catalog: Path, out: Path) -> Result:
    wf = str(out.parent / "wf")
    return run(["check", "--catalog", str(catalog), "--out", str(out), "--workflows-dir", wf])


def test_render_then_check_is_clean(make_catalog: Callable[..., Path], tmp_path: Path) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    code, output = render(catalog, out)
    files = [*snapshot_dir(out), *snapshot_dir(tmp_path / "wf")]
    generated = [f for f in files if not f.endswith(".gitops-gen-manifest.json")]
    assert len(generated) > 10 and len(files) == len(generated) + 1  # one manifest
    assert (code, output) == (0, f"gitops-gen: {len(generated)} written, 0 unchanged, 0 removed\n")
    result = check(catalog, out)
    assert result.exit_code == 0, result.output


def test_second_render_rewrites_nothing(make_catalog: Callable[..., Path], tmp_path: Path) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    render(catalog, out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    code, output = render(catalog, out)
    assert code == 0 and output.startswith("gitops-gen: 0 written,")
    assert mtimes == {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_failed_render_leaves_output_byte_identical(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    render(catalog, out)
    before = snapshot_dir(out)
    (catalog / "services" / "svc.yaml").write_text(SERVICE.format(name="svc") + "bogus: 1\n")
    code, _ = render(catalog, out)
    assert code == 2
    assert snapshot_dir(out) == before


def test_removed_service_prunes_only_generated_files(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    services = {"svc": SERVICE.format(name="svc"), "gone": SERVICE.format(name="gone")}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    out = tmp_path / "rendered"
    render(catalog, out)
    hand_made = out / "kustomize" / "gone" / "NOTES.md"
    hand_made.write_text("mine\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    (catalog / "services" / "gone.yaml").unlink()
    code, output = render(catalog, out)
    assert code == 0 and " removed" in output and not output.endswith(" 0 removed\n")
    assert hand_made.read_text() == "mine\n"
    assert not (out / "kustomize" / "gone" / "base").exists()
    assert outside.read_text() == "keep\n"
    assert not list(out.rglob("*gitops-gen-tmp*"))


def test_symlinked_output_is_refused(make_catalog: Callable[..., Path], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "rendered"
    os.symlink(elsewhere, link)
    code, output = render(make_catalog(), link)
    assert code == 2 and "symlink" in output
    assert list(elsewhere.iterdir()) == []


def test_symlink_inside_output_is_refused(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    render(catalog, out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = out / "kustomize" / "svc"
    for p in sorted(target.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    target.rmdir()
    os.symlink(elsewhere, target)
    code, output = render(catalog, out)
    assert code == 2 and "symlink" in output
    assert list(elsewhere.iterdir()) == []


def test_check_reports_each_kind_of_drift(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    render(catalog, out)
    base = out / "kustomize" / "svc" / "base"
    (base / "externalsecret.yaml").write_text("edited\n")
    (base / "kustomization.yaml").unlink()
    result = check(catalog, out)
    assert result.exit_code == 1
    assert "changed  " in result.output and "missing  " in result.output
    assert "+apiVersion: external-secrets.io/v1" in result.output
    assert "-edited" in result.output


def test_a_content_only_change_leaves_a_final_manifest(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    """Same file list, new content: the union manifest written first is replaced at the end."""
    catalog, out = make_catalog(), tmp_path / "rendered"
    render(catalog, out)
    services = catalog / "services" / "svc.yaml"
    services.write_text(services.read_text().replace("tag: v1", "tag: v2"))
    code, _ = render(catalog, out)
    assert code == 0
    assert '"complete"' not in (out / ".gitops-gen-manifest.json").read_text()
    assert check(catalog, out).exit_code == 0


def test_a_file_where_a_folder_goes_is_refused_before_any_write(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    tree = render_catalog(load_catalog(catalog))["out"]
    last = max((p for p in tree if "/" in p), key=lambda p: p.split("/"))
    blocker = out / last.rpartition("/")[0]
    blocker.parent.mkdir(parents=True)
    blocker.write_text("mine\n")
    before = snapshot_dir(tmp_path)
    code, output = render(catalog, out)
    assert code == 2
    assert output == f"{blocker}: output: a file stands where a generated folder goes\n"
    assert snapshot_dir(tmp_path) == before


@pytest.mark.parametrize("family", ["kustomize/", "runbooks/"])
def test_a_failing_writer_exits_2_naming_the_file(
    make_catalog: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    family: str,
) -> None:
    """A disk that fills while staging the last file of a family in path order (a Kustomize
    file the main process rendered, a runbook the worker rendered): the user gets the
    located line naming the output file, not a crash, and the output is as it was."""
    from generator.output import stage

    monkeypatch.setenv("GITOPS_GEN_JOBS", "2")
    catalog, out = make_catalog(), tmp_path / "rendered"
    tree = render_catalog(load_catalog(catalog))["out"]
    last = max((p for p in tree if p.startswith(family)), key=lambda p: p.split("/"))
    real_write = stage._write_new

    def disk_full_at_last(full: str, text: str) -> None:
        if full.endswith(f"/{stage.STAGING}/{last}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), full)
        real_write(full, text)

    monkeypatch.setattr(stage, "_write_new", disk_full_at_last)
    code, output = render(catalog, out)
    assert (code, output) == (
        2,
        f"{out}/{last}: output: No space left on device; nothing in the output was changed\n",
    )
    assert not out.exists(), "a first render that failed leaves no output folder"
    monkeypatch.setattr(stage, "_write_new", real_write)
    assert render(catalog, out)[0] == 0
    assert check(catalog, out).exit_code == 0


_paths = st.lists(
    st.from_regex(r"[a-z]{1,3}(/[a-z]{1,3}){0,2}", fullmatch=True), max_size=6, unique=True
)
_listing = st.dictionaries(st.sampled_from(["rendered", "workflows"]), _paths, max_size=2)


@given(old=_listing, new=_listing)
def test_the_union_manifest_lists_old_and_new_marked_incomplete(
    old: dict[str, list[str]], new: dict[str, list[str]]
) -> None:
    """The shortcut (the final text plus the mark, when nothing old is dropped) writes what
    the whole union would."""
    final = manifest_text(new, "1.2.3")
    files = {k: sorted(set(old.get(k, [])) | set(new.get(k, []))) for k in sorted({*old, *new})}
    doc = {"generator": "gitops-gen", "complete": False, "version": "1.2.3", "files": files}
    assert union_manifest(old, final) == json.dumps(doc, indent=1) + "\n"

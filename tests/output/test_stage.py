"""A render stages its new and changed files inside the output and moves them into place only
once everything rendered and checked: what each family sends back is names, not text."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.output import engine, stage, write
from generator.parts.result import FamilyResult
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM
from tests.output.test_write import check, render, snapshot_dir


def test_nothing_in_the_output_moves_before_every_family_rendered(
    make_catalog: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the last task runs, the earlier families' files are staged, none in place."""
    catalog, out = make_catalog(platform=SERVICE_SCOPE_PLATFORM), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    (catalog / "services" / "more.yaml").write_text(SERVICE.format(name="more"))
    before = snapshot_dir(out)
    seen: list[dict[str, bytes]] = []
    real = stage.Comparer.__call__

    def watched(self: stage.Comparer, result: FamilyResult) -> stage.Compared:
        seen.append(snapshot_dir(out))
        return real(self, result)

    monkeypatch.setattr(stage.Comparer, "__call__", watched)
    with engine.staged_plan(catalog, out, tmp_path / "wf") as plan:
        staged = snapshot_dir(out / stage.STAGING)
        assert {k: v for k, v in snapshot_dir(out).items() if not k.startswith(".")} == {
            k: v for k, v in before.items() if not k.startswith(".")
        }
        engine.apply_plan(plan, held=True)
    assert seen and all(
        {k: v for k, v in s.items() if not k.startswith(stage.STAGING)} == before for s in seen
    )
    assert "kustomize/more/base/kustomization.yaml" in staged, "the new service was staged"
    assert not (out / stage.STAGING).exists(), "the staging folder goes once moved"
    assert (out / "kustomize/more/base/kustomization.yaml").read_bytes() == staged[
        "kustomize/more/base/kustomization.yaml"
    ]
    assert check(catalog, out).exit_code == 0


def test_a_killed_run_s_staging_folder_goes_with_the_next_render(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    assert render(catalog, out)[0] == 0
    left = out / stage.STAGING / "kustomize" / "svc"
    left.mkdir(parents=True)
    (left / "half.yaml").write_text("a killed run's\n")
    assert render(catalog, out)[0] == 0
    assert not (out / stage.STAGING).exists()


def test_check_and_dry_run_stage_nothing(make_catalog: Callable[..., Path], tmp_path: Path) -> None:
    catalog, out = make_catalog(), tmp_path / "rendered"
    assert check(catalog, out).exit_code == 1
    assert not out.exists(), "check writes nothing, not even a staging folder"
    assert render(catalog, out, "--dry-run")[0] == 0
    assert not out.exists()


def test_a_new_folder_moves_whole_and_an_existing_one_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged, root = tmp_path / "staged", tmp_path / "root"
    for rel in ("new/a/x.yaml", "new/b.yaml", "old/y.yaml", "top.yaml"):
        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
        (staged / rel).write_text(rel)
    (root / "old").mkdir(parents=True)
    (root / "old" / "kept.yaml").write_text("kept")
    moves: list[tuple[str, str]] = []
    real = write._move

    def recorded(source: str, target: str) -> None:
        moves.append((os.path.relpath(source, staged), os.path.relpath(target, root)))
        real(source, target)

    monkeypatch.setattr(write, "_move", recorded)
    write.move_staged(staged, root)
    assert moves == [("new", "new"), ("old/y.yaml", "old/y.yaml"), ("top.yaml", "top.yaml")]
    assert snapshot_dir(root) == {
        "new/a/x.yaml": b"new/a/x.yaml",
        "new/b.yaml": b"new/b.yaml",
        "old/kept.yaml": b"kept",
        "old/y.yaml": b"old/y.yaml",
        "top.yaml": b"top.yaml",
    }


def test_two_families_rendering_one_file_is_a_bug_not_a_silent_loss(tmp_path: Path) -> None:
    one = stage.Compared(paths=["a/x.yaml", "b.yaml"])
    other = stage.Compared(paths=["a/x.yaml"])
    with pytest.raises(RuntimeError, match="two output families render"):
        stage.merged([one, other], None, {})

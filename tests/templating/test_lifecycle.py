"""Overrides that know when they are stale: eject records the built-in it copied; `templates
list` says `stale`, `templates diff` shows the built-in's change, `templates update` merges it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from generator.commands.ejected import RECORD, digest
from tests.conftest import run
from tests.templating.test_overrides import built_in

NAME = "kustomize/overlay-kustomization.yaml.j2"
NEW_LINE = "kind: Kustomization\n"  # the line the built-in "added" since the eject


def _eject(make_catalog: Callable[..., Path]) -> tuple[Path, Path]:
    catalog = make_catalog()
    assert run(["templates", "eject", NAME, "--catalog", str(catalog)]).exit_code == 0
    return catalog, catalog.parent / "templates" / NAME


def _older_builtin(catalog: Path) -> str:
    """Pretend the eject copied a built-in without NEW_LINE: the built-in then moved on."""
    record = catalog.parent / "templates" / RECORD
    data = json.loads(record.read_text())
    old = built_in(NAME).replace(NEW_LINE, "")
    data["templates"][NAME] = {"sha256": digest(old.encode()), "text": old}
    record.write_text(json.dumps(data))
    return old


def _list_kind(catalog: Path) -> str:
    rows = run(["templates", "list", "--catalog", str(catalog)]).stdout.splitlines()
    return next(r.split()[1] for r in rows if r.split()[0] == NAME)


def test_eject_records_the_built_in_it_copied(make_catalog: Callable[..., Path]) -> None:
    catalog, _ = _eject(make_catalog)
    data = json.loads((catalog.parent / "templates" / RECORD).read_text())
    text = built_in(NAME)
    assert data["templates"] == {NAME: {"sha256": digest(text.encode()), "text": text}}
    assert _list_kind(catalog) == "override"
    result = run(["templates", "diff", NAME, "--catalog", str(catalog)])
    assert (result.exit_code, result.stdout) == (
        0,
        f"gitops-gen: {NAME}: the built-in has not changed since it was ejected\n",
    )


def test_list_says_stale_and_diff_shows_the_built_ins_change(
    make_catalog: Callable[..., Path],
) -> None:
    catalog, _ = _eject(make_catalog)
    _older_builtin(catalog)
    assert _list_kind(catalog) == "stale"
    result = run(["templates", "diff", NAME, "--catalog", str(catalog)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:6] == [
        f"--- {NAME} (built-in when ejected)",
        f"+++ {NAME} (built-in now)",
        "@@ -1,5 +1,6 @@",
        " " + built_in(NAME).splitlines()[0],
        " apiVersion: kustomize.config.k8s.io/v1beta1",
        "+kind: Kustomization",
    ]


def test_update_merges_the_change_and_keeps_the_teams_edit(
    make_catalog: Callable[..., Path],
) -> None:
    catalog, target = _eject(make_catalog)
    old = _older_builtin(catalog)
    mine = old + "commonLabels:\n  team: a\n"
    target.write_text(mine)
    result = run(["templates", "update", NAME, "--catalog", str(catalog)])
    assert (result.exit_code, result.stdout) == (
        0,
        f"gitops-gen: {target.as_posix()}: merged the built-in's change\n",
    )
    assert target.read_text() == built_in(NAME) + "commonLabels:\n  team: a\n"
    assert _list_kind(catalog) == "override"
    again = run(["templates", "update", NAME, "--catalog", str(catalog)])
    assert again.stdout == f"gitops-gen: {target.as_posix()}: already on the current built-in\n"


def test_update_writes_conflict_markers_and_exits_2(make_catalog: Callable[..., Path]) -> None:
    catalog, target = _eject(make_catalog)
    old = _older_builtin(catalog)
    # the team changed the very lines the built-in changed
    target.write_text(old.replace("v1beta1\n", "v1beta1\nkind: Component\n"))
    result = run(["templates", "update", NAME, "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{target.as_posix()}:1:1: template: conflicts with the built-in's change: "
        "resolve the <<<<<<< ======= >>>>>>> markers\n"
    )
    text = target.read_text()
    assert f"<<<<<<< {NAME} (override)\n" in text
    assert ">>>>>>> built-in now\n" in text


def test_diff_of_a_template_never_ejected_exits_2(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog()
    result = run(["templates", "diff", NAME, "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"templates diff: name: '{NAME}' is not overridden (nothing ejected)\n"
    )

"""This repo's own rendered/ is the committed output of catalog/: the PR drift check, run here."""

from __future__ import annotations

import os

from tests.conftest import REPO_CATALOG, run


def test_repo_rendered_has_no_drift() -> None:
    root = REPO_CATALOG.parent
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = run(["check"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output

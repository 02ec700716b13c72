"""An unexpected crash exits 3 and says how to get the traceback and what to report."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.output import engine


def boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom")


def test_crash_message_says_how_to_report_without_an_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "plan_for", boom)
    monkeypatch.delenv("GITOPS_GEN_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["render"])
    assert result.exit_code == 3
    message = result.output
    assert message.startswith("gitops-gen: internal error (RuntimeError). This is a bug")
    for needed in ("GITOPS_GEN_DEBUG=1", "traceback", "`gitops-gen --version`", "the command"):
        assert needed in message
    assert "http" not in message and "Traceback" not in message


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "plan_for", boom)
    monkeypatch.setenv("GITOPS_GEN_DEBUG", "1")
    result = CliRunner().invoke(main, ["render"])
    assert isinstance(result.exception, RuntimeError)

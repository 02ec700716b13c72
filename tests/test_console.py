"""--quiet and --verbose on every command, colour on a terminal only (NO_COLOR, FORCE_COLOR),
and progress on stderr for long work on a terminal only (`generator/console.py`)."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from generator import console
from generator.cli import main
from tests.conftest import PLATFORM, run

PLACEHOLDER = PLATFORM.replace("gitRepo: ", "gitRepo: https://git.invalid/x.git\n#", 1)


@pytest.fixture(autouse=True)
def plain(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No colour settings from the machine running the suite; the level as a command leaves it."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    yield
    console.set_level(console.NORMAL)


@pytest.fixture
def repo(make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A rendered repo whose platform.yaml holds a placeholder: every run warns about it."""
    root = make_catalog(platform=PLACEHOLDER).parent
    monkeypatch.chdir(root)
    monkeypatch.setenv("GITOPS_GEN_JOBS", "1")
    assert run(["render"]).exit_code == 0
    return root


def every_command(group: click.Group = main, prefix: str = "") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += every_command(command, f"{prefix}{name} ")
        else:
            names.append(prefix + name)
    return names


def test_every_command_takes_quiet_and_verbose() -> None:
    commands = every_command()
    assert {"render", "check", "validate", "diff", "init", "templates show"} <= set(commands)
    for name in commands:
        help_text = run([*name.split(), "--help"]).output
        assert "--quiet" in help_text and "--verbose" in help_text, name


@pytest.mark.parametrize("where", ["after", "before"])
def test_quiet_keeps_errors_only(repo: Path, where: str) -> None:
    args = ["render", "-q"] if where == "after" else ["--quiet", "render"]
    done = run(args)
    assert (done.exit_code, done.stdout, done.stderr) == (0, "", "")
    assert run(["validate"]).stdout.startswith("catalog ok")  # the level does not outlive a run
    (repo / "catalog/services/svc.yaml").write_text("name: svc\nowner: [\n")
    done = run(["validate", "--quiet"])
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr == (
        "catalog/services/svc.yaml:3:1: (file): YAML syntax: did not find expected node content\n"
    )


def test_quiet_check_keeps_the_report_it_was_asked_for(repo: Path) -> None:
    (repo / "rendered/helm/acme-services/values.yaml").write_text("edited\n")
    done = run(["check", "--quiet"])
    assert done.exit_code == 1
    assert done.stdout.startswith("gitops-gen: 1 file(s) drift from the catalog")
    assert done.stderr == ""  # the placeholder warning went


def test_verbose_says_what_each_step_did_and_how_long(repo: Path) -> None:
    done = run(["render", "--verbose"])
    assert done.exit_code == 0
    steps = [line for line in done.stderr.splitlines() if not line.startswith("catalog/")]
    assert len(steps) == 2, done.stderr
    assert re.fullmatch(
        r"gitops-gen: load, render and compare: 1 services, \d+ files, 0 to change \(\d+\.\d\d s\)",
        steps[0],
    )
    assert re.fullmatch(
        r"gitops-gen: write: 0 written, \d+ unchanged, 0 removed \(\d+\.\d\d s\)", steps[1]
    )
    assert "(" not in run(["render"]).stderr  # not without --verbose


def test_colour_only_on_request_or_a_terminal(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warning = run(["validate"]).stderr
    assert "\x1b[" not in warning  # CliRunner's stderr is no terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = run(["validate"]).stderr
    assert coloured.startswith("\x1b[33m") and coloured.rstrip("\n").endswith("\x1b[0m")
    assert click.unstyle(coloured) == warning
    monkeypatch.setenv("NO_COLOR", "1")  # wins over FORCE_COLOR
    assert run(["validate"]).stderr == warning


def test_a_terminal_gets_colour_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert console.colour(Terminal())
    assert not console.colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not console.colour(Terminal())


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def ticked(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO) -> str:
    """Run a step that waits until the ticker wrote once (or 10 s), on `stream` as stderr."""
    monkeypatch.setattr("sys.stderr", stream)
    monkeypatch.setattr(console, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(console, "PROGRESS_EVERY", 0.01)
    shown = threading.Event()
    with console.step("rendering"):
        for _ in range(1000):
            if "gitops-gen: rendering..." in stream.getvalue():
                shown.set()
                break
            shown.wait(0.01)
    return stream.getvalue()


def test_long_work_ticks_on_a_terminal_and_leaves_a_clean_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    text = ticked(monkeypatch, Terminal())
    assert text.startswith("\rgitops-gen: rendering... 0 s") and text.endswith("\r\x1b[K")


@pytest.mark.parametrize("where", ["pipe", "ci", "quiet"])
def test_no_progress_in_a_pipe_a_ci_log_or_quiet(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.delenv("CI", raising=False)
    if where == "ci":
        monkeypatch.setenv("CI", "true")
    if where == "quiet":
        console.set_level(console.QUIET)
    stream = io.StringIO() if where == "pipe" else Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    monkeypatch.setattr(console, "PROGRESS_AFTER", 0.0)
    with console.step("rendering"):
        ticking = [t for t in threading.enumerate() if t.name == "gitops-gen-progress"]
    assert (ticking, stream.getvalue()) == ([], "")

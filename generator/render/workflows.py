"""GitHub workflows of the GitOps repo: drift check, secret sync, post-deploy force-sync.

They land in the `workflows` root (`.github/workflows/`), named `gitops-gen-*.yml` so they
never collide with a team's own. Scripts are built from validated names, each shell word
through `shlex.quote`; `${{ }}` expressions appear only where GitHub must expand them.
"""

from __future__ import annotations

import shlex
from typing import Any

from generator.catalog.models import AwsParameterStore, AwsSecretsManager, Environment, Service
from generator.render import terraform
from generator.render.actions import checkout, credentials_gate, gated, setup_tool, uses
from generator.render.facts import MANAGED_LABEL, Facts
from generator.render.kube import yaml_file
from generator.render.result import Results
from generator.render.tfgithub import github_secret_name, github_services, variable_name
from generator.render.yamlout import Block

AwsBackend = AwsSecretsManager | AwsParameterStore
CHECK = "gitops-gen-check.yml"
SECRETS_SYNC = "gitops-gen-secrets-sync.yml"
FORCE_SYNC = "gitops-gen-force-sync.yml"
REPORT = "gitops-gen-report.md"
DIFF_REPORT = "gitops-gen-diff.md"
RUNNER = "ubuntu-latest"
WAIT_TIMEOUT = "120s"
READ = {"contents": "read"}
OIDC = {"contents": "read", "id-token": "write"}  # id-token: the AWS role via OIDC


def render(facts: Facts, results: Results) -> dict[str, str]:
    """`results` are the `rendered/` families': workflows exist only for what they produce."""
    src = facts.source()
    files = {CHECK: yaml_file(src, check_workflow(facts))}
    if results.terraform():  # Terraform inputs to apply
        files[SECRETS_SYNC] = yaml_file(src, secrets_sync_workflow(facts))
    if any(_synced_namespaces(facts, env) for env in facts.envs):
        files[FORCE_SYNC] = yaml_file(src, force_sync_workflow(facts))
    return files


def _gitops_gen(facts: Facts, *args: str) -> str:
    ci, q = facts.platform.ci, shlex.quote
    words = ["gitops-gen", *args, "--catalog", ci.catalogPath]
    return " ".join(q(w) for w in words)


COMMENT_SCRIPT = """\
const fs = require('fs');
const marker = '<!-- gitops-gen report -->';
const parts = ['gitops-gen-report.md', 'gitops-gen-diff.md']
  .filter((f) => fs.existsSync(f))
  .map((f) => fs.readFileSync(f, 'utf8'));
const body = [marker, ...parts].join('\\n\\n').slice(0, 65000);
const { owner, repo } = context.repo;
const issue_number = context.issue.number;
const list = github.rest.issues.listComments;
const comments = await github.paginate(list, { owner, repo, issue_number });
const mine = comments.find((c) => c.body && c.body.startsWith(marker));
if (mine) {
  await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
} else {
  await github.rest.issues.createComment({ owner, repo, issue_number, body });
}
"""


def check_workflow(facts: Facts) -> dict[str, Any]:
    """PR check: fail on drift; the drift and change reports go to the summary and a comment."""
    out = facts.platform.renderedPath
    check = _gitops_gen(facts, "check", "--out", out, "--format", "markdown")
    check_script = (
        "set +e\n"
        f"{check} > {REPORT}\n"
        "status=$?\n"
        f'cat {REPORT} >> "$GITHUB_STEP_SUMMARY"\n'
        'exit "$status"\n'
    )
    diff = _gitops_gen(facts, "diff", "--format", "markdown")
    diff_script = (
        "set +e\n"
        f'{diff} --base "origin/$BASE_REF" > {DIFF_REPORT}\n'
        "status=$?\n"
        f'cat {DIFF_REPORT} >> "$GITHUB_STEP_SUMMARY"\n'
        'test "$status" -le 1  # 1 means "the output changes", which a PR may do\n'
    )
    on_pr = "always() && github.event_name == 'pull_request'"
    return {
        "name": "gitops-gen check",
        "on": {"pull_request": {}, "push": {"branches": [facts.platform.gitRevision]}},
        "permissions": {},
        "concurrency": {"group": "gitops-gen-check-${{ github.ref }}", "cancel-in-progress": True},
        "jobs": {
            "drift": {
                "name": "rendered output matches the catalog",
                "runs-on": RUNNER,
                "permissions": {**READ, "pull-requests": "write"},  # the report comment
                "steps": [
                    checkout(**{"fetch-depth": 0}),  # `diff --base` reads the base branch
                    *setup_tool(facts.platform.ci),
                    {"name": "Check for drift", "id": "check", "run": Block(check_script)},
                    {
                        "name": "What this change does to the output",
                        "if": on_pr,
                        "run": Block(diff_script),
                        "env": {"BASE_REF": "${{ github.base_ref }}"},
                    },
                    {
                        "name": "Post the reports on the pull request",
                        "if": on_pr,
                        "continue-on-error": True,  # a fork's token cannot comment
                        "uses": uses("actions/github-script"),
                        "with": {"script": Block(COMMENT_SCRIPT)},
                    },
                ],
            }
        },
    }


def _aws_credentials(facts: Facts, secret: str) -> dict[str, Any]:
    assert facts.platform.aws is not None
    return {
        "name": "Assume the AWS role (OIDC)",
        "uses": uses("aws-actions/configure-aws-credentials"),
        "with": {
            "role-to-assume": "${{ secrets." + secret + " }}",
            "aws-region": facts.platform.aws.region,
        },
    }


def job_id(env: Environment) -> str:
    """A job id must start with a letter; an env name may start with a digit."""
    return f"env-{env.name}"


def _ordered_jobs(envs: list[Environment], build: Any) -> dict[str, Any]:
    """One job per env, each after the previous one: promotion order."""
    jobs: dict[str, Any] = {}
    previous = None
    for env in envs:
        job = build(env)
        if previous is not None:
            job = {"needs": previous, **job}
        jobs[job_id(env)] = job
        previous = job_id(env)
    return jobs


def _state_guard(facts: Facts) -> dict[str, Any]:
    """Local state in CI is lost after the run; the next apply would fail or duplicate."""
    if facts.platform.ci.terraformStateBucket:
        return {"name": "State backend", "run": "test -f backend.tf"}
    msg = (
        "::error::no backend.tf in this folder: add one by hand (gitops-gen never touches it) "
        "or set ci.terraformStateBucket in platform.yaml"
    )
    return {
        "name": "State backend",
        "run": f"test -f backend.tf || {{ echo {shlex.quote(msg)}; exit 1; }}",
    }


def secrets_sync_workflow(facts: Facts) -> dict[str, Any]:
    """Seed 002: Terraform creates the secrets (and writes the GitHub-sourced values)."""
    ci = facts.platform.ci
    tf_paths = f"{facts.platform.renderedPath}/{terraform.ROOT}/**"

    def job(env: Environment) -> dict[str, Any]:
        folder = f"{facts.platform.renderedPath}/{terraform.env_dir(env.name)}"
        values = {}  # seed 002's GitHub-sourced values: only the plan step sees them
        for svc in github_services(facts, env):
            assert svc.secrets is not None
            for key in svc.secrets.keys:
                secret = github_secret_name(svc.name, key)
                values[f"TF_VAR_{variable_name(svc.name, key)}"] = "${{ secrets." + secret + " }}"
        plan = {"run": "terraform plan -out=tfplan", **({"env": values} if values else {})}
        terraform_steps = [
            _state_guard(facts),
            {"run": "terraform init"},
            plan,
            {"run": "terraform apply tfplan"},
            {"name": "Secret and role ARNs", "run": "terraform output -json"},
        ]
        return {
            "name": f"terraform ({env.name})",
            "runs-on": RUNNER,
            "environment": env.name,
            "permissions": OIDC,
            "env": {"TF_IN_AUTOMATION": "true", "TF_INPUT": "false"},
            "steps": [
                credentials_gate([ci.terraformRoleSecret], f"environment {env.name}"),
                *gated(
                    [
                        checkout(),
                        _aws_credentials(facts, ci.terraformRoleSecret),
                        {
                            "uses": uses("hashicorp/setup-terraform"),
                            "with": {
                                "terraform_version": ci.terraformVersion,
                                "terraform_wrapper": False,
                            },
                        },
                        *({**step, "working-directory": folder} for step in terraform_steps),
                    ]
                ),
            ],
        }

    return {
        "name": "gitops-gen secrets sync",
        "on": {
            "workflow_dispatch": {},
            "schedule": [{"cron": "0 2 * * *"}],
            "push": {"branches": [facts.platform.gitRevision], "paths": [tf_paths]},
        },
        "permissions": {},
        "concurrency": {"group": "gitops-gen-secrets-sync", "cancel-in-progress": False},
        "jobs": _ordered_jobs(facts.envs, job),
    }


def _synced_namespaces(facts: Facts, env: Environment) -> list[str]:
    """Namespaces with ExternalSecrets in `env`: where a force-sync has something to do."""
    return sorted(
        {
            facts.deployed(svc, env).namespace
            for svc, _backend in _aws_services(facts)
            if facts.deployed(svc, env).enabled
        }
    )


def _aws_services(facts: Facts) -> list[tuple[Service, AwsBackend]]:
    out = []
    for svc in facts.services:
        plan = facts.secret_plan(svc)
        if plan is not None and isinstance(plan.backend, AwsSecretsManager | AwsParameterStore):
            out.append((svc, plan.backend))
    return out


def force_sync_script(namespaces: list[str]) -> str:
    """Seed 001's annotate-then-wait, scoped by namespace and the managed label."""
    label = f"{MANAGED_LABEL}=true"
    words = " ".join(shlex.quote(ns) for ns in namespaces)
    return (
        "set -eu\n"
        'stamp="$(date +%s)"\n'
        f"for ns in {words}; do\n"
        f'  kubectl annotate externalsecret -n "$ns" -l {label} "force-sync=$stamp" --overwrite\n'
        f'  kubectl wait externalsecret -n "$ns" -l {label} --for=condition=Ready '
        f"--timeout={WAIT_TIMEOUT}\n"
        "done\n"
    )


def pipeline_services(facts: Facts, env: Environment) -> list[Service]:
    """Services enabled in `env` whose values the pipeline pushes (`valuesFrom: pipeline`)."""
    return [
        svc
        for svc, backend in _aws_services(facts)
        if backend.valuesFrom == "pipeline" and facts.deployed(svc, env).enabled
    ]


def _push_steps(facts: Facts, env: Environment) -> list[dict[str, Any]]:
    """Seed 001's injection: each service's GitHub secrets -> `push-secrets --from-env`."""
    services = pipeline_services(facts, env)
    if not services:
        return []
    steps = [checkout(), *setup_tool(facts.platform.ci)]
    for svc in services:
        assert svc.secrets is not None
        values = {
            k: "${{ secrets." + github_secret_name(svc.name, k) + " }}" for k in svc.secrets.keys
        }
        command = _gitops_gen(
            facts, "push-secrets", "--env", env.name, "--service", svc.name, "--from-env"
        )
        steps.append({"name": f"Push values of {svc.name}", "run": command, "env": values})
    return steps


def force_sync_workflow(facts: Facts) -> dict[str, Any]:
    """Seed 001: push the pipeline's values, refresh every managed ExternalSecret, wait for it."""
    ci = facts.platform.ci
    assert facts.platform.aws is not None
    region = facts.platform.aws.region
    names = [e.name for e in facts.envs]
    envs = [e for e in facts.envs if _synced_namespaces(facts, e)]
    env_input = {"description": "Environment to sync", "required": True, "type": "string"}

    def job(env: Environment) -> dict[str, Any]:
        kubeconfig = f'aws eks update-kubeconfig --name "$CLUSTER" --region {shlex.quote(region)}'
        return {
            "name": f"push values and force-sync ({env.name})",
            "if": f"inputs.environment == '{env.name}'",
            "runs-on": RUNNER,
            "environment": env.name,
            "permissions": OIDC,
            "steps": [
                credentials_gate(
                    [ci.deployRoleSecret, ci.clusterNameSecret], f"environment {env.name}"
                ),
                *gated(
                    [
                        _aws_credentials(facts, ci.deployRoleSecret),
                        *_push_steps(facts, env),
                        {
                            "name": "Kubeconfig",
                            "run": kubeconfig,
                            "env": {"CLUSTER": "${{ secrets." + ci.clusterNameSecret + " }}"},
                        },
                        {
                            "name": "Force-sync ExternalSecrets and wait until Ready",
                            "run": Block(force_sync_script(_synced_namespaces(facts, env))),
                        },
                    ]
                ),
            ],
        }

    return {
        "name": "gitops-gen push values and force-sync",
        "on": {
            "workflow_dispatch": {
                "inputs": {"environment": {**env_input, "type": "choice", "options": names}}
            },
            "workflow_call": {"inputs": {"environment": env_input}},
        },
        "permissions": {},
        "concurrency": {
            "group": "gitops-gen-force-sync-${{ inputs.environment }}",
            "cancel-in-progress": False,
        },
        "jobs": {job_id(env): job(env) for env in envs},
    }

"""GitHub workflows of the GitOps repo: drift check, secret sync, post-deploy force-sync.

Each is `templates/workflows/<file>.j2`, fed an immutable view built here from `Facts`. They
land in the `workflows` root (`.github/workflows/`), named `gitops-gen-*.yml` so they never
collide with a team's own. Shell text is built here from validated names, each word through
`shlex.quote`; the template then quotes it as a YAML scalar (a multi-line script is a `Block`
the template writes with its `yaml` filter). A `${{ secrets.NAME }}` naming a catalog setting
is a view value; GitHub's fixed expressions are written in the templates.

The force-sync reaches each cluster as the platform's cloud says (`backends.cluster_access`:
EKS through the deploy role, or a kubeconfig secret without an `aws` section); the secret
sync applies the Terraform roots, which only AWS has (see `terraform.py`), so it is AWS's.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import NamedTuple

from generator import backends
from generator.catalog.facts import Facts, header
from generator.catalog.models import Environment, Service
from generator.catalog.names import github_secret_name
from generator.families import terraform
from generator.families.actions import (
    ACTIONS,
    FORK_PULL_REQUEST,
    FORK_PULL_REQUEST_EXPRESSION,
    credentials_gate_script,
    install_script,
    pinned,
)
from generator.families.workflow_views import (
    CalledSecret,
    CheckView,
    ForceSyncJob,
    ForceSyncView,
    Gate,
    Login,
    PushStep,
    SecretsSyncView,
    TerraformJob,
    Tool,
    Variable,
)
from generator.templating.engine import templates_for
from generator.text.yamlout import Block

CHECK = "gitops-gen-check.yml"
SECRETS_SYNC = "gitops-gen-secrets-sync.yml"
FORCE_SYNC = "gitops-gen-force-sync.yml"
REPORT = "gitops-gen-report.md"
DIFF_REPORT = "gitops-gen-diff.md"
WAIT_TIMEOUT = "120s"


def template(file: str) -> str:
    return f"workflows/{file}.j2"


def render(facts: Facts) -> dict[str, str]:
    """Workflows exist only for what the `rendered/` families produce: the secrets sync only
    where there are Terraform inputs to apply, the force-sync only where values are synced."""
    templates = templates_for(facts.catalog)
    head = header(facts.source())

    def write(file: str, **view: NamedTuple) -> str:
        return head + templates.render(template(file), **view)

    files = {CHECK: write(CHECK, check=check_view(facts))}
    if terraform.has_inputs(facts):
        files[SECRETS_SYNC] = write(SECRETS_SYNC, sync=secrets_sync_view(facts))
    view = force_sync_view(facts)
    if view.jobs:
        files[FORCE_SYNC] = write(FORCE_SYNC, sync=view)
    return files


def _gitops_gen(facts: Facts, *args: str) -> str:
    words = ["gitops-gen", *args, "--catalog", facts.platform.ci.catalogPath]
    return " ".join(map(shlex.quote, words))


def _secret(name: str) -> str:
    return "${{ secrets." + name + " }}"


def _tool(facts: Facts) -> Tool:
    ci = facts.platform.ci
    return Tool(ci.pythonVersion, install_script(ci))


def _gate(secrets: list[str], env: Environment) -> Gate:
    script = credentials_gate_script(secrets, env.name)
    values = [Variable(name, _secret(name)) for name in secrets]
    return Gate(script, (*values, Variable(FORK_PULL_REQUEST, FORK_PULL_REQUEST_EXPRESSION)))


def job_id(env: Environment) -> str:
    """A job id must start with a letter; an env name may start with a digit."""
    return f"env-{env.name}"


def check_view(facts: Facts) -> CheckView:
    """PR check: fail on drift; the drift and change reports go to the summary and a comment."""
    out = facts.platform.renderedPath
    check = _gitops_gen(facts, "check", "--out", out, "--format", "markdown")
    diff = _gitops_gen(facts, "diff", "--format", "markdown")
    return CheckView(
        actions=ACTIONS,
        branch=facts.platform.gitRevision,
        tool=_tool(facts),
        check_script=Block(
            "set +e\n"
            f"{check} > {REPORT}\n"
            "status=$?\n"
            f'cat {REPORT} >> "$GITHUB_STEP_SUMMARY"\n'
            'exit "$status"\n'
        ),
        diff_script=Block(
            "set +e\n"
            f'{diff} --base "origin/$BASE_REF" > {DIFF_REPORT}\n'
            "status=$?\n"
            f'cat {DIFF_REPORT} >> "$GITHUB_STEP_SUMMARY"\n'
            'test "$status" -le 1  # 1 means "the output changes", which a PR may do\n'
        ),
    )


def _state_guard(facts: Facts) -> Block:
    """Local state in CI is lost after the run; the next apply would fail or duplicate."""
    if facts.platform.ci.terraformStateBucket:
        return Block("test -f backend.tf")
    msg = (
        "::error::no backend.tf in this folder: add one by hand (gitops-gen never touches it) "
        "or set ci.terraformStateBucket in platform.yaml"
    )
    return Block(f"test -f backend.tf || {{ echo {shlex.quote(msg)}; exit 1; }}")


def _github_values(facts: Facts, env: Environment) -> tuple[Variable, ...]:
    """Seed 002's GitHub-sourced values of `env`, as Terraform variables (the backend types
    say which)."""
    return tuple(
        Variable(f"TF_VAR_{variable}", _secret(secret))
        for variable, secret in backends.terraform_variables(facts, env)
    )


def secrets_sync_view(facts: Facts) -> SecretsSyncView:
    """Seed 002: Terraform creates the secrets (and writes the GitHub-sourced values)."""
    ci, platform = facts.platform.ci, facts.platform
    assert platform.aws is not None
    previous = ["", *(job_id(env) for env in facts.envs[:-1])]
    jobs = tuple(
        TerraformJob(
            id=job_id(env),
            needs=needs,
            env=env.name,
            gate=_gate([ci.terraformRoleSecret], env),
            folder=f"{platform.renderedPath}/{terraform.env_dir(env.name)}",
            values=_github_values(facts, env),
        )
        for env, needs in zip(facts.envs, previous, strict=True)
    )
    return SecretsSyncView(
        actions=ACTIONS,
        branch=platform.gitRevision,
        paths=f"{platform.renderedPath}/{terraform.ROOT}/**",
        role=_secret(ci.terraformRoleSecret),
        region=platform.aws.region,
        terraform_version=ci.terraformVersion,
        state_guard=_state_guard(facts),
        jobs=jobs,
    )


def _synced_namespaces(facts: Facts, env: Environment, synced: list[Synced]) -> list[str]:
    """Namespaces with ExternalSecrets in `env`: where a force-sync has something to do."""
    deployed = (facts.deployed(svc, env) for svc, _pushed in synced)
    return sorted({d.namespace for d in deployed if d.enabled})


class Synced(NamedTuple):
    service: Service
    pushed: bool  # its values are pushed by the pipeline (`pipeline_services`)


def _synced_services(facts: Facts) -> list[Synced]:
    """Services whose backend type's objects the force-sync workflow refreshes."""
    out = []
    for svc in facts.services:
        plan = facts.secret_plan(svc)
        if plan is not None:
            plugin = backends.plugin_for(plan.backend)
            if plugin.force_synced:
                out.append(Synced(svc, plugin.pushed_by_ci(plan.backend)))
    return out


def force_sync_script(namespaces: Iterable[str], label_key: str) -> Block:
    """Seed 001's annotate-then-wait, scoped by namespace and the managed label. The
    namespaces are the positional parameters: a literal list of one (a new repo's first
    service) is shellcheck's SC2043, a loop that only ever runs once."""
    label = f"{label_key}=true"
    words = " ".join(shlex.quote(ns) for ns in namespaces)
    return Block(
        "set -eu\n"
        'stamp="$(date +%s)"\n'
        f"set -- {words}\n"
        'for ns in "$@"; do\n'
        f'  kubectl annotate externalsecret -n "$ns" -l {label} "force-sync=$stamp" --overwrite\n'
        f'  kubectl wait externalsecret -n "$ns" -l {label} --for=condition=Ready '
        f"--timeout={WAIT_TIMEOUT}\n"
        "done\n"
    )


def pipeline_services(facts: Facts, env: Environment, synced: list[Synced]) -> list[Service]:
    """Services enabled in `env` whose values the pipeline pushes (AWS: `valuesFrom:
    pipeline`)."""
    return [svc for svc, pushed in synced if pushed and facts.deployed(svc, env).enabled]


def _push_step(facts: Facts, env: Environment, svc: Service) -> PushStep:
    """Seed 001's injection: the service's GitHub secrets -> `push-secrets --from-env`."""
    assert svc.secrets is not None
    values = (Variable(k, _secret(github_secret_name(svc.name, k))) for k in svc.secrets.keys)
    command = Block(
        _gitops_gen(facts, "push-secrets", "--env", env.name, "--service", svc.name, "--from-env")
    )
    return PushStep(svc.name, command, tuple(values))


def force_sync_view(facts: Facts) -> ForceSyncView:
    """Seed 001: push the pipeline's values, refresh every managed ExternalSecret, wait for it.
    The cluster is reached as the platform's cloud says (`backends.cluster_access`)."""
    access = backends.cluster_access(facts.platform)
    kubeconfig_env = tuple(Variable(name, value) for name, value in access.kubeconfig_env)
    jobs = []
    synced = _synced_services(facts)
    pushed = {env.name: pipeline_services(facts, env, synced) for env in facts.envs}
    for env in facts.envs:
        namespaces = _synced_namespaces(facts, env, synced)
        if namespaces:
            jobs.append(
                ForceSyncJob(
                    id=job_id(env),
                    env=env.name,
                    gate=_gate([name for name, _what in access.secrets], env),
                    pushes=tuple(_push_step(facts, env, s) for s in pushed[env.name]),
                    kubeconfig=access.kubeconfig,
                    kubeconfig_env=kubeconfig_env,
                    script=force_sync_script(namespaces, facts.managed_label),
                )
            )
    # role, region and cluster: what a copy of the template ejected before `login` reads
    aws, ci = facts.platform.aws, facts.platform.ci
    return ForceSyncView(
        actions=ACTIONS,
        tool=_tool(facts),
        envs=tuple(env.name for env in facts.envs),
        login=_login(access.login),
        role=_secret(ci.deployRoleSecret) if aws else "",
        region=aws.region if aws else "",
        cluster=_secret(ci.clusterNameSecret) if aws else "",
        jobs=tuple(jobs),
        secrets=_called_secrets(access, pushed),
    )


def _login(login: backends.CloudLogin | None) -> Login | None:
    if login is None:
        return None
    inputs = tuple(Variable(name, value) for name, value in login.inputs)
    return Login(login.name, pinned(login.action), inputs)


def _called_secrets(
    access: backends.ClusterAccess, pushed: dict[str, list[Service]]
) -> tuple[CalledSecret, ...]:
    """Every secret the force-sync jobs read, each once: what its `workflow_call` declares."""
    called = dict(access.secrets)
    values = {
        github_secret_name(svc.name, key): f"value of {key} of {svc.name}, for push-secrets"
        for services in pushed.values()
        for svc in services
        if svc.secrets is not None
        for key in svc.secrets.keys
    }
    return tuple(CalledSecret(n, d) for n, d in {**called, **dict(sorted(values.items()))}.items())

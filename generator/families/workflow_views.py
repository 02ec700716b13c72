"""What the workflow templates see: one immutable view per workflow file.

`templates/workflows/<file>.j2` is fed the view `workflows.py` builds from `Facts`; shell
text in a view is a `Block`, already quoted word by word (see that module): the one kind of
text an override may put in a `run:` step (`templating/runsteps.py`). The README lists the
fields.
"""

from __future__ import annotations

from typing import NamedTuple

from generator.families.actions import Action, Actions
from generator.text.yamlout import Block


class Variable(NamedTuple):
    """One environment variable of a step: `{{ var.name }}: {{ var.value }}`."""

    name: str
    value: str  # often a `${{ secrets.NAME }}` expression


class Tool(NamedTuple):
    """How a job installs gitops-gen: Python, then pip."""

    python_version: str
    install: Block  # shell: one line, or several for a hash-pinned install


class Gate(NamedTuple):
    """A job's first step: are its secrets configured? (`id: credentials`)"""

    script: Block  # shell: sets the `configured` output; fails naming a missing secret
    env: tuple[Variable, ...]  # each secret it tests, and whether this is a fork's PR


class CheckView(NamedTuple):
    """What `workflows/gitops-gen-check.yml.j2` sees as `check`."""

    actions: Actions
    branch: str  # gitRevision: pushes to it are checked too
    tool: Tool
    check_script: Block  # shell: `gitops-gen check`, report to the step summary
    diff_script: Block  # shell: `gitops-gen diff --base`, report to the step summary


class TerraformJob(NamedTuple):
    """One env's Terraform job of the secrets sync."""

    id: str  # env-<env>
    needs: str  # the previous env's job ("" for the first): promotion order
    env: str
    gate: Gate
    folder: str  # working directory: the env's Terraform root
    values: tuple[Variable, ...]  # TF_VAR_* from GitHub secrets: only the plan step sees them


class SecretsSyncView(NamedTuple):
    """What `workflows/gitops-gen-secrets-sync.yml.j2` sees as `sync`."""

    actions: Actions
    branch: str
    paths: str  # the Terraform output: a push changing it runs the sync
    role: str  # `${{ secrets.<ci.terraformRoleSecret> }}`
    region: str
    terraform_version: str
    state_guard: Block  # shell: refuse to apply without a state backend
    jobs: tuple[TerraformJob, ...]


class PushStep(NamedTuple):
    """`push-secrets --from-env` of one service: its GitHub secrets as the step's env."""

    service: str
    command: Block  # shell
    values: tuple[Variable, ...]


class ForceSyncJob(NamedTuple):
    """One env's push-and-force-sync job (runs when that env is the input)."""

    id: str  # env-<env>
    env: str
    gate: Gate
    pushes: tuple[PushStep, ...]  # none: no checkout or install either
    kubeconfig: Block  # shell: the platform's cloud writes the cluster's kubeconfig
    kubeconfig_env: tuple[Variable, ...]  # what that step reads (the cluster's secrets)
    script: Block  # shell: annotate every managed ExternalSecret, wait until Ready


class Login(NamedTuple):
    """The cloud login step of a job (OIDC: the job may mint an ID token)."""

    name: str
    action: Action
    inputs: tuple[Variable, ...]  # its `with:`


class CalledSecret(NamedTuple):
    """A secret `workflow_call` declares: optional, since a job's GitHub environment may hold it."""

    name: str
    description: str


class ForceSyncView(NamedTuple):
    """What `workflows/gitops-gen-force-sync.yml.j2` sees as `sync`."""

    actions: Actions
    tool: Tool
    envs: tuple[str, ...]  # every env, the dispatch input's choices
    login: Login | None  # the platform's cloud login (AWS: the deploy role); None: none
    role: str  # AWS: `${{ secrets.<ci.deployRoleSecret> }}` ("" without an `aws` section)
    region: str  # AWS: the region ("" without an `aws` section)
    cluster: str  # AWS: `${{ secrets.<ci.clusterNameSecret> }}` ("" without one)
    jobs: tuple[ForceSyncJob, ...]  # envs with ExternalSecrets only
    secrets: tuple[CalledSecret, ...]  # every secret the jobs read

"""`platform.yaml`: environments, secret backends, cloud, CI and operator settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeAlias, Union

from pydantic import Field, StringConstraints, model_validator

from generator.catalog.models.common import DnsLabel, Duration, Extra, Line, Strict
from generator.catalog.models.kubernetes import Kubernetes

if TYPE_CHECKING:
    from generator.catalog.models.service import Service
    from generator.catalog.source import SourceMap
    from generator.errors import Problem

OperatorKey = Literal["external-secrets", "vault-secrets-operator"]
ESO: OperatorKey = "external-secrets"
VSO: OperatorKey = "vault-secrets-operator"


class Environment(Strict):
    """One environment, in promotion order."""

    name: DnsLabel
    refreshInterval: Duration = Field("1h", description="ESO refresh interval in this env.")
    refreshAfter: Duration | None = Field(
        None, description="VSO refreshAfter in this env (default: the vault backend's)."
    )
    cluster: Line = Field(
        "https://kubernetes.default.svc", description="Argo CD destination server of this env."
    )
    namespace: Line = Field(
        "{namespace}",
        description="Namespace template of a service in this env: {namespace}, {service}, {env}.",
    )
    oidcProvider: Line | None = Field(
        None, description="EKS OIDC issuer (no https://) for IRSA roles; default aws.oidcProvider."
    )
    vaultAddress: Line | None = Field(None, description="Vault address in this env.")


class Aws(Strict):
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")]
    accountId: Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
    oidcProvider: Line | None = Field(
        None, description="EKS OIDC issuer host/path, e.g. oidc.eks.REGION.amazonaws.com/id/X."
    )
    secretStoreScope: Literal["cluster", "service"] = Field(
        "service",
        description="`service` (default where an OIDC issuer is set, exact): a SecretStore "
        "per service authenticating as the service (a per-service IRSA role reading only its "
        "own secrets; only its namespace can use the store). `cluster` (default without any "
        "OIDC issuer, as no IRSA role can exist): one ClusterSecretStore per backend through "
        "ESO's own identity, which reads every secret of the env: any namespace can read any "
        "service's secret (`gitops-gen access` shows it).",
    )
    recoveryWindowInDays: int = Field(7, ge=0, le=30)
    kmsKeyArn: Line | None = Field(None, description="CMK of the secrets, for kms:Decrypt.")
    esoServiceAccount: Annotated[
        str,
        StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
    ] = Field(
        "external-secrets/external-secrets",
        description="namespace/name of ESO's controller ServiceAccount: with "
        "secretStoreScope `cluster` its per-env IRSA role reads that env's secrets.",
    )


class BackendModel(Strict):
    """What the catalog itself knows of a backend type: enough to validate a catalog that
    uses it. What the type renders, pushes and grants is its plug-in's (`generator.backends`).

    The catalog's rules ask these facts and hooks, never the type: a new type states its own
    (the built-in ones are `aws_backends.py` and `vault.py` beside this module)."""

    operator: ClassVar[OperatorKey]  # the in-cluster operator that syncs its values
    placeholders: ClassVar[frozenset[str]]  # allowed in its `key` template
    on_aws: ClassVar[bool] = False  # values live in the platform's AWS account (`aws` section)
    shared_paths: ClassVar[bool] = False  # services may declare `secrets.shared`
    # its own field (a duration) setting how often its operator re-reads a value, if it has one
    refresh_field: ClassVar[str | None] = None
    type: str  # each type narrows it to its own name (the union's discriminator)
    if TYPE_CHECKING:  # each type declares it, where its own schema lists it (`register` checks)
        key: str  # where a service's values live: a template of `placeholders`

    def problems(
        self, platform: Platform, smap: SourceMap, path: tuple[str, ...]
    ) -> Iterator[Problem]:
        """Rules of this type beyond its fields (the caller checks `key`'s placeholders)."""
        return iter(())

    @classmethod
    def catalog_problems(
        cls,
        platform: Platform,
        psmap: SourceMap,
        services: Mapping[str, Service],
        smaps: Mapping[str, SourceMap],
    ) -> Iterator[Problem]:
        """Rules of this type across the whole catalog (once per type the catalog uses), e.g.
        names that two services or two envs would share on one server."""
        return iter(())

    def terraform_writes_values(self) -> bool:
        """Terraform writes the values itself (from GitHub environment secrets, seed 002)."""
        return False


RepoPath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.][A-Za-z0-9_./-]*$")]
SecretName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=100)]


PipRequirement = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.+\-\[\],<>=!~ @/:#]+$")]


class Ci(Strict):
    """How the generated GitHub workflows run gitops-gen and reach AWS and the clusters."""

    install: PipRequirement | None = Field(
        None,
        description="Where the workflows install gitops-gen from (default: this repo's checkout, "
        "`pip install .`). Must be pinned: `NAME==VERSION` (optionally `--hash=sha256:<64 hex>` "
        "and `--index-url URL` for a private index), a wheel URL with its hash "
        "(`https://HOST/PATH.whl#sha256=<64 hex>`), a VCS URL at a full commit "
        "(`git+https://HOST/REPO@<40 hex>`) or a folder of this repo (`./PATH`).",
    )
    catalogPath: RepoPath = Field("catalog", description="The catalog folder in gitRepo.")
    workflowsPath: RepoPath = Field(
        ".github/workflows",
        description="Where gitops-gen writes its workflows, relative to where it runs (the "
        "repo root); GitHub reads .github/workflows. `--workflows-dir` overrides it.",
    )
    pythonVersion: Annotated[str, StringConstraints(pattern=r"^3\.[0-9]+$")] = "3.11"
    terraformVersion: Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")] = (
        "1.11.4"
    )
    terraformRoleSecret: SecretName = Field(
        "AWS_TERRAFORM_ROLE_ARN",
        description="GitHub secret (per GitHub environment) with the role Terraform assumes.",
    )
    deployRoleSecret: SecretName = Field(
        "AWS_DEPLOY_ROLE_ARN",
        description="GitHub secret with the role that pushes values and reaches the cluster.",
    )
    clusterNameSecret: SecretName = Field(
        "EKS_CLUSTER_NAME",
        description="GitHub secret (per GitHub environment) naming the EKS cluster of that env.",
    )
    kubeconfigSecret: SecretName = Field(
        "CLUSTER_KUBECONFIG",
        description="GitHub secret (per GitHub environment) holding the kubeconfig of that "
        "env's cluster: how the force-sync reaches a cluster when the platform has no `aws` "
        "section (with one: `aws eks update-kubeconfig` after assuming deployRoleSecret).",
    )
    terraformStateBucket: Line | None = Field(
        None,
        description="S3 bucket for Terraform state; without it add your own backend.tf per env.",
    )


ChartVersion = Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")]


class Chart(Strict):
    """A platform operator Argo CD installs from its Helm chart into every env's cluster.

    Each field has a pinned default, so `version: x.y.z` alone upgrades one operator."""

    enabled: bool | None = Field(
        None,
        description="Default: installed when the catalog's backends need it. `false`: you "
        "install it yourself (the rendered objects still need it).",
    )
    repoURL: Line
    chart: DnsLabel
    version: ChartVersion = Field(description="Exact chart version (a pin, not a range).")


class ExternalSecretsChart(Chart):
    """External Secrets Operator (chart >= 0.16.0 serves external-secrets.io/v1), for the AWS
    backends. It runs in aws.esoServiceAccount's namespace, under that ServiceAccount name."""

    repoURL: Line = "https://charts.external-secrets.io"
    chart: DnsLabel = "external-secrets"
    version: ChartVersion = "2.9.0"


class VaultSecretsOperatorChart(Chart):
    """Vault Secrets Operator, for the vault backends."""

    repoURL: Line = "https://helm.releases.hashicorp.com"
    chart: DnsLabel = "vault-secrets-operator"
    version: ChartVersion = "1.4.1"
    namespace: DnsLabel = "vault-secrets-operator-system"


class ReloaderChart(Chart):
    """Stakater Reloader: restarts a Deployment when its ESO-synced Secret changes, so a
    rotated value reaches running pods. Default: on when a service uses an AWS backend."""

    repoURL: Line = "https://stakater.github.io/stakater-charts"
    chart: DnsLabel = "reloader"
    version: ChartVersion = "2.2.16"
    namespace: DnsLabel = "reloader"


class Operators(Strict):
    """Platform operators, one Argo CD app each per env cluster, only those the backends need."""

    externalSecrets: ExternalSecretsChart = ExternalSecretsChart()
    vaultSecretsOperator: VaultSecretsOperatorChart = VaultSecretsOperatorChart()
    reloader: ReloaderChart = ReloaderChart()


# Any registered backend type: pydantic validates the union of `BACKEND_MODELS`, rebuilt as a
# type registers (the built-in ones by `generator.catalog.models`, a plug-in's by itself).
Backend: TypeAlias = BackendModel


class Platform(Strict):
    @model_validator(mode="before")
    @classmethod
    def _default_store_scope(cls, data: Any) -> Any:
        """`aws.secretStoreScope` unset: `service` where an OIDC issuer lets IRSA roles exist
        (aws.oidcProvider, or every env's), else `cluster`, the only scope without one."""
        if not isinstance(data, dict) or not isinstance(data.get("aws"), dict):
            return data
        aws = data["aws"]
        if "secretStoreScope" in aws:
            return data
        envs = data.get("environments")
        every_env = isinstance(envs, list) and all(
            isinstance(e, dict) and e.get("oidcProvider") for e in envs
        )
        scope = "service" if aws.get("oidcProvider") or (envs and every_env) else "cluster"
        return {**data, "aws": {**aws, "secretStoreScope": scope}}

    system: DnsLabel
    gitRepo: Line
    gitRevision: Line = Field("main", description="Branch Argo CD tracks.")
    environments: list[Environment] = Field(min_length=1)
    aws: Aws | None = None
    secretBackends: dict[str, BackendModel] = Field(default_factory=dict)
    argocdNamespace: DnsLabel = "argocd"
    renderedPath: RepoPath = Field(
        "rendered", description="Where `gitops-gen render` output is committed in gitRepo."
    )
    templatesPath: RepoPath = Field(
        "templates",
        description="Folder of template overrides, beside the catalog folder: a file there "
        "shadows the built-in template of the same name (`gitops-gen templates list`).",
    )
    ci: Ci = Ci()
    operators: Operators = Operators()
    kubernetes: Kubernetes = Field(
        Kubernetes(), description="Object names and workload defaults (probes, pod security)."
    )
    extra: Extra = Field(default_factory=dict)


# The backend models a catalog may use: the built-in ones, and those a plug-in registers.
BACKEND_MODELS: list[type[BackendModel]] = []


def register_backend_model(*models: type[BackendModel]) -> None:
    """Accept `type: <model's type>` under `secretBackends` (a backend plug-in's model): the
    platform model is rebuilt with the wider union, its JSON Schema with it."""
    for model in models:
        if "key" not in model.model_fields:
            raise TypeError(f"{model.__name__} declares no `key` (where a service's values live)")
    new = [m for m in models if m not in BACKEND_MODELS]
    if new:
        BACKEND_MODELS.extend(new)
        _rebuild()


def unregister_backend_model(model: type[BackendModel]) -> None:
    if model in BACKEND_MODELS:
        BACKEND_MODELS.remove(model)
        _rebuild()


def _rebuild() -> None:
    # a union built at run time: mypy sees `BackendModel`, pydantic the registered types
    union: Any = Annotated[Union[tuple(BACKEND_MODELS)], Field(discriminator="type")]  # noqa: UP007
    Platform.model_fields["secretBackends"].annotation = dict[str, union]
    Platform.model_rebuild(force=True)

"""`platform.yaml`: environments, secret backends, cloud, CI and operator settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

from pydantic import Field, StringConstraints, model_validator

from generator.catalog.models.common import DnsLabel, Duration, Extra, Line, Strict
from generator.catalog.models.kubernetes import Kubernetes
from generator.catalog.templates import per_key, placeholders

if TYPE_CHECKING:
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


EXTRACT_ALL_KEYS = (
    "Opt-in, for one JSON secret per service (no {key} in `key`): the ExternalSecret copies "
    "EVERY key of the JSON document (`dataFrom.extract`), declared or not, and a declared key "
    "missing from it goes unnoticed. Default false: exactly the declared keys "
    "(`data[].remoteRef.property`); a missing one fails the sync."
)


class BackendModel(Strict):
    """What the catalog itself knows of a backend type: enough to validate a catalog that
    uses it. What the type renders, pushes and grants is its plug-in's (`generator.backends`)."""

    operator: ClassVar[OperatorKey]  # the in-cluster operator that syncs its values
    placeholders: ClassVar[frozenset[str]]  # allowed in its `key` template
    on_aws: ClassVar[bool] = False  # values live in the platform's AWS account (`aws` section)
    shared_paths: ClassVar[bool] = False  # services may declare `secrets.shared`
    type: str  # each type narrows it to its own name (the union's discriminator)

    def problems(
        self, platform: Platform, smap: SourceMap, path: tuple[str, ...]
    ) -> Iterator[Problem]:
        """Rules of this type beyond its fields (the caller checks `key`'s placeholders)."""
        return iter(())

    def terraform_writes_values(self) -> bool:
        """Terraform writes the values itself (from GitHub environment secrets, seed 002)."""
        return False


class AwsBackendModel(BackendModel):
    """A backend in the platform's AWS account, synced by ESO."""

    operator: ClassVar[OperatorKey] = ESO
    placeholders: ClassVar[frozenset[str]] = frozenset({"system", "env", "service", "key"})
    on_aws: ClassVar[bool] = True
    eso_service: ClassVar[str]  # the ESO AWS provider's `service`
    key: Line
    valuesFrom: Literal["manual", "github-actions", "pipeline"] = "manual"
    extractAllKeys: bool = Field(False, description=EXTRACT_ALL_KEYS)

    def problems(
        self, platform: Platform, smap: SourceMap, path: tuple[str, ...]
    ) -> Iterator[Problem]:
        if "env" not in placeholders(self.key):
            yield smap.problem(
                (*path, "key"),
                "AWS key template has no {env}: environments never share a secret (seed 003)",
            )
        if platform.aws is None:
            yield smap.problem(path, "an AWS backend needs the `aws` section (region, accountId)")
        if self.extractAllKeys and per_key(self.key):
            msg = "extractAllKeys copies one JSON secret's keys: a {key} template has none to copy"
            yield smap.problem((*path, "extractAllKeys"), msg)


class AwsSecretsManager(AwsBackendModel):
    eso_service: ClassVar[str] = "SecretsManager"  # the ESO AWS provider's `service`
    type: Literal["aws-secrets-manager"]
    key: Line = Field(description="Name template: {system} {env} {service} [{key}].")

    def terraform_writes_values(self) -> bool:
        return self.valuesFrom == "github-actions"


class AwsParameterStore(AwsBackendModel):
    eso_service: ClassVar[str] = "ParameterStore"
    type: Literal["aws-parameter-store"]
    key: Line = Field(description="Name template; with {key}: one parameter per key.")

    def problems(
        self, platform: Platform, smap: SourceMap, path: tuple[str, ...]
    ) -> Iterator[Problem]:
        yield from super().problems(platform, smap, path)
        if "/" in self.key and not self.key.startswith("/"):
            msg = "a Parameter Store name with '/' must start with '/' (a hierarchy path)"
            yield smap.problem((*path, "key"), msg)
        if self.valuesFrom == "github-actions":
            msg = "github-actions values are written by Terraform to Secrets Manager only"
            yield smap.problem((*path, "valuesFrom"), msg)


class Vault(BackendModel):
    operator: ClassVar[OperatorKey] = VSO
    placeholders: ClassVar[frozenset[str]] = frozenset({"system", "env", "service"})
    shared_paths: ClassVar[bool] = True
    type: Literal["vault"]
    address: Line
    mount: DnsLabel = "secret"
    authMount: DnsLabel = "kubernetes"
    key: Line = Field(description="kv-v2 path template under the mount: {system} {env} {service}.")
    sharedAcrossEnvs: list[
        Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9/]*[a-z0-9])?$")]
    ] = Field(
        default_factory=list,
        description="Shared paths (`secrets.shared`) that hold ONE credential for every env, "
        "read at shared/<name> in every env. Any other shared path is per env: "
        "shared/<env>/<name>, so envs on one Vault never read one credential unsaid.",
    )
    refreshAfter: Duration = Field(
        "1h",
        description="VSO refreshAfter. Deliberately not 30s: short intervals with "
        "rolloutRestartTargets have caused restart churn (vault-secrets-operator #582, #1124).",
    )


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


Backend = Annotated[AwsSecretsManager | AwsParameterStore | Vault, Field(discriminator="type")]


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
    secretBackends: dict[str, Backend] = Field(default_factory=dict)
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
BACKEND_MODELS: list[type[BackendModel]] = [AwsSecretsManager, AwsParameterStore, Vault]


def register_backend_model(model: type[BackendModel]) -> None:
    """Accept `type: <model's type>` under `secretBackends` (a backend plug-in's model): the
    platform model is rebuilt with the wider union, its JSON Schema with it."""
    if model not in BACKEND_MODELS:
        BACKEND_MODELS.append(model)
        _rebuild()


def unregister_backend_model(model: type[BackendModel]) -> None:
    if model in BACKEND_MODELS:
        BACKEND_MODELS.remove(model)
        _rebuild()


def _rebuild() -> None:
    # a union built at run time: mypy sees the built-in `Backend`, pydantic the wider one
    union: Any = Annotated[Union[tuple(BACKEND_MODELS)], Field(discriminator="type")]  # noqa: UP007
    Platform.model_fields["secretBackends"].annotation = dict[str, union]
    Platform.model_rebuild(force=True)

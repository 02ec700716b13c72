"""The interface every secret backend type implements: one module per `type` in platform.yaml.

A plug-in answers every question the tool asks about a backend, so callers ask it instead of
asking "is it Vault, else AWS":

- what it is: `type`, `model` (its catalog model), `words`;
- in the cluster: `parts` (a service's objects and each env's patches), `operator_install`
  (the operator it needs, with its values), `needs_reloader`, `cluster_kinds`, `families`
  (outputs of its own, e.g. the ESO stores), `templates` (their contexts);
- in the cloud: `tf_collection`/`tf_item` (its Terraform inputs), `tf_files`, `tf_variables`
  (values Terraform takes from GitHub secrets), `resource_arn`, `read_grant` (IAM);
- filling values: `fill` (runbook commands), `push` (`push-secrets`), `pushed_by_ci` and
  `force_synced` (the force-sync workflow);
- runbooks: `lifecycle`, `shared` (shared paths and the Secrets they sync to, which the chart
  reads), `env_access`, `sync_check`.

How a CI job reaches a cluster is not a backend type's but the platform's cloud: a
`ClusterAccess` (`cluster_access.py`), which the workflows read without naming a cloud.

A type implements `parts`, `fill` and `push`, and `tf_item` and `resource_arn` when it has a
`tf_collection`; everything else defaults to "none" (no Terraform, no operator of its own, no
workflow steps, no runbook lines).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from generator.catalog.models import ESO, VSO, BackendModel, OperatorKey
from generator.parts.family import Family
from generator.templating.context import Context
from generator.text.yamlout import Block

if TYPE_CHECKING:
    from generator.backends.commands import Fill
    from generator.catalog.facts import Deployed, Facts, RemoteRef, SecretPlan
    from generator.catalog.load import Catalog
    from generator.catalog.models import Aws, Backend, Environment, Service
    from generator.parts.kube import Parts
    from generator.parts.operator import Operator

__all__ = [
    "ESO",
    "NO_ACCESS",
    "VSO",
    "CloudLogin",
    "ClusterAccess",
    "EnvAccess",
    "OperatorKey",
    "SecretBackend",
]


class EnvAccess(NamedTuple):
    """What a runbook shows about one env's access to the backend ("" where it has none)."""

    refresh_after: str = ""  # the operator's refresh interval, when the runbook names it
    role: str = ""  # the auth role the operator logs in with
    policy: str = ""  # the policy that role carries


NO_ACCESS = EnvAccess()


class CloudLogin(NamedTuple):
    """A workflow step that logs in to the platform's cloud (OIDC: the job may mint a token)."""

    name: str  # the step's name
    action: str  # owner/name of the action (the workflows pin it)
    inputs: tuple[tuple[str, str], ...]  # its `with:` (input, value); a value may be `${{ }}`


class ClusterAccess(NamedTuple):
    """How a CI job reaches one env's cluster: the GitHub secrets it needs, a cloud login
    (or none) and the script that writes the kubeconfig."""

    secrets: tuple[tuple[str, str], ...]  # (GitHub secret, what it holds), in the gate's order
    login: CloudLogin | None
    kubeconfig: Block  # shell, each word quoted
    kubeconfig_env: tuple[tuple[str, str], ...]  # (variable, value) the kubeconfig step gets


class SecretBackend:
    """One backend type. Subclasses set the class attributes and implement the methods."""

    type: ClassVar[str]  # the catalog's `type`, the registry key
    model: ClassVar[builtins.type[BackendModel]]  # its model in `generator.catalog.models`
    words: ClassVar[str]  # what it is, in words (runbooks)
    needs_reloader: ClassVar[bool] = False  # its operator does not restart pods on a change
    # its synced objects are ExternalSecrets the force-sync workflow refreshes after a deploy
    force_synced: ClassVar[bool] = False
    # the output families this type brings (shared by types that share them: rendered once)
    families: ClassVar[tuple[Family, ...]] = ()
    # cluster-scoped kinds (group, kind) its objects may include: the services' Argo CD
    # project allows them
    cluster_kinds: ClassVar[tuple[tuple[str, str], ...]] = ()
    # its templates' contexts, by template name (`templates show`, docs/templates.md)
    templates: ClassVar[Mapping[str, Context]] = MappingProxyType({})

    @property
    def operator(self) -> OperatorKey:
        """The in-cluster operator that syncs its values (a fact of its catalog model)."""
        return self.model.operator

    # --- in the cluster --------------------------------------------------------------------

    def parts(self, facts: Facts, service: Service, plan: SecretPlan) -> Parts | None:
        """The objects a service's Kustomize base gets, and each env's patches."""
        raise NotImplementedError

    def operator_install(self, facts: Facts, used: bool) -> Operator | None:
        """Its operator as each env's cluster installs it, or None where it is not installed.

        `used`: a backend of the catalog syncs through this operator. Asked of every type,
        used or not, as platform.yaml may turn an operator on (`operators.<name>.enabled`);
        types sharing an operator build the same one (it is installed once, by key)."""
        return None

    # --- in the cloud ----------------------------------------------------------------------

    def tf_collection(self) -> str | None:
        """The Terraform input (tfvars map) its remote objects go in; None: not Terraform's."""
        return None

    def tf_item(self, backend: Backend, deployed: Deployed, ref: RemoteRef) -> dict[str, Any]:
        """One remote object's entry in `tf_collection` (asked only when there is one)."""
        raise NotImplementedError

    def tf_files(self, facts: Facts, env: Environment) -> dict[str, str]:
        """Files it adds to one env's Terraform root, by name (the header is added)."""
        return {}

    def tf_variables(self, facts: Facts, env: Environment) -> tuple[tuple[str, str], ...]:
        """(Terraform variable, GitHub secret): inputs of one env's root that the secret
        sync workflow passes from the env's GitHub secrets (`TF_VAR_<variable>`)."""
        return ()

    def resource_arn(self, aws: Aws, name: str) -> str:
        """The exact IAM resource of one remote object (IRSA read statements)."""
        raise NotImplementedError(f"{self.type} values are not AWS resources")

    def read_grant(self, aws: Aws, resources: list[str]) -> tuple[dict[str, Any], str] | None:
        """The IAM statement that reads exactly those of `resources` that are its own, and the
        AWS service a KMS decrypt of them goes through; None where none is its own."""
        return None

    # --- filling values --------------------------------------------------------------------

    def fill(self, facts: Facts, service: Service, env: Environment, plan: SecretPlan) -> Fill:
        """The commands that put one service's values in place in one env."""
        raise NotImplementedError

    def pushed_by_ci(self, backend: Backend) -> bool:
        """The force-sync workflow pushes its values from GitHub secrets (`push-secrets
        --from-env`) before refreshing the synced objects."""
        return False

    def push(
        self,
        catalog: Catalog,
        env: str,
        service: str,
        values: Mapping[str, str],
        options: Mapping[str, Any],
    ) -> None:
        """`push-secrets`: options carry source, lines, url (endpoint) and dry_run."""
        raise NotImplementedError

    # --- runbooks --------------------------------------------------------------------------

    def lifecycle(self, service: Service, plan: SecretPlan, secret: str) -> tuple[str, ...]:
        """Paragraphs: how values come to exist, what pods see before they do."""
        return ()

    def shared(self, service: Service, backend: Backend) -> tuple[tuple[str, str], ...]:
        """(remote path, Kubernetes Secret) of every shared path the service reads."""
        return ()

    def env_access(
        self, facts: Facts, service: Service, env: Environment, backend: Backend
    ) -> EnvAccess:
        return NO_ACCESS

    def sync_check(
        self, facts: Facts, service: Service, env: Environment, backend: Backend
    ) -> tuple[str, ...]:
        """Shell lines (comments too) of a runbook's "Sync now and check" in one env: how its
        operator syncs the Secret now and what to look at; the Secret's and the pod's key
        names follow them."""
        return ()

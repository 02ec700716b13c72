"""What the AWS backend types share: External Secrets Operator, IRSA, Terraform, `push-secrets`.

Each type (`aws_secrets_manager.py`, `aws_parameter_store.py`) adds its ESO provider service,
its IAM resource, its Terraform input and its CLI command.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from generator.backends import eso
from generator.backends.aws_names import description
from generator.backends.base import SecretBackend
from generator.backends.commands import JSON_NOTE, KEY_NOTE, Fill, q, value_file
from generator.backends.eso_operator import external_secrets
from generator.catalog.models import AwsParameterStore, AwsSecretsManager
from generator.catalog.names import github_secret_name
from generator.templating.context import ONCE, PER_SERVICE, Context

if TYPE_CHECKING:
    from generator.catalog.facts import Deployed, Facts, RemoteRef, SecretPlan
    from generator.catalog.load import Catalog
    from generator.catalog.models import Aws, Backend, Environment, Service
    from generator.parts.kube import Parts
    from generator.parts.operator import Operator

AwsModel = AwsSecretsManager | AwsParameterStore


class AwsBackend(SecretBackend):
    """A backend in the platform's AWS account, synced by ESO through a (Cluster)SecretStore."""

    needs_reloader = True  # ESO updates the Secret; Reloader restarts the pods
    force_synced = True  # ExternalSecrets, annotated to refresh at once
    cluster_kinds = (("external-secrets.io", "ClusterSecretStore"),)  # `cluster` store scope
    families = (eso.STORES,)
    templates = MappingProxyType(
        {
            eso.CLUSTER_STORE_TEMPLATE: Context(ONCE, (("store", eso.SecretStoreView),)),
            eso.STORES_TEMPLATE: Context(ONCE, (("stores", eso.StoresView),)),
            eso.ES_TEMPLATE: Context(PER_SERVICE, (("es", eso.ExternalSecretView),)),
            eso.STORE_TEMPLATE: Context(PER_SERVICE, (("store", eso.SecretStoreView),)),
            eso.ACCOUNT_TEMPLATE: Context(PER_SERVICE, (("account", eso.ServiceAccountView),)),
        }
    )
    iam_service: ClassVar[str]  # the service prefix of its ARNs and IAM actions
    read_sid: ClassVar[str]  # the Sid of its read statement
    read_actions: ClassVar[tuple[str, ...]]  # what reading one value takes
    push_kind: ClassVar[str]  # `push-secrets`' name for the API it writes through
    push_limit: ClassVar[int]  # bytes a value may have

    def parts(self, facts: Facts, service: Service, plan: SecretPlan) -> Parts | None:
        return eso.parts(facts, service, plan)

    def operator_install(self, facts: Facts, used: bool) -> Operator | None:
        return external_secrets(facts, used)

    def tf_item(self, backend: Backend, deployed: Deployed, ref: RemoteRef) -> dict[str, Any]:
        return {
            "name": ref.key,
            "service": deployed.name,
            "description": description(deployed, ref),
        }

    def read_grant(self, aws: Aws, resources: list[str]) -> tuple[dict[str, Any], str] | None:
        prefix = f"arn:aws:{self.iam_service}:"
        own = sorted(r for r in resources if r.startswith(prefix))
        if not own:
            return None
        actions = list(self.read_actions)
        statement = {"Sid": self.read_sid, "Effect": "Allow", "Action": actions, "Resource": own}
        return statement, f"{self.iam_service}.{aws.region}.amazonaws.com"

    def pushed_by_ci(self, backend: Backend) -> bool:
        assert isinstance(backend, AwsModel)
        return backend.valuesFrom == "pipeline"

    def fill(self, facts: Facts, service: Service, env: Environment, plan: SecretPlan) -> Fill:
        backend = plan.backend
        assert isinstance(backend, AwsModel)
        refs = facts.refs(service, env.name)
        paths = [r.key for r in refs]
        if backend.valuesFrom == "github-actions":
            cmds = [
                f"gh secret set {github_secret_name(service.name, k)} --env {q(env.name)}"
                for k in plan.keys
            ]
            cmds.append("gh workflow run gitops-gen-secrets-sync.yml")
            return Fill(paths, cmds, "GitHub environment secrets; Terraform writes them to AWS")
        if backend.valuesFrom == "pipeline":
            file = value_file(service, env, "env")
            cmd = (
                f"gitops-gen push-secrets --env {q(env.name)} --service {q(service.name)} "
                f"--from-env-file {file}"
            )
            return Fill(paths, [cmd], "a dotenv file of every key (or --from-env in CI)")
        region = q(facts.platform.aws.region) if facts.platform.aws else "REGION"
        note = KEY_NOTE if plan.per_key else JSON_NOTE
        return Fill(
            paths,
            [self.put_command(region, r.key, _source(r.secret_key, service, env)) for r in refs],
            note,
        )

    def put_command(self, region: str, name: str, source: str) -> str:
        """The AWS CLI call that writes one remote object's value from `source`."""
        raise NotImplementedError

    def push(
        self,
        catalog: Catalog,
        env: str,
        service: str,
        values: Mapping[str, str],
        options: Mapping[str, Any],
    ) -> None:
        from generator.backends import aws_push

        api = (self.push_kind, self.push_limit)
        aws_push.main(api, catalog, (env, service), values, options)

    def lifecycle(self, service: Service, plan: SecretPlan, secret: str) -> tuple[str, ...]:
        backend = plan.backend
        assert isinstance(backend, AwsModel)
        if backend.extractAllKeys and not plan.per_key:
            keys = (
                "The ExternalSecret copies every key of the JSON document (`extractAllKeys`), "
                "declared or not; a declared key missing from it is not noticed."
            )
        else:
            keys = (
                "The ExternalSecret reads exactly the declared keys: keys nobody declared are "
                "not copied, and one missing key fails the whole sync."
            )
        wait = (
            "Until every declared key has a value, the ExternalSecret is not Ready "
            f"(`SecretSyncedError`), Secret `{secret}` does not exist and the pod "
            "does not start: there is no stand-in value."
        )
        return (self.how_created(service, backend), f"{keys}\n{wait}")

    def sync_check(
        self, facts: Facts, service: Service, env: Environment, backend: Backend
    ) -> tuple[str, ...]:
        ns, secret = facts.deployed(service, env).namespace, facts.secret_name(service)
        reloaded = (
            r"{.spec.template.metadata.annotations.reloader\.stakater\.com/last-reloaded-from}"
        )
        return (
            f"kubectl -n {ns} annotate externalsecret {secret} force-sync=$(date +%s) --overwrite",
            f"kubectl -n {ns} wait externalsecret {secret} --for=condition=Ready --timeout=120s",
            f"# every managed ExternalSecret of the namespace: -l {facts.managed_label}=true",
            "# env vars load at start: Stakater Reloader restarts the Deployment when the Secret "
            "changes; it marks the pods it rolled:",
            f"kubectl -n {ns} get deployment {service.name} -o jsonpath='{reloaded}'",
        )

    def how_created(self, service: Service, backend: AwsModel) -> str:
        """How each value comes to exist (Terraform, a command, a pipeline)."""
        raise NotImplementedError


def _source(key: str, service: Service, env: Environment) -> str:
    """A single key's value from the shell environment, or the JSON document from a file."""
    return f'"${key}"' if key else f"file://{value_file(service, env, 'json')}"

"""`type: aws-secrets-manager`: one JSON secret per service and env, or one secret per key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.backends.aws import AwsBackend, AwsModel
from generator.backends.commands import q
from generator.backends.github_values import github_secrets_tf, has_github_values, tf_variables
from generator.catalog.models import AwsSecretsManager

if TYPE_CHECKING:
    from generator.catalog.facts import Deployed, Facts, RemoteRef
    from generator.catalog.models import Aws, Backend, Environment, Service

SM_SUFFIX = "-??????"  # Secrets Manager appends '-' and 6 random characters to every ARN


class SecretsManagerBackend(AwsBackend):
    type = "aws-secrets-manager"
    model = AwsSecretsManager
    words = "AWS Secrets Manager"
    iam_service = "secretsmanager"
    read_sid = "ReadOwnSecrets"
    read_actions = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
    push_kind = "secretsmanager"
    push_limit = 65536

    def tf_collection(self) -> str:
        return "secretsmanager_secrets"

    def tf_item(self, backend: Backend, deployed: Deployed, ref: RemoteRef) -> dict[str, Any]:
        assert isinstance(backend, AwsSecretsManager)
        return {**super().tf_item(backend, deployed, ref), "source": backend.valuesFrom}

    def tf_files(self, facts: Facts, env: Environment) -> dict[str, str]:
        """Seed 002's values from GitHub: a variable per key, a secret version per object."""
        if not has_github_values(facts, env):
            return {}
        return {"github-secrets.tf": github_secrets_tf(facts, env)}

    def tf_variables(self, facts: Facts, env: Environment) -> tuple[tuple[str, str], ...]:
        return tf_variables(facts, env)

    def resource_arn(self, aws: Aws, name: str) -> str:
        """The exact ARN: no `*`, so no prefix reaches another service's secret."""
        return f"arn:aws:secretsmanager:{aws.region}:{aws.accountId}:secret:{name}{SM_SUFFIX}"

    def put_command(self, region: str, name: str, source: str) -> str:
        return (
            f"aws secretsmanager put-secret-value --region {region} --secret-id {q(name)} "
            f"--secret-string {source}"
        )

    def how_created(self, service: Service, backend: AwsModel) -> str:
        if backend.valuesFrom == "github-actions":
            return (
                "Terraform (`rendered/terraform/envs/<env>`) creates the secret and writes its "
                "value from the GitHub environment secrets on every apply; a missing, empty or "
                "blank GitHub secret fails the plan, so no empty value is written."
            )
        return (
            "Terraform (`rendered/terraform/envs/<env>`) creates the secret with no value. "
            "The first command below writes its first version."
        )

"""`type: aws-parameter-store`: SecureString parameters, one per key or one JSON document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.backends.aws import AwsBackend, AwsModel
from generator.backends.commands import q
from generator.catalog.models import AwsParameterStore

if TYPE_CHECKING:
    from generator.catalog.models import Aws, Service


class ParameterStoreBackend(AwsBackend):
    type = "aws-parameter-store"
    model = AwsParameterStore
    words = "AWS SSM Parameter Store (SecureString)"
    iam_service = "ssm"
    read_sid = "ReadOwnParameters"
    read_actions = ("ssm:GetParameter", "ssm:GetParameters")
    push_kind = "ssm"
    push_limit = 4096  # standard-tier parameter

    def tf_collection(self) -> str:
        return "ssm_parameters"

    def resource_arn(self, aws: Aws, name: str) -> str:
        return f"arn:aws:ssm:{aws.region}:{aws.accountId}:parameter/{name.lstrip('/')}"

    def put_command(self, region: str, name: str, source: str) -> str:
        return (
            f"aws ssm put-parameter --region {region} --name {q(name)} --type SecureString "
            f"--overwrite --value {source}"
        )

    def how_created(self, service: Service, backend: AwsModel) -> str:
        pushed = backend.valuesFrom == "pipeline"
        usage = f"--env ENV --service {service.name} --from-env-file FILE"
        command = (
            "The command below (`gitops-gen push-secrets`)"
            if pushed
            else f"`gitops-gen push-secrets {usage}`"
        )
        return (
            "Terraform creates no parameter (a parameter cannot exist without a value); it only "
            f"grants the IRSA role their exact names. {command} creates each missing parameter "
            "with its first value: SecureString, the tags Terraform sets on secrets, the "
            "platform's KMS key."
            + ("" if pushed else " The `aws` commands below work too, untagged.")
        )

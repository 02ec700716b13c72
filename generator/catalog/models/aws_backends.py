"""The catalog models of the AWS backend types: values in the platform's AWS account (the
`aws` section), synced by ESO. What they render, push and grant is their plug-ins'."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from generator.catalog.models.common import Line
from generator.catalog.models.platform import ESO, BackendModel, OperatorKey
from generator.catalog.templates import per_key, placeholders

if TYPE_CHECKING:
    from generator.catalog.models.platform import Platform
    from generator.catalog.source import SourceMap
    from generator.errors import Problem

EXTRACT_ALL_KEYS = (
    "Opt-in, for one JSON secret per service (no {key} in `key`): the ExternalSecret copies "
    "EVERY key of the JSON document (`dataFrom.extract`), declared or not, and a declared key "
    "missing from it goes unnoticed. Default false: exactly the declared keys "
    "(`data[].remoteRef.property`); a missing one fails the sync."
)


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

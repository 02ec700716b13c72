"""`services/<name>.yaml`: one service, its secrets and its per-env overrides."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, JsonValue, StringConstraints

from generator.catalog.models.common import (
    CONFIG_KEY,
    ConfigValue,
    DnsLabel,
    Duration,
    Extra,
    Line,
    SecretKey,
    Strict,
    merged_extra,
)
from generator.catalog.models.kubernetes import PodSecurityOverride, ProbesOverride


class Image(Strict):
    repository: Line
    tag: Line


class ImageOverride(Strict):
    repository: Line | None = None
    tag: Line | None = None


Quantity = Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$")]


class ResourceAmounts(Strict):
    cpu: Quantity
    memory: Quantity


class Resources(Strict):
    requests: ResourceAmounts = ResourceAmounts(cpu="100m", memory="128Mi")
    limits: ResourceAmounts = ResourceAmounts(cpu="500m", memory="512Mi")


class ServiceSecrets(Strict):
    backend: DnsLabel
    keys: list[SecretKey] = Field(min_length=1)
    inject: Literal["envFrom", "env"] = "envFrom"
    shared: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9/]*[a-z0-9])?$")]] = (
        Field(default_factory=list, description="Vault only: shared/<name> paths it may read.")
    )
    secretName: Line | None = Field(
        None,
        description="Name of the synced Kubernetes Secret, e.g. the one the app already reads "
        "(`payment-secrets`); default: platform kubernetes.secretName.",
    )


class EnvOverride(Strict):
    """Per-env overrides: `config` is merged over the service's, the rest replaces."""

    enabled: bool = True
    replicas: int | None = Field(None, ge=0, le=1000)
    image: ImageOverride | None = None
    config: dict[Annotated[str, StringConstraints(pattern=CONFIG_KEY)], ConfigValue] = Field(
        default_factory=dict
    )
    resources: Resources | None = None
    namespace: DnsLabel | None = Field(
        None,
        description="This service's namespace in this env, instead of the env's namespace "
        "template (seed 003: my-app-stage).",
    )
    refreshInterval: Duration | None = Field(
        None,
        description="ESO refresh interval of this service in this env, instead of the env's "
        "(AWS backends only).",
    )
    extra: Extra = Field(default_factory=dict)


class Service(Strict):
    name: DnsLabel
    owner: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][-A-Za-z0-9_.:/]*$")]
    description: Line | None = None
    namespace: DnsLabel | None = Field(None, description="Default: the service name.")
    image: Image
    port: int = Field(8080, ge=1, le=65535)
    replicas: int = Field(1, ge=0, le=1000)
    config: dict[Annotated[str, StringConstraints(pattern=CONFIG_KEY)], ConfigValue] = Field(
        default_factory=dict, description="Non-secret settings; become the service's ConfigMap."
    )
    secrets: ServiceSecrets | None = None
    probes: ProbesOverride = Field(
        ProbesOverride(), description="Unset fields inherit platform kubernetes.probes."
    )
    podSecurity: PodSecurityOverride = Field(
        PodSecurityOverride(), description="Unset fields inherit platform kubernetes.podSecurity."
    )
    resources: Resources = Resources()
    environments: dict[str, EnvOverride] = Field(default_factory=dict)
    extra: Extra = Field(default_factory=dict)

    @property
    def ns(self) -> str:
        return self.namespace or self.name

    def extra_in(self, env: str | None) -> dict[str, JsonValue]:
        """The team's fields in `env`: the env's `extra` merged (deeply) over the service's."""
        override = self.environments.get(env) if env is not None else None
        if override is None or not override.extra:
            return self.extra
        return merged_extra(self.extra, override.extra)

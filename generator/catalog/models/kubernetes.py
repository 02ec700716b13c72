"""`kubernetes:` in platform.yaml: the names and workload defaults every service inherits.

Each default is what gitops-gen rendered before these became settings, so a catalog that
does not set them renders the same objects. Services override probes and pod security in
their own file; names a service carries over from an existing repo go in `secrets.secretName`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from generator.catalog.models.common import Line, Strict

# A label key: optional DNS-subdomain prefix and `/`, then a name (lengths checked in rules).
LABEL_KEY = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
ProbePath = Annotated[str, StringConstraints(pattern=r"^/[^\s]*$", max_length=512)]
Capability = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=64)]
Seccomp = Literal["RuntimeDefault", "Unconfined"]


class Probe(Strict):
    enabled: bool = True
    path: ProbePath = Field("/healthz", description="HTTP GET path on the `http` port.")
    initialDelaySeconds: int = Field(5, ge=0)
    periodSeconds: int = Field(10, ge=1)


class Probes(Strict):
    """HTTP probes on the container's `http` port."""

    readiness: Probe = Probe()
    liveness: Probe = Probe()


class ProbeOverride(Strict):
    """A service's probe: each field unset inherits the platform's `kubernetes.probes`."""

    enabled: bool | None = None
    path: ProbePath | None = None
    initialDelaySeconds: int | None = Field(None, ge=0)
    periodSeconds: int | None = Field(None, ge=1)


class ProbesOverride(Strict):
    readiness: ProbeOverride = ProbeOverride()
    liveness: ProbeOverride = ProbeOverride()


class PodSecurity(Strict):
    """The pod's and its container's securityContext (restricted Pod Security Standard)."""

    runAsNonRoot: bool = Field(True, description="Pod: refuse to start a root container.")
    runAsUser: int | None = Field(None, ge=0, description="Pod UID; default: the image's user.")
    runAsGroup: int | None = Field(None, ge=0, description="Pod GID; default: the image's.")
    fsGroup: int | None = Field(None, ge=0, description="Pod group owning mounted volumes.")
    seccompProfile: Seccomp = Field("RuntimeDefault", description="Pod seccomp profile type.")
    allowPrivilegeEscalation: bool = Field(
        False, description="Container: a process may gain privileges (setuid)."
    )
    readOnlyRootFilesystem: bool = Field(True, description="Container: root filesystem read-only.")
    dropCapabilities: list[Capability] = Field(
        default_factory=lambda: ["ALL"], description="Container: Linux capabilities dropped."
    )
    addCapabilities: list[Capability] = Field(
        default_factory=list, description="Container: capabilities added, e.g. NET_BIND_SERVICE."
    )
    automountServiceAccountToken: bool = Field(
        False, description="Mount a Kubernetes API token into the pod."
    )


class PodSecurityOverride(Strict):
    """A service's pod security: each field unset inherits `kubernetes.podSecurity`."""

    runAsNonRoot: bool | None = None
    runAsUser: int | None = Field(None, ge=0)
    runAsGroup: int | None = Field(None, ge=0)
    fsGroup: int | None = Field(None, ge=0)
    seccompProfile: Seccomp | None = None
    allowPrivilegeEscalation: bool | None = None
    readOnlyRootFilesystem: bool | None = None
    dropCapabilities: list[Capability] | None = None
    addCapabilities: list[Capability] | None = None
    automountServiceAccountToken: bool | None = None


class Kubernetes(Strict):
    """Names of generated objects and the defaults every service's Deployment inherits."""

    secretName: Line = Field(
        "{service}-secrets",
        description="Name template of the Kubernetes Secret each service's secrets sync into "
        "(ESO target / VSO destination, and what the Deployment reads): {service} {system}. "
        "A service's `secrets.secretName` overrides it.",
    )
    clusterStoreName: Line = Field(
        "{system}-{backend}",
        description="Name template of the ClusterSecretStore of each AWS backend "
        "(aws.secretStoreScope `cluster`): {system} {backend}.",
    )
    serviceStoreName: Line = Field(
        "{service}",
        description="Name template of a service's SecretStore (aws.secretStoreScope "
        "`service`): {service} {system}.",
    )
    managedLabel: Annotated[str, StringConstraints(pattern=LABEL_KEY, max_length=317)] = Field(
        "gitops-gen.io/managed",
        description='Label key (value "true") on every ExternalSecret: the selector of the '
        "post-deploy force-sync step and the runbook's commands (seed 001: zerotouch.io/managed).",
    )
    probes: Probes = Field(Probes(), description="Default probes of every service.")
    podSecurity: PodSecurity = Field(
        PodSecurity(), description="Default securityContext of every service."
    )

"""The catalog model: `platform.yaml` and one `services/<name>.yaml` per service.

Unknown keys are errors everywhere (a mis-indented key must not silently do nothing).
Cross-file rules (backend names, templates, env overrides) live in `rules.py`. The backend
types built in are `aws_backends.py` and `vault.py`: registered here, as a plug-in registers
its own.
"""

from __future__ import annotations

from generator.catalog.models.aws_backends import (
    EXTRACT_ALL_KEYS,
    AwsBackendModel,
    AwsParameterStore,
    AwsSecretsManager,
)
from generator.catalog.models.common import (
    CONFIG_KEY,
    DNS_LABEL,
    DURATION,
    ENV_KEY,
    SINGLE_LINE,
    ConfigValue,
    DnsLabel,
    Duration,
    Line,
    NonEmpty,
    SecretKey,
    Strict,
)
from generator.catalog.models.kubernetes import (
    Kubernetes,
    PodSecurity,
    PodSecurityOverride,
    Probe,
    ProbeOverride,
    Probes,
    ProbesOverride,
)
from generator.catalog.models.platform import (
    ESO,
    VSO,
    Aws,
    Backend,
    BackendModel,
    Chart,
    ChartVersion,
    Ci,
    Environment,
    ExternalSecretsChart,
    OperatorKey,
    Operators,
    PipRequirement,
    Platform,
    ReloaderChart,
    RepoPath,
    SecretName,
    VaultSecretsOperatorChart,
    register_backend_model,
)
from generator.catalog.models.service import (
    EnvOverride,
    Image,
    ImageOverride,
    Quantity,
    ResourceAmounts,
    Resources,
    Service,
    ServiceSecrets,
)
from generator.catalog.models.vault import Vault

register_backend_model(AwsSecretsManager, AwsParameterStore, Vault)

__all__ = [
    "CONFIG_KEY",
    "DNS_LABEL",
    "DURATION",
    "ENV_KEY",
    "ESO",
    "EXTRACT_ALL_KEYS",
    "SINGLE_LINE",
    "VSO",
    "Aws",
    "AwsBackendModel",
    "AwsParameterStore",
    "AwsSecretsManager",
    "Backend",
    "BackendModel",
    "Chart",
    "ChartVersion",
    "Ci",
    "ConfigValue",
    "DnsLabel",
    "Duration",
    "EnvOverride",
    "Environment",
    "ExternalSecretsChart",
    "Image",
    "ImageOverride",
    "Kubernetes",
    "Line",
    "NonEmpty",
    "OperatorKey",
    "Operators",
    "PipRequirement",
    "Platform",
    "PodSecurity",
    "PodSecurityOverride",
    "Probe",
    "ProbeOverride",
    "Probes",
    "ProbesOverride",
    "Quantity",
    "ReloaderChart",
    "RepoPath",
    "ResourceAmounts",
    "Resources",
    "SecretKey",
    "SecretName",
    "Service",
    "ServiceSecrets",
    "Strict",
    "Vault",
    "VaultSecretsOperatorChart",
]

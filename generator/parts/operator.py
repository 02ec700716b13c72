"""A platform operator as an Argo CD app installs it into each env's cluster.

A backend type says which operator syncs its values and builds it for the catalog
(`SecretBackend.operator_install`); the Argo CD family turns each into one app per cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.catalog.models import Chart
from generator.parts.kube import Obj


@dataclass(frozen=True)
class Operator:
    """One operator as an Argo CD app installs it into one env's cluster."""

    key: str  # names the app: <system>-<key>-<env>
    chart: Chart
    namespace: str
    server_side: bool  # its CRDs exceed the client-side apply annotation limit
    values: dict[str, Obj] = field(default_factory=dict)  # env name -> Helm values


def switched(chart: Chart, needed: bool) -> bool:
    """platform.yaml's `enabled` wins (`false`: one you run yourself); unset, the operator
    is installed where the catalog needs it."""
    return needed if chart.enabled is None else chart.enabled

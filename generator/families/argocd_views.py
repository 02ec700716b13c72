"""What the Argo CD templates see: typed views of Applications and AppProjects.

`templates/argocd/applications.yaml.j2` is fed `AppView`s, `argocd/projects.yaml.j2`
`ProjectView`s; `diff` compares the same views. The README lists their fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

# A chart's values are a plain dict, never changed once made: Argo CD's apps may be rendered in
# a worker and travel back pickled, which a read-only `MappingProxyType` cannot be
NO_VALUES: Mapping[str, Any] = {}

Labels = tuple[tuple[str, str], ...]


class SourceView(NamedTuple):
    """Where an Application's manifests come from: a folder of the GitOps repo or a chart."""

    repo_url: str
    revision: str
    path: str = ""  # a folder of the GitOps repo; "" for a chart
    chart: str = ""  # a chart of `repo_url` (also its release name); "" for a folder
    value_files: tuple[str, ...] = ()  # `helm.valueFiles` of the services' chart
    values: Mapping[str, Any] = NO_VALUES  # a chart's `helm.valuesObject` (print with `yaml`)


class AppView(NamedTuple):
    """One Application, as `argocd/applications.yaml.j2` sees each item of `apps`."""

    role: str  # root, operator, stores, secrets (one per service) or workloads (the chart)
    name: str
    namespace: str  # Argo CD's namespace
    labels: Labels  # sorted (key, value) pairs
    wave: int | None  # sync wave; None for a root (applied by hand)
    cascade: bool  # deleting the app deletes what it synced (not for operators' CRDs)
    project: str
    source: SourceView
    server: str  # destination cluster
    destination_namespace: str
    sync_options: tuple[str, ...]


class DestinationView(NamedTuple):
    server: str
    namespace: str


class KindView(NamedTuple):
    group: str  # "" for the core API group
    kind: str


class ProjectView(NamedTuple):
    """One AppProject, as `argocd/projects.yaml.j2` sees each item of `projects`."""

    name: str
    namespace: str
    labels: Labels
    wave: int
    description: str
    source_repos: tuple[str, ...]
    destinations: tuple[DestinationView, ...]
    cluster_resources: tuple[KindView, ...]  # clusterResourceWhitelist

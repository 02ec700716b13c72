"""The chart built per env with `helm template`, as its Argo CD app builds it.

Only when a team overrides a chart file: the built-in chart is proven by the test suite,
while an override is Go template text nothing else checks before Argo CD runs it. A build
that fails is a located error naming the override; what the built objects create and name
goes to the consistency check (not the values, which an override may read differently).
helm is then required: from PATH, or the binary GITOPS_GEN_HELM names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem, UserError, unlocated

HELM_VARIABLE = "GITOPS_GEN_HELM"  # a helm binary to use instead of the one on PATH
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding"})
# helm names the chart file and line of a template error: `(chart/templates/x.yaml:95)`
_LOCATION = re.compile(r"[( ]([\w.-]+/(templates/[\w./-]+)):(\d+)")
_SOURCE = re.compile(r"^# Source: [\w.-]+/(templates/\S+)$", re.MULTILINE)


def find_helm() -> str | None:
    chosen = os.environ.get(HELM_VARIABLE)
    return chosen if chosen and Path(chosen).is_file() else shutil.which("helm")


@dataclass(frozen=True)
class ChartBuild:
    """What is needed to build the chart as its app does, and how to name an override."""

    files: dict[str, str]  # the chart folder's files: path inside the folder -> text
    release: str  # the Argo CD app's name: helm's release name
    namespace: str  # the app's destination namespace
    value_files: tuple[str, ...]
    overrides: dict[str, tuple[str, int]]  # chart file -> (override file shown, lines added)


def build(chart: ChartBuild) -> list[tuple[str, dict[str, Any]]]:
    """Every object `helm template` renders, with the chart file it came from."""
    helm = find_helm()
    if helm is None:
        shown = sorted(shown for shown, _ in chart.overrides.values())
        msg = (
            f"the chart has overridden files ({', '.join(shown)}): render builds it with "
            "`helm template` per env as Argo CD does, and needs `helm` on PATH "
            f"(or its path in {HELM_VARIABLE}); install helm"
        )
        raise UserError.unlocated(shown[0], "helm", msg)
    with tempfile.TemporaryDirectory(prefix="gitops-gen-chart-") as tmp:
        root = Path(tmp)
        for rel, text in chart.files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        args = [helm, "template", chart.release, str(root), "--namespace", chart.namespace]
        for values in chart.value_files:
            args += ["-f", str(root / values)]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UserError([_failure(chart, done.stderr)])
    return list(_documents(done.stdout))


def _failure(chart: ChartBuild, stderr: str) -> Problem:
    """helm's first error line, at the override's own line when helm names one (else the
    first override, with no line: helm said none)."""
    message = next((line for line in stderr.splitlines() if line.strip()), "failed")
    message = message.removeprefix("Error: ")
    found = _LOCATION.search(message)
    said = f"helm template {chart.release} failed: {message}"
    if found and found.group(2) in chart.overrides:
        shown, added = chart.overrides[found.group(2)]
        return Problem(shown, max(1, int(found.group(3)) - added), 1, "helm", said)
    return unlocated(next(iter(sorted(chart.overrides.values())))[0], "helm", said)


def _documents(text: str) -> list[tuple[str, dict[str, Any]]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for chunk in re.split(r"^---\s*$", text, flags=re.MULTILINE):
        source = _SOURCE.search(chunk)
        for doc in yaml.load_all(chunk, Loader=loader):
            if isinstance(doc, dict):
                out.append((source.group(1) if source else "", doc))
    return out

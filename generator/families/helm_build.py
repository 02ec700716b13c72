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
from bisect import bisect_right
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Problem, UserError, unlocated
from generator.text.yamlin import Loader

HELM_VARIABLE = "GITOPS_GEN_HELM"  # a helm binary to use instead of the one on PATH
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding"})
# helm names the chart file and line of a template error: `(chart/templates/x.yaml:95)`
_LOCATION = re.compile(r"[( ]([\w.-]+/(templates/[\w./-]+)):(\d+)")
_SOURCE = re.compile(r"^# Source: [\w.-]+/(templates/\S+)$", re.MULTILINE)
_SEPARATOR = re.compile(r"^---\s*$", re.MULTILINE)  # a document's start, as helm writes it


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


def build(charts: Sequence[ChartBuild]) -> list[list[tuple[str, dict[str, Any]]]]:
    """Every object `helm template` renders for each of `charts` (one per env), with the
    chart file it came from. The envs' helm processes run side by side, as many at once as
    there are CPUs (no pool: each is waited for in turn, its output read from its own file
    while the next still renders); a failure is the first env's, in order, that failed."""
    helm = find_helm()
    if helm is None:
        shown = sorted(shown for shown, _ in charts[0].overrides.values())
        msg = (
            f"the chart has overridden files ({', '.join(shown)}): render builds it with "
            "`helm template` per env as Argo CD does, and needs `helm` on PATH "
            f"(or its path in {HELM_VARIABLE}); install helm"
        )
        raise UserError.unlocated(shown[0], "helm", msg)
    limit = max(1, min(len(charts), os.cpu_count() or 1))
    built: list[list[tuple[str, dict[str, Any]]]] = []
    with tempfile.TemporaryDirectory(prefix="gitops-gen-chart-") as tmp:
        root, folders = Path(tmp), _Folders(Path(tmp))
        running: deque[tuple[ChartBuild, subprocess.Popen[bytes], Path]] = deque()
        started = 0
        try:
            for index in range(len(charts)):
                while started < len(charts) and started - index < limit:
                    chart, out = charts[started], root / f"out-{started}"
                    running.append((chart, _start(helm, chart, folders.of(chart), out), out))
                    started += 1
                built.append(_finish(*running.popleft()))
        finally:
            for _, process, _ in running:  # a failure stops the envs still rendering
                process.kill()
                process.wait()
    return built


class _Folders:
    """Each chart's files written once, whatever number of envs build it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._written: dict[int, Path] = {}

    def of(self, chart: ChartBuild) -> Path:
        folder = self._written.get(id(chart.files))
        if folder is None:
            folder = self._written[id(chart.files)] = self.root / f"chart-{len(self._written)}"
            for rel, text in chart.files.items():
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_text(text, encoding="utf-8")
        return folder


def _start(helm: str, chart: ChartBuild, folder: Path, out: Path) -> subprocess.Popen[bytes]:
    args = [helm, "template", chart.release, str(folder), "--namespace", chart.namespace]
    for values in chart.value_files:
        args += ["-f", str(folder / values)]
    with out.open("wb") as stdout, out.with_suffix(".err").open("wb") as stderr:
        return subprocess.Popen(args, stdout=stdout, stderr=stderr)


def _finish(
    chart: ChartBuild, process: subprocess.Popen[bytes], out: Path
) -> list[tuple[str, dict[str, Any]]]:
    if process.wait() != 0:
        stderr = out.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
        raise UserError([_failure(chart, stderr)])
    return _documents(out.read_text(encoding="utf-8"))


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
    """Each mapping document with the chart file its `# Source:` line names: the first such
    line after the document's `---`. The whole output is one parse (`yamlin`)."""
    separators, sources = _lines(_SEPARATOR, text), _lines(_SOURCE, text)
    starts = [line for line, _ in separators]
    found = [line for line, _ in sources]
    loader = Loader(text)
    out = []
    try:
        while loader.check_node():
            node = loader.get_node()
            doc = loader.construct_document(node)
            if not isinstance(doc, dict):
                continue
            at = bisect_right(starts, node.start_mark.line) - 1  # its `---`, if any
            begin = starts[at] if at >= 0 else -1
            end = starts[at + 1] if at + 1 < len(starts) else len(text)
            first = bisect_right(found, begin)
            named = first < len(found) and found[first] < end
            out.append((sources[first][1] if named else "", doc))
    finally:
        loader.dispose()
    return out


def _lines(pattern: re.Pattern[str], text: str) -> list[tuple[int, str]]:
    """(0-based line, first group or "") of each match, in order."""
    out, line, last = [], 0, 0
    for match in pattern.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        out.append((line, match.group(1) if match.groups() else ""))
    return out

"""The cost of overrides (issue 27): a cold render of a catalog whose repo overrides three
templates (a chart file, the ExternalSecret template, the check workflow), against the
same catalog rendered with the built-ins. Each override is a harmless edit (an annotation,
a label, a comment), as a team's first ones are.

Figures: wall seconds, and CPU seconds of the whole process tree as `wait4` reports it
(an overridden chart is built by `helm template`, one child per env: its CPU is in the
tree's), best of `runs`, in the default mode. Then `helm template` alone on the rendered
chart, env after env: the part of the overrides' cost that is helm's own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from synth import write_catalog

GEN = [sys.executable, "-m", "generator"]
TARGET_OVERRIDES_RATIO = 1.25  # a cold render with three overrides, against the built-ins
TOOLS_HELM = Path(__file__).resolve().parent.parent / "tools" / "node_modules" / ".bin" / "helm"
CHECKSUM = "        checksum/config: {{ toJson $svc.config | sha256sum }}\n"
EDITS = {  # the template: a text of the built-in, and what replaces it
    "helm/deployment.yaml": (CHECKSUM, CHECKSUM + '        example.com/team-note: "kept"\n'),
    "eso/externalsecret.yaml.j2": (
        "{% endfor %}\nspec:\n",
        "{% endfor %}\n    example.com/cost-centre: cc-1\nspec:\n",
    ),
    "workflows/gitops-gen-check.yml.j2": ("    steps:\n", "    steps:\n      # the team's note\n"),
}


def helm_binary() -> str | None:
    """helm as the render finds it (GITOPS_GEN_HELM, then PATH), else the repo's pinned one."""
    chosen = os.environ.get("GITOPS_GEN_HELM")
    if chosen and Path(chosen).is_file():
        return chosen
    return shutil.which("helm") or (str(TOOLS_HELM) if TOOLS_HELM.exists() else None)


def override(catalog: Path, env: dict[str, str]) -> None:
    """`templates eject` each of the three, then edit it."""
    for name, (old, new) in EDITS.items():
        cmd = [*GEN, "templates", "eject", name, "--catalog", str(catalog)]
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        path = catalog.parent / "templates" / name
        text = path.read_text()
        if old not in text:
            raise SystemExit(f"the built-in {name} no longer holds {old!r}: update {__file__}")
        path.write_text(text.replace(old, new, 1))


def cold(folder: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Best wall and CPU seconds of a cold render (the output removed before each)."""
    out, wf = folder / "rendered", folder / "workflows"
    args = ["--catalog", str(folder / "catalog"), "--out", str(out), "--workflows-dir", str(wf)]
    walls, cpus = [], []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(wf, ignore_errors=True)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*GEN, "render", *args],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # the tree's CPU: helm is waited for
        walls.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"render of {folder.name} failed:\n{err}")
        cpus.append(usage.ru_utime + usage.ru_stime)
    return min(walls), min(cpus)


def helm_alone(folder: Path, helm: str, runs: int) -> float:
    """Best CPU seconds of `helm template` over every env of the rendered chart."""
    chart = next((folder / "rendered" / "helm").iterdir())
    envs = sorted(p.name[len("values-") : -len(".yaml")] for p in chart.glob("values-*.yaml"))
    best = float("inf")
    for _ in range(runs):
        spent = 0.0
        for env in envs:
            args = [helm, "template", f"x-{env}", str(chart), "-f", str(chart / "values.yaml")]
            proc = subprocess.Popen(
                [*args, "-f", str(chart / f"values-{env}.yaml")], stdout=subprocess.DEVNULL
            )
            _, _, usage = os.wait4(proc.pid, 0)
            spent += usage.ru_utime + usage.ru_stime
        best = min(best, spent)
    return best


def measure(work: Path, services: int, runs: int, env: dict[str, str]) -> dict[str, float] | None:
    """Built-ins and three overrides, interleaved run by run; None without helm."""
    helm = helm_binary()
    if helm is None:
        return None
    env = {**env, "GITOPS_GEN_HELM": helm}
    plain, ours = work / "builtins", work / "overrides"
    for folder in (plain, ours):
        write_catalog(folder / "catalog", services)
    override(ours / "catalog", env)
    rows: dict[str, list[float]] = {"wall": [], "cpu": [], "o_wall": [], "o_cpu": []}
    for _ in range(runs):
        for prefix, folder in (("", plain), ("o_", ours)):
            wall, cpu = cold(folder, env, 1)
            rows[f"{prefix}wall"].append(wall)
            rows[f"{prefix}cpu"].append(cpu)
    found = {name: min(values) for name, values in rows.items()}
    found["helm"] = helm_alone(ours, helm, runs)
    found["services"] = services
    shutil.rmtree(plain)
    shutil.rmtree(ours)
    return found


def report(found: dict[str, float] | None, services: int) -> None:
    print(f"three overrides ({services:,} services, cold render, default mode, best of runs):")
    if found is None:
        print("  not measured: helm is needed (PATH or GITOPS_GEN_HELM)")
        return
    for name, key in (("wall", "wall"), ("CPU (the process tree, helm included)", "cpu")):
        ratio = found[f"o_{key}"] / found[key]
        verdict = "ok" if ratio <= TARGET_OVERRIDES_RATIO else "MISSED"
        print(
            f"  {name}: {found[f'o_{key}']:.3f} s against {found[key]:.3f} s for the built-ins: "
            f"{ratio:.2f}x (<= {TARGET_OVERRIDES_RATIO}x) {verdict}"
        )
    print(
        f"  helm template alone, every env in turn: {found['helm']:.3f} s CPU "
        f"({found['helm'] / found['cpu']:.2f}x the built-ins' whole render)"
    )

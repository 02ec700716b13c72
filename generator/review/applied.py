"""What Argo CD would apply: every rendered Application's source built as Argo CD builds it.

A Kustomize folder goes through `kubectl kustomize` (or `kustomize build`), the chart through
`helm template` with the app's value files and the app's name as release, a plain folder is
read file by file. Each object is keyed as Argo CD tracks it: destination cluster, group, kind,
namespace (the app's destination namespace when the object names none), name. `diff` compares
these per env, and the test suite proves no object is owned by two apps.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import UserError
from generator.families.helm_build import find_helm
from generator.parts.result import Application

Tree = dict[str, str]
Obj = dict[str, Any]
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterSecretStore",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
}
IN_CLUSTER = "https://kubernetes.default.svc"


@dataclass(frozen=True, order=True)
class ObjectKey:
    cluster: str
    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


@dataclass(frozen=True)
class App:
    name: str
    env: str
    cluster: str
    namespace: str
    path: str  # inside the rendered tree
    value_files: tuple[str, ...]


def apps(tree: Tree, envs: list[str], rendered_path: str) -> list[App]:
    """Every Application the tree renders: each env's root app and the apps it syncs."""
    out: list[App] = []
    prefix = "" if rendered_path.strip("/") in {"", "."} else rendered_path.strip("/") + "/"
    for env in envs:
        for file in (f"argocd/root-{env}.yaml", f"argocd/{env}/applications.yaml"):
            for doc in yaml.safe_load_all(tree.get(file, "")):
                if isinstance(doc, dict) and doc.get("kind") == "Application":
                    out.append(_app(doc, env, prefix))
    return out


def rendered_apps(found: Iterable[Application], envs: list[str], rendered_path: str) -> list[App]:
    """Every Application the Argo CD family rendered: each env's root app and the apps it
    syncs, in the order `apps` reads them from the files."""
    prefix = "" if rendered_path.strip("/") in {"", "."} else rendered_path.strip("/") + "/"
    by_env: dict[str, list[Application]] = {}
    for app in found:
        if app.role in {"root", "app"}:
            by_env.setdefault(app.env, []).append(app)
    return [
        App(
            name=app.name,
            env=env,
            cluster=app.server.rstrip("/"),
            namespace=app.namespace,
            path=app.path.removeprefix(prefix),
            value_files=app.value_files,
        )
        for env in envs
        for app in by_env.get(env, [])
    ]


def _app(doc: Obj, env: str, prefix: str) -> App:
    spec = doc["spec"]
    source, dest = spec["source"], spec["destination"]
    return App(
        name=doc["metadata"]["name"],
        env=env,
        cluster=str(dest.get("server", IN_CLUSTER)).rstrip("/"),
        namespace=dest.get("namespace", ""),
        path=str(source["path"]).removeprefix(prefix),
        value_files=tuple(source.get("helm", {}).get("valueFiles", ())),
    )


def built_objects(tree: Tree, app_list: list[App]) -> dict[App, dict[ObjectKey, Obj]]:
    """Write the tree to a temporary folder and build every app's source (two at a time)."""
    with tempfile.TemporaryDirectory(prefix="gitops-gen-applied-") as tmp:
        root = Path(tmp)
        for rel, text in tree.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        with ThreadPoolExecutor(max_workers=2) as pool:
            built = list(pool.map(lambda app: _keyed(app, build(root, app)), app_list))
    return dict(zip(app_list, built, strict=True))


def build(root: Path, app: App) -> list[Obj]:
    folder = root / app.path
    if (folder / "Chart.yaml").is_file():
        args = ["template", app.name, str(folder)]
        for values in app.value_files:
            args += ["-f", str(folder / values)]
        text = _run([helm_binary(), *args])
    elif (folder / "kustomization.yaml").is_file():
        text = _run(_kustomize(folder))
    else:
        text = "\n---\n".join(p.read_text() for p in sorted(folder.glob("*.yaml")))
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]


def _keyed(app: App, docs: list[Obj]) -> dict[ObjectKey, Obj]:
    out = {}
    for doc in docs:
        group = str(doc.get("apiVersion", "")).rpartition("/")[0]
        kind = str(doc.get("kind", ""))
        meta = doc.get("metadata") or {}
        namespace = "" if kind in CLUSTER_SCOPED else meta.get("namespace") or app.namespace
        out[ObjectKey(app.cluster, group, kind, namespace, meta.get("name", ""))] = doc
    return out


def owners(built: dict[App, dict[ObjectKey, Obj]]) -> dict[ObjectKey, list[str]]:
    """Every object and the apps that would apply it, as Argo CD tracks ownership."""
    out: dict[ObjectKey, list[str]] = {}
    for app, objects in built.items():
        for key in objects:
            out.setdefault(key, []).append(app.name)
    return out


def shared(built: dict[App, dict[ObjectKey, Obj]]) -> Iterator[tuple[ObjectKey, list[str]]]:
    for key, names in sorted(owners(built).items()):
        if len(names) > 1:
            yield key, sorted(names)


def missing_tools() -> str:
    """ "helm", "kubectl", both, or "" when every source can be built."""
    missing = [] if _helm() else ["helm"]
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        missing.append("kubectl")
    return " and ".join(missing)


def helm_binary() -> str:
    found = _helm()
    if found is None:
        msg = (
            "needs `helm` on PATH (or its path in GITOPS_GEN_HELM) to render the chart per env "
            "as Argo CD does; install helm"
        )
        raise UserError.unlocated("diff", "helm", msg)
    return found


def _helm() -> str | None:
    return find_helm()


def _kustomize(folder: Path) -> list[str]:
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize", str(folder)]
    if shutil.which("kustomize"):
        return ["kustomize", "build", str(folder)]
    msg = "needs `kubectl` (or `kustomize`) on PATH to build each overlay as Argo CD does"
    raise UserError.unlocated("diff", "kubectl", msg)


def _run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise UserError.unlocated(cmd[-1], cmd[0], f"{' '.join(cmd[:2])} failed: {first}")
    return done.stdout

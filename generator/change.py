"""What a catalog change does to the output, read from the two rendered trees (base, head).

Reviewers see effects, not files: Argo CD apps added or pruned, Kubernetes objects per env,
Terraform secrets, parameters and roles created or DESTROYED, Vault policies widened or
narrowed. Removals come first and loud: mass deletion through Argo CD prune or a Terraform
destroy is how a one-line catalog change becomes an incident (argo-cd #9227).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator import applied
from generator.change_objects import NAMESPACE_GONE, object_changes

Tree = dict[str, str]
_VAULT_PATH = re.compile(r'^path "((?:[^"\\]|\\.)*)"', re.M)
_OVERLAY = re.compile(r"^kustomize/([^/]+)/overlays/([^/]+)/kustomization\.yaml\Z")


@dataclass(frozen=True, order=True)
class Change:
    area: str  # argocd | kubernetes | terraform | vault
    env: str
    action: str  # added | removed | changed | widened | narrowed | replaced
    what: str
    detail: str = ""

    @property
    def removal(self) -> bool:
        return self.action in {"removed", "replaced", "narrowed"}

    def line(self) -> str:
        mark = {"added": "+", "removed": "-", "replaced": "!", "widened": ">", "narrowed": "<"}
        detail = f": {self.detail}" if self.detail else ""
        return f"{mark.get(self.action, '~')} [{self.env}] {self.what} {self.action}{detail}"


@dataclass(frozen=True)
class ChangeReport:
    base: str
    changes: list[Change]
    files_changed: int

    notes: tuple[str, ...] = ()

    @property
    def removals(self) -> list[Change]:
        """What a reviewer must see first, most far-reaching first."""
        return sorted((c for c in self.changes if c.removal), key=lambda c: (_rank(c), c))


_REMOVAL_ORDER = (
    "Namespace ",
    "Argo CD app ",
    "secret ",
    "parameter ",
    "IAM role ",
    "Vault policy ",
    "env var ",
)


def _rank(change: Change) -> int:
    found = (i for i, p in enumerate(_REMOVAL_ORDER) if change.what.startswith(p))
    return next(found, len(_REMOVAL_ORDER))


def diff_against(catalog_dir: Path, base: str) -> ChangeReport:
    """`diff --base REF`: render the catalog at REF and in the work tree, compare effects."""
    from generator.catalog.load import load_catalog
    from generator.engine import paused_gc
    from generator.gitref import catalog_at
    from generator.render.pipeline import OUT, render_catalog

    with paused_gc():
        head_catalog = load_catalog(catalog_dir)
        base_catalog = catalog_at(catalog_dir, base)
        old = render_catalog(base_catalog)[OUT] if base_catalog else {}
        new = render_catalog(head_catalog)[OUT]
    envs = [e.name for e in head_catalog.platform.environments]
    paths = [head_catalog.platform.renderedPath]
    if base_catalog is not None:
        envs += [e.name for e in base_catalog.platform.environments if e.name not in envs]
        paths.append(base_catalog.platform.renderedPath)
    return compare(old, new, envs, base, tuple(paths))


def compare(
    base: Tree,
    head: Tree,
    envs: list[str],
    base_label: str,
    rendered_paths: tuple[str, ...] = ("rendered",),
) -> ChangeReport:
    kube, notes = _applied_changes(base, head, envs, rendered_paths)
    changes = sorted(
        {*_argocd(base, head, envs), *kube, *_terraform(base, head), *_vault(base, head)}
    )
    changed = sum(1 for p in base.keys() | head.keys() if base.get(p) != head.get(p))
    return ChangeReport(base_label, changes, changed, notes)


def _applied_changes(
    base: Tree, head: Tree, envs: list[str], rendered_paths: tuple[str, ...]
) -> tuple[list[Change], tuple[str, ...]]:
    """Per object, as each env's apps would apply them; without helm or kubectl, the
    rendered files are compared instead and the report says so."""
    missing = applied.missing_tools()
    if missing:
        note = f"{missing} not found: Kubernetes objects compared from rendered files, not "
        note += "as Argo CD would build them (install it for a per-object report)"
        return [*_kubernetes(base, head), *_helm(base, head, envs)], (note,)
    base_apps = applied.apps(base, envs, rendered_paths[-1])
    head_apps = applied.apps(head, envs, rendered_paths[0])
    found = object_changes(base, head, base_apps, head_apps)
    return [Change("kubernetes", c.env, c.action, c.what, c.detail) for c in found], ()


def _keyed(
    area: str, env: str, old: dict[str, Any], new: dict[str, Any], kind: str
) -> Iterator[Change]:
    for name in sorted(old.keys() | new.keys()):
        what = f"{kind} {name}" if kind else name
        if name not in new:
            yield Change(area, env, "removed", what)
        elif name not in old:
            yield Change(area, env, "added", what)
        elif old[name] != new[name]:
            yield Change(area, env, "changed", what)


def _docs(tree: Tree, path: str) -> list[dict[str, Any]]:
    text = tree.get(path)
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)] if text else []


def _argocd(base: Tree, head: Tree, envs: list[str]) -> Iterator[Change]:
    for env in envs:
        paths = [f"argocd/{env}/{name}.yaml" for name in ("operators", "applications")]
        old = {d["metadata"]["name"]: d for p in paths for d in _docs(base, p)}
        new = {d["metadata"]["name"]: d for p in paths for d in _docs(head, p)}
        for found in _keyed("argocd", env, old, new, "Argo CD app"):
            if found.action == "removed":
                detail = "Argo CD prunes everything this app deployed"
                yield Change(found.area, env, "removed", found.what, detail)
            else:
                yield found


def _objects(tree: Tree) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(service, env) -> (namespace, {kind name: content of base object + that env's overlay})."""
    by_service: dict[str, list[tuple[PurePosixPath, str]]] = {}
    for key, text in tree.items():
        path = PurePosixPath(key)
        if path.parts[0] == "kustomize" and len(path.parts) > 3:
            by_service.setdefault(path.parts[1], []).append((path, text))
    out = {}
    for service, files in by_service.items():
        objects = {}
        for path, text in files:
            if path.parts[2] == "base" and path.name != "kustomization.yaml":
                doc = yaml.safe_load(text)
                objects[f"{doc['kind']} {doc['metadata']['name']}"] = text
        overlays: dict[str, list[str]] = {}
        namespaces = {}
        for path, text in sorted(files):
            if path.parts[2] == "overlays":
                env = path.parts[3]
                overlays.setdefault(env, []).append(text)
                if _OVERLAY.match(str(path)):
                    namespaces[env] = yaml.safe_load(text).get("namespace", "")
        for env, texts in overlays.items():
            patch = "".join(texts)
            out[(service, env)] = (
                namespaces.get(env, ""),
                {k: v + patch for k, v in objects.items()},
            )
    return out


def _kubernetes(base: Tree, head: Tree) -> Iterator[Change]:
    old, new = _objects(base), _objects(head)
    for key in sorted(old.keys() | new.keys()):
        env = key[1]
        old_ns, old_objs = old.get(key, ("", {}))
        new_ns, new_objs = new.get(key, ("", {}))
        if old_ns and new_ns and old_ns != new_ns:
            detail = f"namespace {old_ns} -> {new_ns}: objects are recreated"
            yield Change("kubernetes", env, "replaced", f"{key[0]} objects", detail)
            continue
        ns = new_ns or old_ns
        prefixed_old = {f"{k} (ns {ns})": v for k, v in old_objs.items()}
        prefixed_new = {f"{k} (ns {ns})": v for k, v in new_objs.items()}
        yield from _keyed("kubernetes", env, prefixed_old, prefixed_new, "")


def _helm_services(tree: Tree, env: str) -> dict[str, Any]:
    """Merged chart values per enabled service in `env`: what its Deployment is made of."""
    names = {p: p.rpartition("/")[2] for p in tree}
    base_values = next(
        (p for p, n in names.items() if n == "values.yaml" and p.startswith("helm/")), None
    )
    env_values = next((p for p, n in names.items() if n == f"values-{env}.yaml"), None)
    if base_values is None or env_values is None:
        return {}
    common = (yaml.safe_load(tree[base_values]) or {}).get("services", {})
    per_env = (yaml.safe_load(tree[env_values]) or {}).get("services", {})
    merged = {n: {**common.get(n, {}), **v} for n, v in per_env.items()}
    return {n: v for n, v in merged.items() if v.get("enabled")}


def _helm(base: Tree, head: Tree, envs: list[str]) -> Iterator[Change]:
    for env in envs:
        old, new = _helm_services(base, env), _helm_services(head, env)
        yield from _keyed("kubernetes", env, old, new, "Deployment+Service+ConfigMap of")
        gone = {v["namespace"] for v in old.values()} - {v["namespace"] for v in new.values()}
        for namespace in sorted(gone):
            yield Change("kubernetes", env, "removed", f"Namespace {namespace}", NAMESPACE_GONE)


def _tfvars(tree: Tree) -> dict[str, dict[str, Any]]:
    out = {}
    for key, text in tree.items():
        path = PurePosixPath(key)
        if path.name == "terraform.tfvars.json" and path.parts[:2] == ("terraform", "envs"):
            out[path.parts[2]] = json.loads(text)
    return out


def _terraform(base: Tree, head: Tree) -> Iterator[Change]:
    old_all, new_all = _tfvars(base), _tfvars(head)
    for env in sorted(old_all.keys() | new_all.keys()):
        old, new = old_all.get(env, {}), new_all.get(env, {})
        window = (old or new).get("recovery_window_in_days", 0)
        for section, kind, gone in (
            ("secretsmanager_secrets", "secret", f"DESTROYED: deleted after {window} days"),
            ("ssm_parameters", "parameter", "no longer read; it stays in AWS with its value"),
            ("irsa_roles", "IAM role", "DESTROYED: the service loses access"),
        ):
            a, b = old.get(section, {}), new.get(section, {})
            for key in sorted(a.keys() | b.keys()):
                name = (b.get(key) or a.get(key))["name"]
                what = f"{kind} {name}"
                if key not in b:
                    yield Change("terraform", env, "removed", what, gone)
                elif key not in a:
                    yield Change("terraform", env, "added", what, "created")
                elif a[key]["name"] != b[key]["name"]:
                    detail = f"renamed from {a[key]['name']}: destroyed and created"
                    yield Change("terraform", env, "replaced", what, detail)
                elif section == "irsa_roles":
                    yield from _role_scope(env, what, a[key], b[key])
                elif a[key] != b[key]:
                    yield Change("terraform", env, "changed", what)


def _resources(role: dict[str, Any]) -> set[str]:
    return {r for s in role["policy"]["Statement"] for r in s["Resource"]}


def _role_scope(env: str, what: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    gained, lost = _resources(new) - _resources(old), _resources(old) - _resources(new)
    if gained:
        yield Change("terraform", env, "widened", what, ", ".join(sorted(gained)))
    if lost:
        yield Change("terraform", env, "narrowed", what, ", ".join(sorted(lost)))
    if not gained and not lost and old != new:
        yield Change("terraform", env, "changed", what)


def _policies(tree: Tree) -> dict[tuple[str, str], set[str]]:
    out = {}
    for key, text in tree.items():
        path = PurePosixPath(key)
        if path.parts[0] == "vault" and path.suffix == ".hcl":
            out[(path.parts[1], path.stem)] = set(_VAULT_PATH.findall(text))
    return out


def _vault(base: Tree, head: Tree) -> Iterator[Change]:
    old, new = _policies(base), _policies(head)
    for env, service in sorted(old.keys() | new.keys()):
        what = f"Vault policy of {service}"
        a, b = old.get((env, service)), new.get((env, service))
        if b is None:
            yield Change("vault", env, "removed", what, "the service loses access")
        elif a is None:
            yield Change("vault", env, "added", what, ", ".join(sorted(b)))
        else:
            if b - a:
                yield Change("vault", env, "widened", what, ", ".join(sorted(b - a)))
            if a - b:
                yield Change("vault", env, "narrowed", what, ", ".join(sorted(a - b)))


AREAS = {
    "argocd": "Argo CD apps",
    "kubernetes": "Kubernetes objects",
    "terraform": "Terraform",
    "vault": "Vault policies",
}


def text_change_report(report: ChangeReport) -> str:
    if not report.files_changed:
        return f"gitops-gen diff: no change to the output against {report.base}\n"
    removals = report.removals
    lines = [
        f"gitops-gen diff against {report.base}: {report.files_changed} file(s) change, "
        f"{len(removals)} removal(s)"
    ]
    lines += [f"note: {n}" for n in report.notes]
    if removals:
        lines += ["", "!!! REMOVALS: review before merging !!!"]
        lines += [f"  {c.line()}" for c in removals]
    for area, title in AREAS.items():
        items = [c for c in report.changes if c.area == area and not c.removal]
        if items:
            lines += ["", f"{title}:"] + [f"  {c.line()}" for c in items]
    return "\n".join(lines) + "\n"


def markdown_change_report(report: ChangeReport) -> str:
    if not report.files_changed:
        return f"### gitops-gen diff\n\nNo change to the output against `{report.base}`.\n"
    out = [f"### gitops-gen diff against `{report.base}`", ""]
    out += [f"_Note: {n}_\n" for n in report.notes]
    removals = report.removals
    if removals:
        out += [
            f"> [!CAUTION]\n> **{len(removals)} removal(s)**: review before merging.",
            "",
            "| env | what | action | detail |",
            "| --- | --- | --- | --- |",
        ]
        out += [f"| {c.env} | {c.what} | **{c.action}** | {c.detail} |" for c in removals]
        out.append("")
    rest = [c for c in report.changes if not c.removal]
    if rest:
        out += ["| area | env | what | action | detail |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {AREAS[c.area]} | {c.env} | {c.what} | {c.action} | {c.detail} |" for c in rest]
    out += ["", f"{report.files_changed} rendered file(s) change."]
    return "\n".join(out) + "\n"


def json_change_report(report: ChangeReport) -> str:
    doc = {
        "base": report.base,
        "changed": bool(report.files_changed),
        "files_changed": report.files_changed,
        "notes": list(report.notes),
        "removals": [asdict(c) for c in report.removals],
        "changes": [asdict(c) for c in report.changes],
    }
    return json.dumps(doc, indent=2) + "\n"

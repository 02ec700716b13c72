"""Each area's effects, read from the base and head rendered trees: Argo CD apps, Terraform
secrets, parameters and roles, Vault policies, and (without helm or kubectl) Kubernetes objects
compared file by file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

import yaml

from generator.parts.result import Application, Results
from generator.review.change_objects import NAMESPACE_GONE
from generator.review.change_report import Change

Tree = dict[str, str]
_OVERLAY = re.compile(r"^kustomize/([^/]+)/overlays/([^/]+)/kustomization\.yaml\Z")


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


def _synced_apps(found: Iterable[Application], env: str) -> dict[str, object]:
    """The env's operator apps and the apps of the repo's folders (not its root app)."""
    return {a.name: a.view for a in found if a.env == env and a.role in {"operator", "app"}}


def argocd_changes(old: Results, new: Results, envs: list[str]) -> Iterator[Change]:
    """From the Argo CD family's typed Applications of both sides."""
    for env in envs:
        before = _synced_apps(old.applications(), env)
        after = _synced_apps(new.applications(), env)
        for found in _keyed("argocd", env, before, after, "Argo CD app"):
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


def kubernetes_changes(base: Tree, head: Tree) -> Iterator[Change]:
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


def helm_changes(base: Tree, head: Tree, envs: list[str]) -> Iterator[Change]:
    for env in envs:
        old, new = _helm_services(base, env), _helm_services(head, env)
        yield from _keyed("kubernetes", env, old, new, "Deployment+Service+ConfigMap of")
        gone = {v["namespace"] for v in old.values()} - {v["namespace"] for v in new.values()}
        for namespace in sorted(gone):
            yield Change("kubernetes", env, "removed", f"Namespace {namespace}", NAMESPACE_GONE)


def terraform_changes(
    old_all: dict[str, dict[str, Any]], new_all: dict[str, dict[str, Any]]
) -> Iterator[Change]:
    """From each env's Terraform inputs, as the Terraform family rendered them."""
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


def vault_changes(
    old: dict[tuple[str, str], frozenset[str]], new: dict[tuple[str, str], frozenset[str]]
) -> Iterator[Change]:
    """From each (env, service) policy's read paths, as the Vault family rendered them."""
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


def vault_role_changes(
    old: dict[tuple[str, str], str], new: dict[tuple[str, str], str]
) -> Iterator[Change]:
    """An auth role bound anew: another namespace or Vault may now log in as the service.
    (A role that comes or goes comes or goes with its policy, reported above.)"""
    for env, service in sorted(old.keys() & new.keys()):
        a, b = old[(env, service)], new[(env, service)]
        if a != b:
            yield Change(
                "vault", env, "changed", f"Vault auth role of {service}", f"{b} (was: {a})"
            )

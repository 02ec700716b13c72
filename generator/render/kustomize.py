"""Kustomize: per service a `base/` carrying `_ENV_`, one `overlays/<env>/` per env (seed 001)."""

from __future__ import annotations

from collections.abc import Callable

from generator.catalog.models import Service
from generator.consistency import Inventory, ObjectId
from generator.render.facts import Facts
from generator.render.kube import Obj, Parts, yaml_file

ROOT = "kustomize"
KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


def overlay_dir(service: str, env: str) -> str:
    return f"{ROOT}/{service}/overlays/{env}"


def render(
    facts: Facts,
    families: list[Callable[[Facts, Service], Parts | None]],
    inventory: Inventory,
) -> dict[str, str]:
    files: dict[str, str] = {}
    for service in facts.services:
        for family in families:
            parts = family(facts, service)
            if parts is not None:
                files.update(_service_tree(facts, service, parts))
                _record(facts, service, parts, inventory)
    return files


def _record(facts: Facts, service: Service, parts: Parts, inventory: Inventory) -> None:
    for env in facts.envs:
        namespace = facts.deployed(service, env).namespace
        for name, keys in parts.secrets.items():
            inventory.produce(ObjectId(env.name, namespace, "Secret", name), keys)


def _service_tree(facts: Facts, service: Service, parts: Parts) -> dict[str, str]:
    src = facts.source(service)
    base = f"{ROOT}/{service.name}/base"
    files = {f"{base}/{n}": yaml_file(src, obj) for n, obj in parts.resources.items()}
    files[f"{base}/kustomization.yaml"] = yaml_file(
        src, {**KUSTOMIZATION, "resources": sorted(parts.resources)}
    )
    for env in facts.envs:
        out = overlay_dir(service.name, env.name)
        patches = parts.patches(env)
        kustomization: Obj = {
            **KUSTOMIZATION,
            "namespace": facts.deployed(service, env).namespace,
            "resources": ["../../base"],
            "patches": [
                {
                    "path": p.file,
                    "target": {**_group_version(p.api), "kind": p.kind, "name": p.name},
                }
                for p in patches
            ],
        }
        files[f"{out}/kustomization.yaml"] = yaml_file(src, kustomization)
        for p in patches:
            files[f"{out}/{p.file}"] = yaml_file(src, p.ops)
    return files


def _group_version(api: str) -> Obj:
    group, _, version = api.rpartition("/")
    return {"group": group, "version": version} if group else {"version": version}

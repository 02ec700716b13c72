"""What an applied object creates and what it names, read from the object itself.

Where a template is overridden, the families cannot trust the names their views hold: they
build the objects as Argo CD would (the overlays patched, the chart through `helm template`)
and hand each one here. What it creates becomes an `ObjectId` of the inventory, each name it
holds a `Reference` naming it (`Kind namespace/name`) and the file that produced it; `verify`
then refuses a reference that resolves to nothing in the same env and namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

from generator.parts.inventory import SECRET_NAME_PATH, Inventory, ObjectId, Reference, written

Obj = dict[str, Any]

# Kinds another object may name; a Secret the operators write is recorded by its family
# (`Parts.secrets`, `produced_by`): its keys need the catalog's declaration.
REFERABLE = frozenset(
    {
        "ConfigMap",
        "ClusterSecretStore",
        "Deployment",
        "Secret",
        "SecretStore",
        "ServiceAccount",
        "VaultAuth",
        "VaultConnection",
    }
)
HOLDS_KEYS = {  # where the keys a `secretKeyRef` / `configMapKeyRef` reads are
    "ConfigMap": ("data", "binaryData"),
    "Secret": ("data", "stringData"),
}
POD_OWNERS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"})
RELOADER = {  # Stakater Reloader: restart when one of these (comma-separated) changes
    "secret.reloader.stakater.com/reload": "Secret",
    "configmap.reloader.stakater.com/reload": "ConfigMap",
}


@dataclass(frozen=True)
class Built:
    """One object as its Argo CD app applies it, and where it came from."""

    env: str
    namespace: str  # the object's, else its app's destination; "" when cluster-scoped
    doc: Obj
    service: str  # whose object it is (the error's field)
    source: str  # the file that produced it: the template override, else the catalog file


def record(objects: list[Built], inventory: Inventory) -> None:
    """Every object's own id first, then what each names (`verify` reads both)."""
    for obj in objects:
        found = referable(obj.doc)
        if found is not None:
            kind, name, keys = found
            inventory.produce(ObjectId(obj.env, obj.namespace, kind, name), keys)
    for obj in objects:
        referrer = f"{obj.doc.get('kind')} {_shown(obj.namespace, _name(obj.doc))}"
        secret = written(obj.doc) if obj.doc.get("kind") in SECRET_NAME_PATH else None
        if secret is not None:
            where = ObjectId(obj.env, obj.namespace, "Secret", secret.name)
            inventory.origins[where] = f"{referrer} ({obj.source})"
        for kind, namespace, name, key, how in names(obj.doc, obj.namespace):
            target = ObjectId(obj.env, namespace, kind, name)
            inventory.refer(Reference(obj.service, obj.source, target, key, how, referrer))


def referable(doc: Obj) -> tuple[str, str, frozenset[str]] | None:
    """An object another may name (kind, name, and the keys it holds), or None."""
    kind = doc.get("kind")
    if kind not in REFERABLE:
        return None
    keys = frozenset(k for field in HOLDS_KEYS.get(kind, ()) for k in _mapping(doc.get(field)))
    return str(kind), _name(doc), keys


def built_objects(files: dict[str, str], envs: list[str], source: str) -> list[Built]:
    """The objects of a plain folder (no kustomization builds it), applied in every env."""
    from generator.text.yamlin import load_all

    docs = [
        doc
        for path, text in files.items()
        if not path.endswith("/kustomization.yaml")
        for doc in load_all(text)
        if isinstance(doc, dict)
    ]
    return [
        Built(env, _mapping(doc.get("metadata")).get("namespace") or "", doc, "", source)
        for env in envs
        for doc in docs
    ]


Named = tuple[str, str, str, str | None, str]  # kind, namespace, name, key, how


def names(doc: Obj, namespace: str) -> Iterator[Named]:
    """Every object `doc` names: (kind, namespace, name, key or None, the field)."""
    kind, spec = doc.get("kind"), _mapping(doc.get("spec"))
    if kind == "ExternalSecret":
        ref = _mapping(spec.get("secretStoreRef"))
        store, name = ref.get("kind") or "SecretStore", ref.get("name")
        if _text(name):
            where = "" if store == "ClusterSecretStore" else namespace
            yield str(store), where, name, None, "secretStoreRef"
    elif kind in {"VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret"}:
        yield from _vault_ref(spec.get("vaultAuthRef"), "VaultAuth", namespace, "vaultAuthRef")
        for target in _list(spec.get("rolloutRestartTargets")):
            kind, name = target.get("kind"), target.get("name")
            if _text(kind) and _text(name):
                yield kind, namespace, name, None, "rolloutRestartTargets"
    elif kind == "VaultAuth":
        yield from _vault_ref(
            spec.get("vaultConnectionRef"), "VaultConnection", namespace, "vaultConnectionRef"
        )
        account = _mapping(spec.get("kubernetes")).get("serviceAccount")
        if _text(account):
            yield "ServiceAccount", namespace, account, None, "kubernetes.serviceAccount"
    elif kind == "SecretStore":
        for provider in _mapping(spec.get("provider")).values():
            jwt = _mapping(_mapping(_mapping(provider).get("auth")).get("jwt"))
            account = _mapping(jwt.get("serviceAccountRef")).get("name")
            if _text(account):
                yield "ServiceAccount", namespace, account, None, "serviceAccountRef"
    elif kind in POD_OWNERS:
        yield from _reloader(_mapping(_mapping(doc.get("metadata")).get("annotations")), namespace)
        yield from _pod(_mapping(_mapping(spec.get("template")).get("spec")), namespace)


def _vault_ref(value: object, kind: str, namespace: str, how: str) -> Iterator[Named]:
    """VSO's `namespace/name` or `name`; empty means the operator's default object."""
    if _text(value):
        where, _, name = value.rpartition("/")
        yield kind, where or namespace, name, None, how


def _reloader(annotations: Obj, namespace: str) -> Iterator[Named]:
    for annotation, kind in RELOADER.items():
        value = annotations.get(annotation)
        for name in value.split(",") if isinstance(value, str) else []:
            if name.strip():
                yield kind, namespace, name.strip(), None, f"annotation {annotation}"


def _pod(pod: Obj, namespace: str) -> Iterator[Named]:
    account = pod.get("serviceAccountName")
    if _text(account) and account != "default":
        yield "ServiceAccount", namespace, account, None, "serviceAccountName"
    for container in [*_list(pod.get("initContainers")), *_list(pod.get("containers"))]:
        for source in _list(container.get("envFrom")):
            for field, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                ref = _mapping(source.get(field))
                name = ref.get("name")
                if _text(name) and not ref.get("optional"):
                    yield kind, namespace, name, None, field
        for var in _list(container.get("env")):
            value_from = _mapping(var.get("valueFrom"))
            for field, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                ref = _mapping(value_from.get(field))
                name, key = ref.get("name"), ref.get("key")
                if _text(name) and not ref.get("optional"):
                    yield kind, namespace, name, key if _text(key) else None, field
    for volume in _list(pod.get("volumes")):
        secret, config = _mapping(volume.get("secret")), _mapping(volume.get("configMap"))
        name = secret.get("secretName")
        if _text(name) and not secret.get("optional"):
            yield "Secret", namespace, name, None, "volumes.secret"
        name = config.get("name")
        if _text(name) and not config.get("optional"):
            yield "ConfigMap", namespace, name, None, "volumes.configMap"


def _name(doc: Obj) -> str:
    name = _mapping(doc.get("metadata")).get("name")
    return name if isinstance(name, str) else ""


def _shown(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value)


def _mapping(value: object) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Obj]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

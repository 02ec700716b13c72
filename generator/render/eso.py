"""External Secrets Operator: stores and one ExternalSecret per service (seeds 000, 001, 003)."""

from __future__ import annotations

from generator.catalog.models import (
    Aws,
    AwsParameterStore,
    AwsSecretsManager,
    Environment,
    Service,
)
from generator.catalog.templates import ENV_PLACEHOLDER
from generator.render.facts import (
    Facts,
    SecretPlan,
    cluster_store_name,
    irsa_role_name,
    plugin_of,
    secret_name,
)
from generator.render.kube import Obj, Parts, Patch, managed, meta, yaml_file

API = "external-secrets.io/v1"
STORES_DIR = "platform/secret-stores"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"


def per_service_stores(facts: Facts) -> bool:
    aws = facts.platform.aws
    return aws is not None and aws.secretStoreScope == "service"


def render_cluster_stores(facts: Facts) -> dict[str, str]:
    """One ClusterSecretStore per AWS backend, under a kustomize folder of its own."""
    aws = facts.platform.aws
    backends = facts.aws_backends()
    if aws is None or not backends or per_service_stores(facts):
        return {}
    src = facts.source()
    files: dict[str, str] = {}
    for name, backend in backends:
        store = cluster_store_name(facts.system, name)
        doc = {
            "apiVersion": API,
            "kind": "ClusterSecretStore",
            "metadata": meta(store, None, facts.system),
            "spec": {
                "provider": {
                    "aws": {"service": plugin_of(backend).eso_service, "region": aws.region}
                }
            },
        }
        files[f"{STORES_DIR}/{store}.yaml"] = yaml_file(src, doc)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(p.rpartition("/")[2] for p in files),
    }
    files[f"{STORES_DIR}/kustomization.yaml"] = yaml_file(src, kustomization)
    return files


def role_arn(aws: Aws, system: str, env: str, service: str) -> str:
    return f"arn:aws:iam::{aws.accountId}:role/{irsa_role_name(system, env, service)}"


def parts(facts: Facts, service: Service, plan: SecretPlan, provider: str) -> Parts | None:
    """The ExternalSecret (and per-service store) of a service on an AWS backend; `provider`
    is the ESO AWS provider's `service`."""
    aws = facts.platform.aws
    if aws is None:
        return None
    name = secret_name(service)
    resources: dict[str, Obj] = {}
    if per_service_stores(facts):
        store_ref = {"kind": "SecretStore", "name": service.name}
        resources.update(_service_store(facts, service, provider, aws))
    else:
        store_ref = {
            "kind": "ClusterSecretStore",
            "name": cluster_store_name(facts.system, plan.backend_name),
        }
    spec: Obj = {
        "refreshInterval": "1h",
        "secretStoreRef": store_ref,
        "target": {"name": name, "creationPolicy": "Owner"},
    }
    if extracts_all_keys(plan):
        spec["dataFrom"] = [{"extract": {"key": facts.refs(service)[0].key}}]
    else:
        spec["data"] = _declared_data(facts, service, plan)
    resources["externalsecret.yaml"] = {
        "apiVersion": API,
        "kind": "ExternalSecret",
        "metadata": managed(meta(name, service.ns, facts.system, service.name)),
        "spec": spec,
    }

    def patches(env: Environment) -> list[Patch]:
        return _env_patches(facts, service, plan, aws, env)

    return Parts(resources=resources, patches=patches, secrets={name: _keys(spec, plan.keys)})


def extracts_all_keys(plan: SecretPlan) -> bool:
    """The backend's explicit opt-in to copy every key of one JSON secret (`dataFrom.extract`)."""
    backend = plan.backend
    assert isinstance(backend, AwsSecretsManager | AwsParameterStore)
    return backend.extractAllKeys and not plan.per_key


def _declared_data(
    facts: Facts, service: Service, plan: SecretPlan, env: str = ENV_PLACEHOLDER
) -> list[Obj]:
    """Exactly the declared keys: one parameter each, or one property each of the JSON secret.

    ESO fails the whole sync when a key or property is missing, so the Secret is never
    created with a key short, and keys nobody declared never reach it.
    """
    refs = facts.refs(service, env)
    if plan.per_key:
        return [{"secretKey": r.secret_key, "remoteRef": {"key": r.key}} for r in refs]
    return [{"secretKey": k, "remoteRef": {"key": refs[0].key, "property": k}} for k in plan.keys]


def _service_store(facts: Facts, service: Service, provider: str, aws: Aws) -> dict[str, Obj]:
    """Per-service IRSA: a ServiceAccount with the role ARN and a SecretStore that uses it."""
    ns = service.ns
    sa_meta = meta(service.name, ns, facts.system, service.name)
    arn = role_arn(aws, facts.system, ENV_PLACEHOLDER, service.name)
    sa_meta["annotations"] = {IRSA_ANNOTATION: arn}
    return {
        "serviceaccount.yaml": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": sa_meta},
        "secretstore.yaml": {
            "apiVersion": API,
            "kind": "SecretStore",
            "metadata": meta(service.name, ns, facts.system, service.name),
            "spec": {
                "provider": {
                    "aws": {
                        "service": provider,
                        "region": aws.region,
                        "auth": {"jwt": {"serviceAccountRef": {"name": service.name}}},
                    }
                }
            },
        },
    }


def _env_patches(
    facts: Facts, service: Service, plan: SecretPlan, aws: Aws, env: Environment
) -> list[Patch]:
    """One env's overlay: its refresh interval, its own remote keys, its own IRSA role."""
    ops: list[Obj] = [
        {"op": "replace", "path": "/spec/refreshInterval", "value": env.refreshInterval}
    ]
    if extracts_all_keys(plan):
        key = facts.refs(service, env.name)[0].key
        ops.append({"op": "replace", "path": "/spec/dataFrom/0/extract/key", "value": key})
    else:
        ops += [
            {
                "op": "replace",
                "path": f"/spec/data/{i}/remoteRef/key",
                "value": item["remoteRef"]["key"],
            }
            for i, item in enumerate(_declared_data(facts, service, plan, env.name))
        ]
    name = secret_name(service)
    out = [Patch("patches/externalsecret.yaml", API, "ExternalSecret", name, ops)]
    if per_service_stores(facts):
        arn = role_arn(aws, facts.system, env.name, service.name)
        path = "/metadata/annotations/" + IRSA_ANNOTATION.replace("/", "~1")
        sa_ops: list[Obj] = [{"op": "replace", "path": path, "value": arn}]
        out.append(
            Patch("patches/serviceaccount.yaml", "v1", "ServiceAccount", service.name, sa_ops)
        )
    return out


def _keys(spec: Obj, declared: tuple[str, ...]) -> frozenset[str]:
    """Keys the synced Secret carries: per-key refs, or the JSON document's declared keys."""
    if "data" in spec:
        return frozenset(item["secretKey"] for item in spec["data"])
    return frozenset(declared)

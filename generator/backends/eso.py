"""External Secrets Operator: stores and one ExternalSecret per service (seeds 000, 001, 003).

The objects are `templates/eso/*.yaml.j2`, fed the views below; the AWS backend plug-ins
(`generator.backends`) call `parts` with their ESO provider service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from generator.catalog.facts import (
    Facts,
    SecretPlan,
    header,
    irsa_role_name,
)
from generator.catalog.models import (
    Aws,
    AwsBackendModel,
    AwsParameterStore,
    AwsSecretsManager,
    Environment,
    Service,
)
from generator.catalog.templates import ENV_PLACEHOLDER
from generator.parts.family import Family
from generator.parts.inventory import Inventory, produced_by
from generator.parts.kube import (
    MetaView,
    Obj,
    Parts,
    Patch,
    managed,
    meta,
    meta_view,
    view_document,
)
from generator.parts.object_refs import built_objects, record
from generator.parts.result import WAVE_STORES, AppSource, FamilyResult
from generator.templating.context import scope
from generator.templating.engine import Templates, templates_for

API = "external-secrets.io/v1"
STORES_DIR = "platform/secret-stores"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
ES_TEMPLATE = "eso/externalsecret.yaml.j2"
STORE_TEMPLATE = "eso/secretstore.yaml.j2"
ACCOUNT_TEMPLATE = "eso/serviceaccount.yaml.j2"
CLUSTER_STORE_TEMPLATE = "eso/clustersecretstore.yaml.j2"
STORES_TEMPLATE = "eso/clustersecretstores-kustomization.yaml.j2"


class DataView(NamedTuple):
    """One declared key: `secret_key` in the Secret, read from `key` (and its `property`)."""

    secret_key: str
    key: str  # the remote name (with `_ENV_` in the base)
    property: str  # the JSON document's property ("" for one object per key)
    template: str  # ESO's Go template for the key: its value, or a failed sync when blank


def key_template(key: str) -> str:
    """ESO's `target.template` (engine v2: Go text/template with sprig but `env`/`expandenv`)
    for one declared key: its value, or a failed sync when the fetched value is empty or
    blank. ESO then writes no Secret and the pod cannot start, as on Vault. `index` and
    `toString` read the value whether ESO hands the template strings or bytes."""
    return (
        f'{{{{- $v := index . "{key}" | toString -}}}}'
        f'{{{{- if eq (trim $v) "" -}}}}'
        f'{{{{- fail "declared key {key} is empty or blank in the AWS secret" -}}}}'
        "{{- end -}}{{- $v -}}"
    )


class ExternalSecretView(NamedTuple):
    """What `eso/externalsecret.yaml.j2` sees as `es`."""

    meta: MetaView
    refresh_interval: str  # the base's; each env's overlay patches its own
    store_kind: str  # `SecretStore` (per service) or `ClusterSecretStore`
    store_name: str
    target: str  # the Kubernetes Secret ESO writes
    extract_key: str  # with `extractAllKeys`: the one JSON secret copied whole, else ""
    data: tuple[DataView, ...]  # exactly the declared keys (empty with `extract_key`)


class SecretStoreView(NamedTuple):
    """What `eso/secretstore.yaml.j2` (per service) and `eso/clustersecretstore.yaml.j2`
    see as `store`."""

    meta: MetaView
    service: str  # the ESO AWS provider's `service`: SecretsManager | ParameterStore
    region: str
    service_account: str  # the per-service store's IRSA ServiceAccount ("" for a cluster store)


class ServiceAccountView(NamedTuple):
    """What `eso/serviceaccount.yaml.j2` sees as `account`: the per-service IRSA identity."""

    meta: MetaView
    role_arn: str  # the base's (`_ENV_` role); each env's overlay patches its own


class StoresView(NamedTuple):
    """What `eso/clustersecretstores-kustomization.yaml.j2` sees as `stores`."""

    resources: tuple[str, ...]  # file names of the ClusterSecretStores, sorted


def per_service_stores(facts: Facts) -> bool:
    aws = facts.platform.aws
    return aws is not None and aws.secretStoreScope == "service"


def has_cluster_stores(facts: Facts) -> bool:
    """AWS backends, read through stores shared by every service (not one per service)."""
    return bool(facts.platform.aws and facts.aws_backends()) and not per_service_stores(facts)


def render_cluster_stores(facts: Facts) -> dict[str, str]:
    """One ClusterSecretStore per AWS backend, under a kustomize folder of its own."""
    aws = facts.platform.aws
    if aws is None or not has_cluster_stores(facts):
        return {}
    backends = facts.aws_backends()
    head = header(facts.source())
    templates = templates_for(facts.catalog)
    files: dict[str, str] = {}
    for name, backend in backends:
        assert isinstance(backend, AwsBackendModel)  # `aws_backends`: on_aws only
        store = facts.cluster_store_name(name)
        view = SecretStoreView(
            meta_view(meta(store, None, facts.system)),
            backend.eso_service,
            aws.region,
            "",
        )
        files[f"{STORES_DIR}/{store}.yaml"] = head + templates.render(
            CLUSTER_STORE_TEMPLATE, store=view
        )
    stores = StoresView(tuple(sorted(p.rpartition("/")[2] for p in files)))
    files[f"{STORES_DIR}/kustomization.yaml"] = head + templates.render(
        STORES_TEMPLATE, stores=stores
    )
    return files


def role_arn(aws: Aws, system: str, env: str, service: str) -> str:
    return f"arn:aws:iam::{aws.accountId}:role/{irsa_role_name(system, env, service)}"


def parts(facts: Facts, service: Service, plan: SecretPlan) -> Parts | None:
    """The ExternalSecret (and per-service store) of a service on an AWS backend."""
    aws = facts.platform.aws
    assert isinstance(plan.backend, AwsBackendModel)
    provider = plan.backend.eso_service
    if aws is None:
        return None
    templates = templates_for(facts.catalog)
    name = facts.secret_name(service)
    resources: dict[str, Obj | str] = {}
    documents = None
    if per_service_stores(facts):
        store_kind, store_name = "SecretStore", facts.service_store_name(service)
        stores, documents = _service_store(facts, service, provider, aws, templates)
        resources.update(stores)
    else:
        store_kind, store_name = (
            "ClusterSecretStore",
            facts.cluster_store_name(plan.backend_name),
        )
    extract = facts.refs(service)[0].key if extracts_all_keys(plan) else ""
    view = ExternalSecretView(
        meta=meta_view(
            managed(meta(name, service.ns, facts.system, service.name), facts.managed_label)
        ),
        refresh_interval="1h",
        store_kind=store_kind,
        store_name=store_name,
        target=name,
        extract_key=extract,
        data=() if extract else _declared_data(facts, service, plan),
    )
    text = resources["externalsecret.yaml"] = templates.render(
        ES_TEMPLATE, es=view, **scope(service)
    )

    def patches(env: Environment) -> list[Patch]:
        return _env_patches(facts, service, plan, aws, env)

    keys = frozenset(d.secret_key for d in view.data) or frozenset(plan.keys)
    secrets = {name: keys}
    if templates.from_override(ES_TEMPLATE):
        secrets = produced_by(templates.documents(text), frozenset(plan.keys))
    return Parts(resources=resources, patches=patches, secrets=secrets, documents=documents)


def extracts_all_keys(plan: SecretPlan) -> bool:
    """The backend's explicit opt-in to copy every key of one JSON secret (`dataFrom.extract`)."""
    backend = plan.backend
    assert isinstance(backend, AwsSecretsManager | AwsParameterStore)
    return backend.extractAllKeys and not plan.per_key


def _declared_data(
    facts: Facts, service: Service, plan: SecretPlan, env: str = ENV_PLACEHOLDER
) -> tuple[DataView, ...]:
    """Exactly the declared keys: one parameter each, or one property each of the JSON secret.

    ESO fails the whole sync when a key or property is missing, so the Secret is never
    created with a key short, and keys nobody declared never reach it.
    """
    refs = facts.refs(service, env)
    if plan.per_key:
        return tuple(DataView(r.secret_key, r.key, "", key_template(r.secret_key)) for r in refs)
    return tuple(DataView(k, refs[0].key, k, key_template(k)) for k in plan.keys)


def _service_store(
    facts: Facts, service: Service, provider: str, aws: Aws, templates: Templates
) -> tuple[dict[str, Obj | str], Callable[[], dict[str, Obj]]]:
    """Per-service IRSA: a ServiceAccount with the role ARN and a SecretStore that uses it;
    and, when asked, the documents their built-in templates wrote (`Parts.documents`)."""
    labels = meta_view(meta(service.name, service.ns, facts.system, service.name))
    arn = role_arn(aws, facts.system, ENV_PLACEHOLDER, service.name)
    account = ServiceAccountView(labels, arn)
    store_meta = meta(facts.service_store_name(service), service.ns, facts.system, service.name)
    store = SecretStoreView(meta_view(store_meta), provider, aws.region, service.name)
    texts: dict[str, Obj | str] = {
        "serviceaccount.yaml": templates.render(
            ACCOUNT_TEMPLATE, account=account, **scope(service)
        ),
        "secretstore.yaml": templates.render(STORE_TEMPLATE, store=store, **scope(service)),
    }
    return texts, partial(_store_documents, account, store, templates)


def _store_documents(
    account: ServiceAccountView, store: SecretStoreView, templates: Templates
) -> dict[str, Obj]:
    """What the built-in ServiceAccount and SecretStore templates write, as documents (a test
    proves the texts hold exactly these); an overridden one's output is parsed instead."""
    out: dict[str, Obj] = {}
    if not templates.from_override(ACCOUNT_TEMPLATE):
        arn = {IRSA_ANNOTATION: account.role_arn}
        out["serviceaccount.yaml"] = view_document("v1", "ServiceAccount", account.meta, arn)
    if not templates.from_override(STORE_TEMPLATE):
        doc = out["secretstore.yaml"] = view_document(API, "SecretStore", store.meta)
        jwt = {"serviceAccountRef": {"name": store.service_account}}
        provider = {"service": store.service, "region": store.region, "auth": {"jwt": jwt}}
        doc["spec"] = {"provider": {"aws": provider}}
    return out


def _env_patches(
    facts: Facts, service: Service, plan: SecretPlan, aws: Aws, env: Environment
) -> list[Patch]:
    """One env's overlay: its refresh interval, its own remote keys, its own IRSA role."""
    ops: list[Obj] = [
        {
            "op": "replace",
            "path": "/spec/refreshInterval",
            "value": facts.deployed(service, env).refresh_interval,
        }
    ]
    if extracts_all_keys(plan):
        key = facts.refs(service, env.name)[0].key
        ops.append({"op": "replace", "path": "/spec/dataFrom/0/extract/key", "value": key})
    else:
        ops += [
            {"op": "replace", "path": f"/spec/data/{i}/remoteRef/key", "value": item.key}
            for i, item in enumerate(_declared_data(facts, service, plan, env.name))
        ]
    name = facts.secret_name(service)
    out = [Patch("patches/externalsecret.yaml", API, "ExternalSecret", name, ops)]
    if per_service_stores(facts):
        arn = role_arn(aws, facts.system, env.name, service.name)
        path = "/metadata/annotations/" + IRSA_ANNOTATION.replace("/", "~1")
        sa_ops: list[Obj] = [{"op": "replace", "path": path, "value": arn}]
        out.append(
            Patch("patches/serviceaccount.yaml", "v1", "ServiceAccount", service.name, sa_ops)
        )
    return out


def stores_result(facts: Facts) -> FamilyResult:
    """The ClusterSecretStores: one folder, synced by one app per env before the secrets."""
    files = render_cluster_stores(facts)
    stores = Inventory()
    if files:  # the ClusterSecretStores every env's ExternalSecrets may name
        templates = templates_for(facts.catalog)
        source = facts.source()
        if templates.from_override(CLUSTER_STORE_TEMPLATE):
            source = templates.shown_path(CLUSTER_STORE_TEMPLATE)
        record(built_objects(files, [env.name for env in facts.envs], source), stores)
    return FamilyResult("eso-stores", files, produced=stores.produced)


def stores_apps(facts: Facts) -> tuple[AppSource, ...]:
    """The stores' folder, synced by one app per env before the secrets."""
    if not has_cluster_stores(facts):
        return ()
    return (AppSource(STORES_DIR, name="secret-stores", role="stores", wave=WAVE_STORES),)


STORES = Family("eso-stores", stores_result, apps=stores_apps)

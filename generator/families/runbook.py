"""Per service a secrets runbook (seed 003's guide, exact for that service): where its values
live in each env, how to add, rotate and force-sync them, how to check the synced Secret
and the pod, and its non-secret config per env. Names and paths only, never a value.

The text is `templates/runbooks/runbook.md.j2` (and its `secrets.md.j2`); this module builds
the typed view it reads, `RunbookView`.
"""

from __future__ import annotations

from typing import NamedTuple

from generator.backends import VSO, fill, plugin_for
from generator.catalog.facts import Facts, configmap_name, header
from generator.catalog.models import Service
from generator.templating.context import scope
from generator.templating.engine import Templates, templates_for

ROOT = "runbooks"
TEMPLATE = "runbooks/runbook.md.j2"


class EnvSecrets(NamedTuple):
    """One env of a service's secrets: where values live and how to fill and check them."""

    name: str
    namespace: str
    paths: tuple[str, ...]  # backend paths / names the values live at
    note: str  # how the commands take the values ("" when nothing to say)
    commands: tuple[str, ...]  # shell commands that fill the values (already quoted)
    deployed: bool
    refresh_after: str  # VSO's refreshAfter in this env ("" for AWS backends)
    vault_role: str  # the auth role VSO logs in with, `auth/<mount>/role/<name>` ("" for AWS)
    vault_policy: str  # the policy that role carries ("" for AWS)
    check: tuple[str, ...]  # "sync now and check" lines of its backend's operator (comments too)


class SharedPath(NamedTuple):
    path: str  # Vault path the platform team keeps
    secret: str  # the Kubernetes Secret it syncs to


class SecretsView(NamedTuple):
    backend: str  # backend name in platform.yaml
    backend_words: str  # what the backend is, in words
    vault: bool  # Vault (VSO) rather than AWS (ESO); templates before `check` branch on it
    keys: tuple[str, ...]
    inject: str  # `envFrom` or `env`
    lifecycle: tuple[str, ...]  # paragraphs: how values come to exist, what pods see before
    shared: tuple[SharedPath, ...]
    envs: tuple[EnvSecrets, ...]


class ConfigRow(NamedTuple):
    key: str
    values: tuple[str, ...]  # one per env of ConfigView.envs ("" when unset there)


class ConfigView(NamedTuple):
    envs: tuple[str, ...]  # envs the service is deployed in
    rows: tuple[ConfigRow, ...]  # sorted by key


class RunbookView(NamedTuple):
    """What `runbooks/runbook.md.j2` sees as `runbook`."""

    generated: str  # the generated-file notice
    service: str
    owner: str
    source: str  # the catalog file, relative to the catalog folder
    secret: str  # the Kubernetes Secret the Deployment reads
    configmap: str
    managed_label: str  # the force-sync label key
    secrets: SecretsView | None  # None: the service declares no secrets
    config: ConfigView


def runbook_path(service: str) -> str:
    return f"{ROOT}/{service}.md"


def render(facts: Facts) -> dict[str, str]:
    templates = templates_for(facts.catalog)
    return {runbook_path(s.name): runbook(facts, s, templates) for s in facts.services}


def runbook(facts: Facts, svc: Service, templates: Templates | None = None) -> str:
    templates = templates or templates_for(facts.catalog)
    return templates.render(TEMPLATE, runbook=runbook_view(facts, svc), **scope(svc))


def runbook_view(facts: Facts, svc: Service) -> RunbookView:
    return RunbookView(
        generated=header(facts.source(svc)).removeprefix("# ").rstrip("\n"),
        service=svc.name,
        owner=svc.owner,
        source=facts.source(svc),
        secret=facts.secret_name(svc),
        configmap=configmap_name(svc),
        managed_label=facts.managed_label,
        secrets=_secrets(facts, svc),
        config=_config(facts, svc),
    )


def _secrets(facts: Facts, svc: Service) -> SecretsView | None:
    plan = facts.secret_plan(svc)
    if plan is None or svc.secrets is None:
        return None
    backend, plugin = plan.backend, plugin_for(plan.backend)
    envs = []
    for env in facts.envs:
        filled = fill(facts, svc, env)
        assert filled is not None  # the service has a secret plan
        access = plugin.env_access(facts, svc, env, backend)
        envs.append(
            EnvSecrets(
                name=env.name,
                namespace=facts.deployed(svc, env).namespace,
                paths=tuple(filled.paths),
                note=filled.note,
                commands=tuple(filled.commands),
                deployed=facts.deployed(svc, env).enabled,
                refresh_after=access.refresh_after,
                vault_role=access.role,
                vault_policy=access.policy,
                check=plugin.sync_check(facts, svc, env, backend),
            )
        )
    return SecretsView(
        backend=plan.backend_name,
        backend_words=plugin.words,
        vault=plugin.operator == VSO,
        keys=tuple(plan.keys),
        inject=svc.secrets.inject,
        lifecycle=plugin.lifecycle(svc, plan, facts.secret_name(svc)),
        shared=tuple(SharedPath(path, secret) for path, secret in plugin.shared(svc, backend)),
        envs=tuple(envs),
    )


def _config(facts: Facts, svc: Service) -> ConfigView:
    envs = [e for e in facts.envs if facts.deployed(svc, e).enabled]
    keys = sorted({k for e in envs for k in facts.deployed(svc, e).config})
    rows = tuple(
        ConfigRow(key, tuple(facts.deployed(svc, e).config.get(key, "") for e in envs))
        for key in keys
    )
    return ConfigView(tuple(e.name for e in envs), rows)

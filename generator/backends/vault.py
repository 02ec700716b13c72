"""`type: vault`: kv-v2 in HashiCorp Vault (or OpenBao), synced by Vault Secrets Operator."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from generator.backends import vault_objects as vault
from generator.backends.base import EnvAccess, SecretBackend
from generator.backends.commands import JSON_NOTE, Fill, q, value_file
from generator.backends.vault_bootstrap import BootstrapView, ReviewerView
from generator.catalog.models import VSO, Vault
from generator.catalog.models.vault import auth_mount, role_name, shared_path
from generator.parts.operator import Operator, switched
from generator.templating.context import PER_ENV, PER_SERVICE, PER_SERVICE_ENV, Context

if TYPE_CHECKING:
    from generator.catalog.facts import Facts, SecretPlan
    from generator.catalog.load import Catalog
    from generator.catalog.models import Backend, Environment, Service
    from generator.parts.kube import Parts


class VaultBackend(SecretBackend):
    type = "vault"
    model = Vault
    words = "HashiCorp Vault (kv-v2) via Vault Secrets Operator"
    families = (vault.POLICIES,)
    templates = MappingProxyType(
        {
            "vault/bootstrap.sh.j2": Context(PER_ENV, (("bootstrap", BootstrapView),)),
            "vault/token-reviewer.yaml.j2": Context(PER_ENV, (("reviewer", ReviewerView),)),
            vault.POLICY_TEMPLATE: Context(PER_SERVICE_ENV, (("policy", vault.PolicyView),)),
            "vault/serviceaccount.yaml.j2": Context(PER_SERVICE, (("auth", vault.AuthView),)),
            "vault/vaultauth.yaml.j2": Context(PER_SERVICE, (("auth", vault.AuthView),)),
            "vault/vaultconnection.yaml.j2": Context(PER_SERVICE, (("auth", vault.AuthView),)),
            vault.STATIC_TEMPLATE: Context(PER_SERVICE, (("vss", vault.StaticSecretView),)),
        }
    )

    def parts(self, facts: Facts, service: Service, plan: SecretPlan) -> Parts | None:
        return vault.parts(facts, service)

    def operator_install(self, facts: Facts, used: bool) -> Operator | None:
        vso = facts.platform.operators.vaultSecretsOperator
        return Operator(VSO, vso, vso.namespace, server_side=True) if switched(vso, used) else None

    def fill(self, facts: Facts, service: Service, env: Environment, plan: SecretPlan) -> Fill:
        backend = plan.backend
        assert isinstance(backend, Vault)
        paths = [r.key for r in facts.refs(service, env.name)]
        data = value_file(service, env, "json")
        cmd = f"vault kv put -mount={q(backend.mount)} {q(paths[0])} @{data}"
        return Fill(paths, [cmd], JSON_NOTE)

    def push(
        self,
        catalog: Catalog,
        env: str,
        service: str,
        values: Mapping[str, str],
        options: Mapping[str, Any],
    ) -> None:
        from generator.backends import vault_push as push_vault

        push_vault.main(catalog, env, service, values, options)

    def shared(self, service: Service, backend: Backend) -> tuple[tuple[str, str], ...]:
        assert isinstance(backend, Vault) and service.secrets is not None
        return tuple(
            (
                f"{backend.mount}/{shared_path(backend, s, '<env>')}",
                vault.shared_secret_name(service, s),
            )
            for s in service.secrets.shared
        )

    def env_access(
        self, facts: Facts, service: Service, env: Environment, backend: Backend
    ) -> EnvAccess:
        assert isinstance(backend, Vault)
        return EnvAccess(
            refresh_after=vault.refresh_after(backend, env),
            role=f"auth/{auth_mount(facts.platform, backend, env)}/role/"
            f"{role_name(service.name, env.name)}",
            policy=vault.policy_name(facts, env.name, service.name),
        )

    def sync_check(
        self, facts: Facts, service: Service, env: Environment, backend: Backend
    ) -> tuple[str, ...]:
        access = self.env_access(facts, service, env, backend)
        ns, secret = facts.deployed(service, env).namespace, facts.secret_name(service)
        return (
            f"# VSO logs in with {access.role} (policy {access.policy}; "
            f"vault/{env.name}/bootstrap.sh writes both)",
            f"# VSO re-reads every {access.refresh_after} and restarts the Deployment itself "
            "(rolloutRestartTargets)",
            f"kubectl -n {ns} get vaultstaticsecret {secret}",
        )

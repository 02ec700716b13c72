"""Every env's Terraform root applied against a real AWS API (moto's server), values pushed
with `push-secrets`, every ExternalSecret resolved as ESO does, every Deployment's env
checked: nothing resolves before real values exist; afterwards each pod gets exactly its
own service's declared keys for its own env.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.backends.github_values import variable_name
from generator.catalog.load import Catalog, load_catalog
from generator.catalog.models import AwsSecretsManager, Vault
from generator.catalog.templates import expand, per_key
from tests.conftest import REPO_CATALOG, run
from tests.families.test_helm_real import chart_of, template
from tests.families.test_kustomize_real import built, write_out
from tests.realservers.aws import (
    CREDENTIALS,
    Backend,
    Resolution,
    moto_server,
    must,
    provider_override,
    resolve,
    stores_of,
    terraform,
)
from tests.tools import need, terraform_plugin_dir

pytestmark = pytest.mark.tools
EXTRA = "UNDECLARED_EXTRA"


def value(service: str, env: str, key: str) -> str:
    """Distinct per service, env and key, so a value in the wrong place is recognised."""
    return f"{service}/{env}/{key}"


@dataclass
class World:
    endpoint: str
    out: Path
    catalog: Catalog
    tmp: Path

    def envs(self) -> list[str]:
        return [e.name for e in self.catalog.platform.environments]

    def root(self, env: str) -> Path:
        return self.out / "terraform" / "envs" / env

    def backend_of(self, service: str) -> Any:
        svc = next(s for s in self.catalog.services if s.name == service)
        assert svc.secrets is not None
        return self.catalog.platform.secretBackends[svc.secrets.backend]

    def github_vars(self, env: str) -> dict[str, str]:
        """TF_VAR_* as the secret-sync job of this GitHub environment sets them."""
        out = {}
        for svc in self.catalog.services:
            backend = self.backend_of(svc.name) if svc.secrets else None
            if isinstance(backend, AwsSecretsManager) and backend.valuesFrom == "github-actions":
                assert svc.secrets is not None
                for key in svc.secrets.keys:
                    out[f"TF_VAR_{variable_name(svc.name, key)}"] = value(svc.name, env, key)
        return out

    def plan_exit_code(self, env: str) -> int:
        args = ["plan", "-detailed-exitcode", "-lock=false"]
        done = terraform(args, self.root(env), self.github_vars(env))
        assert done.returncode in (0, 2), done.stderr[-3000:]
        return done.returncode


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    need("terraform")
    need("helm")
    plugins = terraform_plugin_dir()
    tmp = tmp_path
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as mp:
        for name, secret in CREDENTIALS.items():
            mp.setenv(name, secret)
        mp.delenv("AWS_PROFILE", raising=False)
        world = World(endpoint, write_out(REPO_CATALOG, tmp), load_catalog(REPO_CATALOG), tmp)
        for env in world.envs():
            root = world.root(env)
            (root / "test_endpoint_override.tf").write_text(provider_override(endpoint))
            must(terraform(["init", "-backend=false", f"-plugin-dir={plugins}"], root))
            apply = ["apply", "-auto-approve", "-lock=false"]
            must(terraform(apply, root, world.github_vars(env)))
        yield world


def overlay_docs(world: World, env: str) -> list[list[dict[str, Any]]]:
    """Each service's built overlay for `env`, plus the cluster stores if there are any."""
    shared = world.out / "platform" / "secret-stores"
    common = built(shared) if shared.is_dir() else []
    return [[*built(o), *common] for o in sorted(world.out.glob(f"kustomize/*/overlays/{env}"))]


def resolve_env(world: World, env: str) -> dict[str, tuple[str, Resolution]]:
    """(namespace/Secret) -> (service, what ESO makes of its ExternalSecret)."""
    backend = Backend(world.endpoint)
    out = {}
    for docs in overlay_docs(world, env):
        stores = stores_of(docs)
        for es in (d for d in docs if d["kind"] == "ExternalSecret"):
            got = resolve(es, stores, backend)
            service = es["metadata"]["labels"]["app.kubernetes.io/name"]
            out[f"{got.namespace}/{got.secret}"] = (service, got)
    return out


def declared(world: World, service: str) -> list[str]:
    svc = next(s for s in world.catalog.services if s.name == service)
    assert svc.secrets is not None
    return list(svc.secrets.keys)


def from_github(world: World, service: str) -> bool:
    backend = world.backend_of(service)
    return isinstance(backend, AwsSecretsManager) and backend.valuesFrom == "github-actions"


def assert_nothing_resolves_before_push(world: World, env: str) -> None:
    resolved = resolve_env(world, env)
    assert resolved, env
    for where, (service, got) in resolved.items():
        if from_github(world, service):  # Terraform wrote the real values from TF_VAR_*
            assert got.data == {k: value(service, env, k) for k in declared(world, service)}
        else:
            assert got.data is None and got.errors, (where, got)


def push_every_service(world: World, env: str) -> None:
    for svc in world.catalog.services:
        enabled = svc.environments.get(env) is None or svc.environments[env].enabled
        if svc.secrets is None or not enabled or from_github(world, svc.name):
            continue
        if isinstance(world.backend_of(svc.name), Vault):
            continue
        file = world.tmp / f"{svc.name}.{env}.env"
        file.write_text("".join(f"{k}={value(svc.name, env, k)}\n" for k in svc.secrets.keys))
        args = ["push-secrets", "--catalog", str(REPO_CATALOG), "--env", env]
        args += ["--service", svc.name, "--from-env-file", str(file)]
        result = run([*args, "--endpoint-url", world.endpoint])
        assert result.exit_code == 0, result.output
        file.unlink()


def add_undeclared_keys(world: World, env: str) -> list[str]:
    """One extra key in every JSON secret and JSON parameter: it must reach no pod."""
    backend = Backend(world.endpoint)
    touched = []
    for svc in world.catalog.services:
        aws = world.backend_of(svc.name) if svc.secrets else None
        if (
            aws is None
            or isinstance(aws, Vault)
            or per_key(aws.key)
            or from_github(world, svc.name)
        ):
            continue
        name = expand(aws.key, system=world.catalog.platform.system, env=env, service=svc.name)
        doc = {k: value(svc.name, env, k) for k in declared(world, svc.name)}
        text = json.dumps({**doc, EXTRA: value(svc.name, env, EXTRA)})
        if isinstance(aws, AwsSecretsManager):
            backend.sm.put_secret_value(SecretId=name, SecretString=text)
        else:
            backend.ssm.put_parameter(Name=name, Value=text, Type="SecureString", Overwrite=True)
        touched.append(svc.name)
    return touched


def secret_refs(deployment: dict[str, Any]) -> Iterator[tuple[str, str | None, str]]:
    """(Secret name, key or None for envFrom, env var name) of every container."""
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        for source in container.get("envFrom", []):
            if "secretRef" in source:
                yield source["secretRef"]["name"], None, source.get("prefix", "")
        for var in container.get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                yield ref["name"], ref["key"], var["name"]


def assert_every_deployment_gets_its_own_values(world: World, env: str) -> int:
    resolved = resolve_env(world, env)
    for where, (service, got) in resolved.items():
        assert got.data == {k: value(service, env, k) for k in declared(world, service)}, where
    checked = 0
    for dep in template(world.tmp, chart_of(world.out), env):
        if dep["kind"] != "Deployment":
            continue
        service, ns = dep["metadata"]["name"], dep["metadata"]["namespace"]
        for name, key, var in secret_refs(dep):
            if isinstance(world.backend_of(service), Vault):
                continue  # synced by Vault Secrets Operator, proven against OpenBao
            owner, got = resolved[f"{ns}/{name}"]
            assert owner == service and got.data is not None, (ns, name)
            pairs = got.data.items() if key is None else [(var, got.data[key])]
            for env_var, text in pairs:
                assert text == value(service, env, env_var), (service, env_var)
                checked += 1
    return checked


def assert_a_missing_declared_key_fails_the_sync(world: World, env: str) -> None:
    backend = Backend(world.endpoint)
    system = world.catalog.platform.system
    for where, (service, _) in sorted(resolve_env(world, env).items()):
        aws = world.backend_of(service)
        if not isinstance(aws, AwsSecretsManager) or from_github(world, service):
            continue
        keys = declared(world, service)
        name = expand(aws.key, system=system, env=env, service=service)
        short = {k: value(service, env, k) for k in keys[1:]}
        backend.sm.put_secret_value(SecretId=name, SecretString=json.dumps(short))
        again = resolve_env(world, env)[where][1]
        assert again.data is None, where
        assert again.errors == [f"key {keys[0]} does not exist in secret {name}"]
        return
    pytest.fail("the example catalog has no Secrets Manager JSON secret")


def assert_github_values_are_what_terraform_wrote(world: World, env: str) -> None:
    backend = Backend(world.endpoint)
    tfvars = json.loads((world.root(env) / "terraform.tfvars.json").read_text())
    written = [
        i for i in tfvars["secretsmanager_secrets"].values() if i["source"] == "github-actions"
    ]
    assert written, env
    for item in written:
        stored = json.loads(backend.sm.get_secret_value(SecretId=item["name"])["SecretString"])
        service = item["service"]
        assert stored == {k: value(service, env, k) for k in declared(world, service)}


def assert_parameters_look_like_terraform_made_them(world: World, env: str) -> None:
    """push-secrets created the parameters with the tags the module puts on its secrets."""
    backend = Backend(world.endpoint)
    tfvars = json.loads((world.root(env) / "terraform.tfvars.json").read_text())
    secret = next(iter(tfvars["secretsmanager_secrets"].values()))
    described = backend.sm.describe_secret(SecretId=secret["name"])
    module_tags = {
        t["Key"]: t["Value"] for t in described["Tags"] if t["Key"] not in ("Name", "Service")
    }
    module_tags.pop("Source")
    assert tfvars["ssm_parameters"], env
    for item in tfvars["ssm_parameters"].values():
        found = backend.ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Values": [item["name"]]}]
        )["Parameters"]
        assert [(p["Type"], p["Description"]) for p in found] == [
            ("SecureString", item["description"])
        ]
        listed = backend.ssm.list_tags_for_resource(
            ResourceType="Parameter", ResourceId=item["name"]
        )
        tags = {t["Key"]: t["Value"] for t in listed["TagList"]}
        assert tags == {**module_tags, "Name": item["name"], "Service": item["service"]}


def test_apply_push_and_resolve_against_a_real_aws_api(world: World) -> None:
    """One story, in order (a single test, so parallel workers never split it)."""
    for env in world.envs():
        assert world.plan_exit_code(env) == 0, f"{env}: a second plan after apply changes things"
        assert_github_values_are_what_terraform_wrote(world, env)
        assert_nothing_resolves_before_push(world, env)
    for env in world.envs():
        push_every_service(world, env)
        assert_parameters_look_like_terraform_made_them(world, env)
        assert add_undeclared_keys(world, env), env
    for env in world.envs():
        assert assert_every_deployment_gets_its_own_values(world, env) > 0, env
        assert world.plan_exit_code(env) == 0, f"{env}: pushed values make Terraform drift"
    assert_a_missing_declared_key_fails_the_sync(world, world.envs()[0])


OLD_PARAMETERS = """\
resource "aws_ssm_parameter" "this" {
  for_each = var.ssm_parameters

  name  = each.value.name
  type  = "SecureString"
  value = "unset"

  lifecycle {
    ignore_changes = [value]
  }
}
"""


def test_parameters_an_older_module_created_keep_their_values(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    """Upgrading from the module that created parameters forgets them; it never destroys."""
    plugins = terraform_plugin_dir()
    service = "name: api\nowner: t\nimage: {repository: r, tag: v}\nsecrets: {backend: ssm, keys: [DATABASE_URL]}\n"
    out = write_out(make_catalog({"api": service}), tmp_path)
    module = out / "terraform" / "modules" / "service-secrets" / "main.tf"
    current = module.read_text()
    removed = re.search(r"^removed \{.*?^\}\n", current, flags=re.M | re.S)
    assert removed, "the module keeps a removed block for aws_ssm_parameter.this"
    root = out / "terraform" / "envs" / "prod"
    with moto_server() as endpoint:
        (root / "test_endpoint_override.tf").write_text(provider_override(endpoint))
        must(terraform(["init", "-backend=false", f"-plugin-dir={plugins}"], root))
        module.write_text(current.replace(removed.group(0), OLD_PARAMETERS))
        must(terraform(["apply", "-auto-approve", "-lock=false"], root))
        ssm = Backend(endpoint).ssm
        name = "/acme/prod/api/database_url"
        ssm.put_parameter(Name=name, Value="real", Type="SecureString", Overwrite=True)
        module.write_text(current)
        applied = must(terraform(["apply", "-auto-approve", "-lock=false"], root))
        assert "0 destroyed" in applied, applied
        got = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
        assert got["Value"] == "real"
        plan = terraform(["plan", "-detailed-exitcode", "-lock=false"], root)
        assert plan.returncode == 0, plan.stdout[-2000:]

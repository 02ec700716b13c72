"""No Secret from an empty, blank or missing value, on a real AWS API (moto's server).

One env's Terraform root applied, each service's overlay built with kubectl, values written
to Secrets Manager and Parameter Store, and every ExternalSecret resolved as ESO does,
`target.template` included (`aws.apply_template`): a declared key that is empty,
whitespace-only or missing writes no Secret (ESO's sync fails, so the pod cannot start); good
values give exactly the declared keys, whatever else the secret holds. Where AWS itself
refuses a value (an empty parameter), that refusal is what the test sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from generator.catalog.load import load_catalog
from generator.catalog.models import AwsSecretsManager
from generator.catalog.templates import expand, per_key
from tests.families.test_kustomize_real import built, write_out
from tests.realservers.aws import (
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

ENV = "prod"
PLATFORM = """\
system: acme
gitRepo: https://github.com/acme/gitops.git
environments:
  - name: prod
    cluster: https://prod.k8s.acme.internal
aws:
  region: ap-south-1
  accountId: "123456789012"
  oidcProvider: oidc.eks.ap-south-1.amazonaws.com/id/EXAMPLEPROD
  secretStoreScope: service
secretBackends:
  sm-json:
    type: aws-secrets-manager
    key: "{env}/{service}"
  ps-key:
    type: aws-parameter-store
    key: "/{system}/{env}/{service}/{key}"
  ps-json:
    type: aws-parameter-store
    key: "/{system}/{service}/{env}/app"
"""
SHAPES = ("sm-json", "ps-key", "ps-json")  # one service each, named after its backend
KEYS = ("DB_PASSWORD", "API_TOKEN")
GOOD = {"DB_PASSWORD": " p@ss {{ .API_TOKEN }} $HOME ", "API_TOKEN": "t0ken\n"}
BROKEN = "DB_PASSWORD"


@dataclass
class Applied:
    endpoint: str
    docs: dict[str, list[dict[str, Any]]]  # service -> its built overlay for ENV
    keys: dict[str, str]  # service -> its backend's `key` template

    def name(self, shape: str, key: str = "") -> str:
        """The secret or parameter that holds `key` (a per-key parameter) or every key."""
        return expand(self.keys[shape], system="acme", env=ENV, service=shape, key=key)


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    need("terraform")
    need("kubectl")
    plugins = terraform_plugin_dir()
    tmp = tmp_path_factory.mktemp("fail-closed")
    catalog = tmp / "catalog"
    (catalog / "services").mkdir(parents=True)
    (catalog / "platform.yaml").write_text(PLATFORM)
    for shape in SHAPES:
        (catalog / "services" / f"{shape}.yaml").write_text(
            f"name: {shape}\nowner: t\nimage: {{repository: r, tag: v}}\n"
            f"secrets: {{backend: {shape}, keys: [{', '.join(KEYS)}]}}\n"
        )
    out = write_out(catalog, tmp)
    loaded = load_catalog(catalog)
    keys = {s: loaded.platform.secretBackends[s].key for s in SHAPES}
    docs = {s: built(out / "kustomize" / s / "overlays" / ENV) for s in SHAPES}
    assert isinstance(loaded.platform.secretBackends["sm-json"], AwsSecretsManager)
    assert per_key(loaded.platform.secretBackends["ps-key"].key)
    root = out / "terraform" / "envs" / ENV
    with moto_server() as endpoint:
        (root / "test_endpoint_override.tf").write_text(provider_override(endpoint))
        must(terraform(["init", "-backend=false", f"-plugin-dir={plugins}"], root))
        must(terraform(["apply", "-auto-approve", "-lock=false"], root))
        yield Applied(endpoint, docs, keys)


def store(applied: Applied, shape: str, values: dict[str, str]) -> list[str]:
    """Write `values` (and one undeclared key) where `shape` keeps them, replacing what was
    there; returns the keys AWS refused."""
    backend, name = Backend(applied.endpoint), applied.name(shape)
    with_extra = {**values, "UNDECLARED": "x"}
    if shape == "sm-json":
        backend.sm.put_secret_value(SecretId=name, SecretString=json.dumps(with_extra))
        return []
    if shape == "ps-json":
        text = json.dumps(with_extra)
        backend.ssm.put_parameter(Name=name, Value=text, Type="SecureString", Overwrite=True)
        return []
    refused = []
    for key in (*KEYS, "UNDECLARED"):
        param = applied.name(shape, key)
        backend.ssm.delete_parameters(Names=[param])
        if key not in with_extra:
            continue
        try:
            backend.ssm.put_parameter(
                Name=param, Value=with_extra[key], Type="SecureString", Overwrite=True
            )
        except backend.ssm.exceptions.ClientError as exc:
            assert exc.response["Error"]["Code"] == "ValidationException", exc
            refused.append(key)
    return refused


def synced(applied: Applied, shape: str) -> Resolution:
    docs = applied.docs[shape]
    [es] = [d for d in docs if d["kind"] == "ExternalSecret"]
    return resolve(es, stores_of(docs), Backend(applied.endpoint))


@pytest.mark.parametrize("shape", SHAPES)
def test_good_values_give_exactly_the_declared_keys(applied: Applied, shape: str) -> None:
    assert store(applied, shape, GOOD) == []
    got = synced(applied, shape)
    assert (got.data, got.errors) == (GOOD, [])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("blank", ["", " ", "\t\n", "\xa0"], ids=repr)
def test_an_empty_or_blank_value_writes_no_secret(applied: Applied, shape: str, blank: str) -> None:
    refused = store(applied, shape, {**GOOD, BROKEN: blank})
    got = synced(applied, shape)
    assert got.data is None
    if refused:  # AWS keeps no empty parameter: the key is missing instead
        assert (shape, blank, refused) == ("ps-key", "", [BROKEN])
        assert got.errors == [f"{applied.name(shape, BROKEN)}: secret does not exist"]
        return
    [error] = got.errors
    assert error.startswith("could not apply template: could not execute template")
    assert f"declared key {BROKEN} is empty or blank in the AWS secret" in error
    assert "p@ss" not in error and "t0ken" not in error  # names, never values


@pytest.mark.parametrize("shape", SHAPES)
def test_a_missing_declared_key_writes_no_secret(applied: Applied, shape: str) -> None:
    assert store(applied, shape, {k: v for k, v in GOOD.items() if k != BROKEN}) == []
    got = synced(applied, shape)
    if shape == "ps-key":
        expected = f"{applied.name(shape, BROKEN)}: secret does not exist"
    else:
        expected = f"key {BROKEN} does not exist in secret {applied.name(shape)}"
    assert (got.data, got.errors) == (None, [expected])

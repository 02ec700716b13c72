"""The secret families' templates (templates/eso/, templates/vault/): a team's override reaches
every object and still builds with Kustomize; a catalog value never adds structure."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.conftest import PLATFORM, SERVICE, SERVICE_SCOPE_PLATFORM, render_tree
from tests.templating.test_overrides import built_in, override, render
from tests.tools import kustomize_build

EXTERNAL_SECRET = "eso/externalsecret.yaml.j2"
ANNOTATION = "  annotations:\n    team.example.com/secret-of: {{ es.meta.name }}\nspec:\n"


def test_an_annotation_added_to_the_externalsecret_template_reaches_every_one(
    make_catalog: Callable[..., Path],
) -> None:
    services = {n: SERVICE.format(name=n) for n in ("api", "web")}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    text = built_in(EXTERNAL_SECRET)
    assert text.count("\nspec:\n") == 1
    override(catalog, EXTERNAL_SECRET, text.replace("\nspec:\n", "\n" + ANNOTATION))
    assert render(catalog) == (0, "")
    kustomize = catalog.parent / "rendered" / "kustomize"
    for name in services:
        doc = yaml.safe_load((kustomize / name / "base" / "externalsecret.yaml").read_text())
        assert doc["metadata"]["annotations"] == {"team.example.com/secret-of": f"{name}-secrets"}
        built = list(yaml.safe_load_all(kustomize_build(kustomize / name / "overlays" / "dev")))
        (synced,) = [d for d in built if d["kind"] == "ExternalSecret"]
        assert synced["metadata"]["annotations"]["team.example.com/secret-of"] == f"{name}-secrets"
        assert synced["spec"]["refreshInterval"] == "5m"  # the overlay's patches still apply
        assert synced["spec"]["data"][0]["remoteRef"]["key"] == f"dev/{name}"


INJECTED = "{env}/{service}: [injected, true] #x"


def test_a_catalog_value_with_yaml_structure_stays_one_string(
    make_catalog: Callable[..., Path],
) -> None:
    platform = PLATFORM.replace('key: "{env}/{service}"', f"key: {INJECTED!r}".replace("'", '"'))
    assert INJECTED in platform
    tree = render_tree(make_catalog(platform=platform))
    doc = yaml.safe_load(tree["kustomize/svc/base/externalsecret.yaml"])
    assert set(doc) == {"apiVersion", "kind", "metadata", "spec"}
    (item,) = doc["spec"]["data"]
    assert item == {
        "secretKey": "DB_PASSWORD",
        "remoteRef": {"key": "_ENV_/svc: [injected, true] #x", "property": "DB_PASSWORD"},
    }


VAULT_PLATFORM = """\
system: acme
gitRepo: https://github.com/acme/gitops.git
environments:
  - name: dev
secretBackends:
  vault:
    type: vault
    address: "http://vault:8200/x: {a: b} #$(touch pwned)"
    key: "{env}/{service}"
"""
VAULT_SERVICE = SERVICE.replace("backend: aws", "backend: vault")


def test_a_vault_address_with_structure_stays_one_value_in_yaml_and_shell(
    make_catalog: Callable[..., Path],
) -> None:
    address = "http://vault:8200/x: {a: b} #$(touch pwned)"
    catalog = make_catalog({"svc": VAULT_SERVICE.format(name="svc")}, platform=VAULT_PLATFORM)
    tree = render_tree(catalog)
    connection = yaml.safe_load(tree["kustomize/svc/base/vaultconnection.yaml"])
    assert connection["spec"] == {"address": address, "skipTLSVerify": False}
    script = tree["vault/dev/bootstrap.sh"].splitlines()
    uses = [shlex.split(line) for line in script if line.startswith("use_vault ")]
    assert uses == [["use_vault", address]] * 2  # the rights check, then the writes

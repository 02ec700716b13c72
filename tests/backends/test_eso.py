"""Fail closed on AWS: an ExternalSecret writes exactly the declared keys, and an empty or
blank value fails the sync (ESO writes no Secret, so the pod cannot start), as on Vault.

ESO's engine v2 is Go's text/template with sprig's text functions (less `env` and
`expandenv`) and the fetched data, keyed by `secretKey`, as the template's root. The rendered
templates run here in helm's Go template engine, which has the same sprig functions used
(`index`, `toString`, `trim`, `fail`), with each ExternalSecret's data as the root; ESO's
`Replace` merge policy keeps only the templated keys. Every rendered ExternalSecret is also
validated against ESO's CRD schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import FIXTURES, REPO_CATALOG, render_tree
from tests.families.test_fail_closed import run_templates
from tests.tools import crd_schema

pytestmark = pytest.mark.tools

ESO_ROOT = ".Values.secrets"  # ESO's templates see the fetched data itself
CATALOGS = [REPO_CATALOG, FIXTURES / "zerotouch", FIXTURES / "seed003"]


def external_secrets(catalog: Path) -> list[dict[str, Any]]:
    docs = [
        yaml.safe_load(text)
        for path, text in render_tree(catalog).items()
        if path.startswith("kustomize/") and path.endswith("/base/externalsecret.yaml")
    ]
    assert docs
    return docs


def eso_secret_data(es: dict[str, Any], chart: Path, fetched: dict[str, str]) -> dict[str, str]:
    """The Secret data ESO writes from the values it fetched for `data[]`."""
    template = es["spec"]["target"].get("template")
    if template is None:
        return fetched
    assert template.get("mergePolicy", "Replace") == "Replace"
    texts = dict(template["data"])
    return run_templates(chart, texts, fetched, root=ESO_ROOT)


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_every_declared_key_is_templated_and_the_object_is_valid(catalog: Path) -> None:
    schema = crd_schema("external-secrets.io/v1", "ExternalSecret")
    for es in external_secrets(catalog):
        jsonschema.validate(es, schema)
        declared = [d["secretKey"] for d in es["spec"]["data"]]
        assert list(es["spec"]["target"]["template"]["data"]) == declared


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_the_secret_holds_the_values_and_a_blank_one_fails_the_sync(
    catalog: Path, tmp_path: Path
) -> None:
    es = external_secrets(catalog)[0]
    declared = [d["secretKey"] for d in es["spec"]["data"]]
    values = {k: f" {k.lower()} 'v' $HOME {{{{ x }}}}" for k in declared}
    assert eso_secret_data(es, tmp_path / "ok", values) == values
    for n, blank in enumerate(("", " ", "\t\n")):
        key = declared[n % len(declared)]
        with pytest.raises(RuntimeError) as failed:
            eso_secret_data(es, tmp_path / f"c{n}", {**values, key: blank})
        assert f"declared key {key} is empty or blank in the AWS secret" in str(failed.value)
        assert "$HOME" not in str(failed.value)  # names, never values

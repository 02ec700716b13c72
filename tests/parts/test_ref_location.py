"""A dangling reference's error points at the line that wrote the name, or at no line: a
literal in an override's template (once), the catalog field that made it, never `1:1`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.errors import ConsistencyError
from generator.parts.inventory import Inventory, ObjectId, Reference, verify
from generator.parts.ref_location import catalog_field, literal_position
from tests.conftest import REPO_CATALOG, SERVICE
from tests.parts.test_inventory import position_in
from tests.templating.test_override_inventory import edited, refused

EXTERNAL_SECRET = "eso/externalsecret.yaml.j2"
TEMPLATE = """\
metadata:
  name: {{ name }}
  annotations:
    secret.reloader.stakater.com/reload: "a-secrets, b-secrets"
spec:
  - name: 'one'
    key: K # the key
  name: twice
  other:
    name: twice
"""


def test_a_literal_is_found_on_its_one_line_quoted_or_listed() -> None:
    assert literal_position(TEMPLATE, "name", "one") == position_in(TEMPLATE, "one'") == (6, 12)
    assert literal_position(TEMPLATE, "key", "K") == position_in(TEMPLATE, "K #")
    reload = "secret.reloader.stakater.com/reload"
    for name in ("a-secrets", "b-secrets"):
        got = literal_position(TEMPLATE, reload, name, listed=True)
        assert got == position_in(TEMPLATE, name), name


def test_a_computed_missing_or_repeated_name_has_no_line() -> None:
    assert literal_position(TEMPLATE, "name", "svc") is None  # written by `{{ name }}`
    assert literal_position(TEMPLATE, "name", "twice") is None  # which one made it?
    assert literal_position(TEMPLATE, "name", "on") is None  # a prefix is not the name
    reload = "secret.reloader.stakater.com/reload"
    assert literal_position(TEMPLATE, reload, "secrets", listed=True) is None


def test_the_catalog_field_that_made_the_name() -> None:
    catalog = load_catalog(REPO_CATALOG)
    svc = next(s for s in catalog.services if s.name == "lornu-ai")

    def ref(kind: str, how: str, key: str | None = None) -> Reference:
        return Reference(svc.name, "", ObjectId("prod", "ns", kind, "x"), key, how)

    assert catalog_field(svc, ref("Secret", "secretKeyRef", "OPENAI_API_KEY")) == (
        ("secrets", "keys", 1),
        False,
    )
    assert catalog_field(svc, ref("Secret", "secretRef")) == (("secrets",), True)
    assert catalog_field(svc, ref("SecretStore", "secretStoreRef")) == (
        ("secrets", "backend"),
        False,
    )
    assert catalog_field(svc, ref("ConfigMap", "configMapRef")) == (("name",), False)
    assert catalog_field(svc, ref("ServiceAccount", "serviceAccountName")) == (("name",), False)


def test_a_reference_of_another_file_is_unlocated() -> None:
    """A platform-wide object (no service) or a file the catalog does not know: no line."""
    catalog = load_catalog(REPO_CATALOG)
    inventory = Inventory()
    target = ObjectId("dev", "", "ServiceAccount", "nobody")
    inventory.refer(Reference("", "platform.yaml", target, None, "serviceAccountRef", "X y"))
    with pytest.raises(ConsistencyError) as info:
        verify(inventory, catalog)
    assert [str(p) for p in info.value.problems] == [
        "platform.yaml: [dev]: X y: serviceAccountRef names ServiceAccount 'nobody', which "
        "nothing renders in env 'dev' (cluster-wide)"
    ]


def test_a_literal_rename_is_located_at_the_objects_name_in_the_override(
    make_catalog: Callable[..., Path],
) -> None:
    """The overlay's patch no longer matches: the override's line writing the new name."""
    catalog = make_catalog({"svc": SERVICE.format(name="svc")})
    text = edited(EXTERNAL_SECRET, "name: {{ es.meta.name }}", "name: team-secrets")
    stderr = refused(catalog, EXTERNAL_SECRET, text)
    file = (catalog.parent / "templates" / EXTERNAL_SECRET).as_posix()
    line, col = position_in(text, "team-secrets")
    for env in ("dev", "prod"):
        assert (
            f"{file}:{line}:{col}: svc[{env}]: kustomize/svc/overlays/{env}/kustomization.yaml "
            "patch patches/externalsecret.yaml targets ExternalSecret 'svc-secrets', which "
            "matches no object it builds\n"
        ) in stderr
        assert (  # `_ENV_` left: no line of the template holds what the patch missed
            f"{file}: svc[{env}]: ExternalSecret svc/team-secrets: /spec/data/0/remoteRef/key "
            "still hold _ENV_ after the overlay's patches\n"
        ) in stderr

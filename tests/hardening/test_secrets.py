"""Secrets never reach Git: detect-secrets finds nothing in any rendered tree, and a catalog
value that looks like a real credential is refused with its location."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.load import load_catalog
from generator.errors import CatalogError
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG, SERVICE, render_tree

CATALOGS = [REPO_CATALOG, *(FIXTURES / n for n in FIXTURE_NAMES)]


def scanner_settings() -> Any:
    """Every detect-secrets plugin but KeywordDetector, which flags any `secret...: <name>`.

    Our output is about secrets, so it is full of keys like ESO's `secretKey: DB_PASSWORD`:
    names by design. The value-shaped detectors (AWS, private keys, JWT, GitHub, Slack,
    high-entropy Base64 / hex, basic auth, ...) all run.
    """
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import transient_settings

    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    plugins = sorted({c.__name__ for c in classes})
    used = [{"name": n} for n in plugins if n != "KeywordDetector"]
    assert len(used) > 15
    return transient_settings({"plugins_used": used})


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_detect_secrets_finds_nothing_in_the_rendered_tree(catalog: Path, tmp_path: Path) -> None:
    from detect_secrets.core.secrets_collection import SecretsCollection

    files = []
    for path, text in render_tree(catalog).items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        files.append(str(target))
    secrets = SecretsCollection()
    with scanner_settings():
        for file in files:
            secrets.scan_file(file)
    assert secrets.json() == {}


def test_the_scanner_would_see_a_leak(tmp_path: Path) -> None:
    """The scan above is not vacuous: the same scanner flags a planted credential."""
    from detect_secrets.core.secrets_collection import SecretsCollection

    leak = tmp_path / "leak.yaml"
    leak.write_text(
        "data:\n  key: AKIAIOSFODNN7EXAMPLE\n  token: 8f14e45fceea167a5a36dedd4bea2543c3f9a1b2\n"
    )
    secrets = SecretsCollection()
    with scanner_settings():
        secrets.scan_file(str(leak))
    found = {s["type"] for items in secrets.json().values() for s in items}
    assert {"AWS Access Key", "Hex High Entropy String"} <= found


# Built from parts so no scanner flags this file; each is shaped like the real thing.
LEAKS = {
    "aws": ("AKIAIOSFODNN7EXAMPLE", "AWS Access Key"),
    "pem": ("-----BEGIN RSA PRIVATE KEY-----", "Private Key"),
    "jwt": (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "JSON Web Token",
    ),
    "github": ("ghp_" + "a1B2" * 9, "GitHub Token"),
    "url": ("postgres://app:hunter2x@db:5432/app", "Basic Auth Credentials"),
    "stripe": ("sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe Access Key"),
    "openai": ("sk-" + "proj-" + "Ab1" * 20 + "T3BlbkFJ" + "Cd2" * 20, "OpenAI Token"),
    "google": ("AI" + "za" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "Google API Key"),
    "slack": ("xox" + "b-1234567890-abcdefghij", "Slack Token"),
}


@pytest.mark.parametrize("kind", sorted(LEAKS))
def test_credential_looking_values_are_refused_where_they_are(
    kind: str, make_catalog: Callable[..., Path]
) -> None:
    value, what = LEAKS[kind]
    text = SERVICE.format(name="svc") + f"config:\n  DATABASE_HOST: {value!r}\n"
    root = make_catalog({"svc": text})
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert [str(p).removeprefix(f"{root}/") for p in info.value.problems] == [
        f"services/svc.yaml:8:18: config.DATABASE_HOST: looks like a credential ({what}): secret values never go in the catalog (use secrets.keys)"
    ]


def test_a_credential_in_any_field_is_refused(make_catalog: Callable[..., Path]) -> None:
    text = SERVICE.format(name="svc").replace("tag: v1", "tag: AKIAIOSFODNN7EXAMPLE")
    with pytest.raises(CatalogError) as info:
        load_catalog(make_catalog({"svc": text}))
    assert "image.tag: looks like a credential (AWS Access Key)" in str(info.value)


@pytest.mark.parametrize(
    "name", ["DB_PASS", "APIKEY", "AUTH_HEADER", "api.key", "SMTP_PWD", "AUTHORIZATION"]
)
def test_secret_looking_config_names_point_to_secrets_keys(
    name: str, make_catalog: Callable[..., Path]
) -> None:
    root = make_catalog({"svc": SERVICE.format(name="svc") + f"config:\n  {name}: x\n"})
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert [str(p).removeprefix(f"{root}/") for p in info.value.problems] == [
        f"services/svc.yaml:8:3: config.{name}: {name!r} looks like a secret: list it in secrets.keys (values never go in Git)"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "GF_AUTH_ANONYMOUS_ENABLED",
        "CACHE_KEY_PREFIX",
        "PASSPORT_URL",
        "OAUTH_CLIENT_ID",
        "LOG_LEVEL",
    ],
)
def test_ordinary_config_names_pass(name: str, make_catalog: Callable[..., Path]) -> None:
    root = make_catalog({"svc": SERVICE.format(name="svc") + f"config:\n  {name}: x\n"})
    assert load_catalog(root).services[0].config == {name: "x"}


def test_ordinary_config_values_pass(make_catalog: Callable[..., Path]) -> None:
    """The rule set is not trigger-happy on values a config really holds."""
    values = {
        "PUBLIC_URL": "https://api.example.com/v1",
        "UPSTREAM": "203.0.113.7:443",
        "COMMIT": "8f14e45fceea167a5a36dedd4bea2543c3f9a1b2",
        "REGION": "eu-west-1",
    }
    body = "".join(f"  {k}: {v!r}\n" for k, v in values.items())
    root = make_catalog({"svc": SERVICE.format(name="svc") + "config:\n" + body})
    assert load_catalog(root).services[0].config == values


def test_control_characters_are_refused(make_catalog: Callable[..., Path]) -> None:
    text = SERVICE.format(name="svc") + 'config:\n  MODE: "a\\x97b"\n'
    root = make_catalog({"svc": text})
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert str(info.value.problems[0]).removeprefix(f"{root}/") == (
        "services/svc.yaml:8:9: config.MODE: contains the control character U+0097: remove it"
    )


def test_a_symlinked_service_file_is_read_like_any_other(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    """Documented: catalog files may be symlinks (monorepo sharing); they are only read."""
    root = make_catalog({})
    shared = tmp_path / "shared.yaml"
    shared.write_text(SERVICE.format(name="svc"))
    (root / "services" / "svc.yaml").symlink_to(shared)
    assert [s.name for s in load_catalog(root).services] == ["svc"]

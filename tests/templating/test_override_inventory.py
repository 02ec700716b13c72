"""The consistency check reads what an overridden secret template produced: a renamed Secret or
a dropped key fails the render (exit 2, rendered/ untouched) instead of failing the pods."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import concurrency
from generator.templating import checks, engine
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM
from tests.templating.test_overrides import built_in, override, render
from tests.templating.test_secret_templates import VAULT_PLATFORM, VAULT_SERVICE

EXTERNAL_SECRET = "eso/externalsecret.yaml.j2"
STATIC_SECRET = "vault/vaultstaticsecret.yaml.j2"
TARGET = "  target:\n    name: {{ es.target }}\n"
DESTINATION = "  destination:\n    name: {{ vss.destination }}\n"
EACH_KEY = "{% for item in es.data %}"


def edited(name: str, old: str, new: str) -> str:
    text = built_in(name)
    assert text.count(old) == 1
    return text.replace(old, new)


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def refused(catalog: Path, name: str, text: str) -> str:
    """Render cleanly, then with the override: exit 2 and rendered/ as it was."""
    assert render(catalog) == (0, "")
    before = digest(catalog.parent / "rendered")
    override(catalog, name, text)
    code, stderr = render(catalog)
    assert code == 2, stderr
    assert digest(catalog.parent / "rendered") == before
    return stderr


def test_an_externalsecret_override_renaming_the_target_fails_the_check(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    text = edited(EXTERNAL_SECRET, TARGET, TARGET.replace("{{ es.target }}", "renamed-secrets"))
    stderr = refused(catalog, EXTERNAL_SECRET, text)
    file = (catalog.parent / "templates" / EXTERNAL_SECRET).as_posix()
    assert SERVICE.splitlines()[3] == "secrets:"  # what names the Secret the pod reads
    assert (
        f"{catalog.as_posix()}/services/svc.yaml:4:1: svc[dev]: Deployment svc/svc: secretRef "
        "names Secret "
        "'svc-secrets', which nothing renders in env 'dev', namespace 'svc'; ExternalSecret "
        f"svc/svc-secrets ({file}) writes Secret 'renamed-secrets' there\n"
    ) in stderr


def test_a_vaultstaticsecret_override_renaming_the_destination_fails_the_check(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog({"svc": VAULT_SERVICE.format(name="svc")}, platform=VAULT_PLATFORM)
    text = edited(STATIC_SECRET, DESTINATION, DESTINATION.replace("vss.destination", "'renamed'"))
    stderr = refused(catalog, STATIC_SECRET, text)
    file = (catalog.parent / "templates" / STATIC_SECRET).as_posix()
    assert (
        "svc[dev]: Deployment svc/svc: secretRef names Secret 'svc-secrets', which nothing "
        f"renders in env 'dev', namespace 'svc'; VaultStaticSecret svc/svc-secrets ({file}) "
        "writes Secret 'renamed' there\n"
    ) in stderr


def test_overrides_that_keep_names_and_keys_still_render(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    note = "  annotations:\n    team.example.com/synced: 'yes'\nspec:\n"
    override(catalog, EXTERNAL_SECRET, edited(EXTERNAL_SECRET, "\nspec:\n", "\n" + note))
    assert render(catalog) == (0, "")
    reads_keys = VAULT_SERVICE.format(name="svc").replace("]\n", "]\n  inject: env\n", 1)
    assert "inject: env" in reads_keys  # Vault lists no keys: the catalog's are trusted
    vault = make_catalog({"svc": reads_keys}, platform=VAULT_PLATFORM)
    override(vault, STATIC_SECRET, edited(STATIC_SECRET, "\nspec:\n", "\n" + note))
    assert render(vault) == (0, "")


def test_an_override_dropping_a_key_fails_a_service_that_reads_it(
    make_catalog: Callable[..., Path],
) -> None:
    service = SERVICE.format(name="svc").replace(
        "keys: [DB_PASSWORD]", "keys: [DB_PASSWORD, API_TOKEN]\n  inject: env"
    )
    catalog = make_catalog({"svc": service})
    loop = "{% for item in es.data if item.secret_key != 'API_TOKEN' %}"
    stderr = refused(catalog, EXTERNAL_SECRET, edited(EXTERNAL_SECRET, EACH_KEY, loop))
    assert (
        "svc[dev]: Deployment svc/svc: secretKeyRef reads key 'API_TOKEN'; Secret 'svc-secrets'"
    ) in stderr
    assert "DB_PASSWORD" not in stderr


def test_each_override_output_is_parsed_once_and_the_check_reads_that_parse(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three services with an ExternalSecret each: three parses of the override's output,
    the ones that checked it, and the consistency check still catches a renamed Secret."""
    parsed: list[str] = []
    real = checks.parse_yaml

    def counted(text: str, **options: bool) -> list[tuple[int, Any]]:
        parsed.append(text)
        return real(text, **options)

    monkeypatch.setattr(checks, "parse_yaml", counted)
    monkeypatch.setattr(engine, "parse_yaml", counted)
    concurrency.set_jobs(1)  # every family in this process, where the count is
    try:
        services = {n: SERVICE.format(name=n) for n in ("a", "b", "c")}
        catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
        note = "  annotations:\n    team.example.com/cost: cc-1\nspec:\n"
        override(catalog, EXTERNAL_SECRET, edited(EXTERNAL_SECRET, "\nspec:\n", "\n" + note))
        assert render(catalog) == (0, "")
        assert len(parsed) == 3 and all("kind: ExternalSecret" in t for t in parsed)
        parsed.clear()
        text = edited(EXTERNAL_SECRET, TARGET, TARGET.replace("{{ es.target }}", "renamed"))
        stderr = refused(catalog, EXTERNAL_SECRET, text)
        assert "secretRef names Secret 'a-secrets', which nothing renders" in stderr
    finally:
        concurrency.set_jobs(None)

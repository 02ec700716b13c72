"""The tool refuses output whose Deployments reference objects the same env does not render."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.facts import Facts
from generator.catalog.load import display_root, load_catalog
from generator.catalog.models import Service
from generator.errors import ConsistencyError
from generator.families import helm, operators
from generator.parts.inventory import (
    NO_KEYS,
    Inventory,
    ObjectId,
    Reads,
    Reference,
    each_reference,
    joined,
    verify,
)
from generator.pipeline.render import render_all
from tests.conftest import REPO_CATALOG, SERVICE, run


def position(file: Path, needle: str) -> tuple[int, int]:
    """The 1-based line and column where `needle` first appears in `file`."""
    return position_in(file.read_text(), needle)


def position_in(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1


def test_repo_catalog_is_consistent() -> None:
    verify(render_all(load_catalog(REPO_CATALOG)).inventory)


def test_secret_name_the_secret_side_does_not_produce_is_caught(
    monkeypatch: pytest.MonkeyPatch, make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    wiring = helm._wiring

    def reads_another_secret(facts: Facts, service: Service) -> dict[str, Any]:
        values = wiring(facts, service)
        values["secretName"] = values["secretName"].replace("-secrets", "-credentials")
        return values

    monkeypatch.setattr(helm, "_wiring", reads_another_secret)
    catalog = make_catalog()
    result = run(
        [
            "render",
            "--catalog",
            str(catalog),
            "--out",
            str(tmp_path / "out"),
            "--workflows-dir",
            str(tmp_path / "wf"),
        ]
    )
    assert result.exit_code == 2
    assert SERVICE.splitlines()[3] == "secrets:"  # line 4: what makes the Secret's name
    assert (
        "services/svc.yaml:4:1: svc[prod]: Deployment svc/svc: secretRef names Secret "
        "'svc-credentials', which nothing renders in env 'prod', namespace 'svc'"
    ) in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_secret_key_is_caught() -> None:
    catalog = load_catalog(REPO_CATALOG)
    inv = render_all(catalog).inventory
    target = ObjectId("prod", "lornu-ai", "Secret", "lornu-ai-secrets")
    inv.produced[target] = frozenset({"RESEND_API_KEY"})
    message = (
        "lornu-ai[prod]: Deployment lornu-ai/lornu-ai: secretKeyRef reads key 'OPENAI_API_KEY'; "
        "Secret 'lornu-ai-secrets' in env 'prod', namespace 'lornu-ai' lacks it"
    )
    with pytest.raises(ConsistencyError) as info:
        verify(inv, catalog)
    line, col = position(REPO_CATALOG / "services" / "lornu-ai.yaml", "OPENAI_API_KEY")
    assert [str(p) for p in info.value.problems] == [
        f"{display_root(REPO_CATALOG)}services/lornu-ai.yaml:{line}:{col}: {message}"
    ]
    with pytest.raises(ConsistencyError) as info:
        verify(inv)  # no catalog at hand: no line rather than an invented one
    assert [str(p) for p in info.value.problems] == [f"services/lornu-ai.yaml: {message}"]


def test_namespace_mismatch_is_caught() -> None:
    inv = render_all(load_catalog(REPO_CATALOG)).inventory
    moved = ObjectId("dev", "payment-dev", "Secret", "payment-service-secrets")
    inv.produced[ObjectId("dev", "payment", "Secret", "payment-service-secrets")] = (
        inv.produced.pop(moved)
    )
    with pytest.raises(
        ConsistencyError,
        match=r"payment-service\[dev\]: Deployment payment-dev/payment-service: secretRef names "
        r"Secret 'payment-service-secrets'",
    ):
        verify(inv)


def test_a_reloader_annotation_naming_no_secret_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reloader watches by name: one that names nothing never restarts the pods."""
    monkeypatch.setattr(operators, "reload_secrets", lambda facts, svc: [f"{svc.name}-old"])
    catalog = load_catalog(REPO_CATALOG)
    inv = render_all(catalog).inventory
    with pytest.raises(ConsistencyError) as info:
        verify(inv, catalog)
    line, col = position(REPO_CATALOG / "services" / "lornu-ai.yaml", "secrets:")
    assert (
        f"{display_root(REPO_CATALOG)}services/lornu-ai.yaml:{line}:{col}: lornu-ai[prod]: "
        "Deployment lornu-ai/lornu-ai: annotation "
        "secret.reloader.stakater.com/reload names Secret 'lornu-ai-old', which nothing "
        "renders in env 'prod', namespace 'lornu-ai'"
    ) in [str(p) for p in info.value.problems]


def test_reads_make_the_references_of_one_object() -> None:
    reads = Reads(
        "svc", "services/svc.yaml", "dev", "svc-dev", "Deployment", "svc",
        (("ConfigMap", "svc-config", None, "configMapRef"), ("Secret", "s", "K", "secretKeyRef")),
    )  # fmt: skip
    referrer = "Deployment svc-dev/svc"
    assert list(each_reference([reads, Reference("x", "f", OTHER, None, "secretRef")])) == [
        Reference(
            "svc", "services/svc.yaml", ObjectId("dev", "svc-dev", "ConfigMap", "svc-config"),
            None, "configMapRef", referrer,
        ),
        Reference(
            "svc", "services/svc.yaml", ObjectId("dev", "svc-dev", "Secret", "s"), "K",
            "secretKeyRef", referrer,
        ),
        Reference("x", "f", OTHER, None, "secretRef"),
    ]  # fmt: skip
    inventory = Inventory()
    inventory.refer(reads)
    with pytest.raises(ConsistencyError, match=r"Deployment svc-dev/svc: configMapRef names"):
        verify(inventory)


OTHER = ObjectId("dev", "x", "Secret", "x")


def test_produced_keys_are_joined_without_a_set_per_object() -> None:
    """Most objects hold no keys, or the same keys in every env: they share one set."""
    keys, more = frozenset({"A"}), frozenset({"A", "B"})
    assert joined(None, frozenset()) is NO_KEYS
    assert joined(NO_KEYS, frozenset()) is NO_KEYS
    assert joined(None, keys) is keys
    assert joined(keys, frozenset({"A"})) is keys
    assert joined(keys, more) is more
    assert joined(more, keys) is more
    assert joined(keys, frozenset({"C"})) == {"A", "C"}
    inventory = Inventory()
    inventory.produce(OTHER, frozenset())
    inventory.produce(OTHER, keys)
    inventory.produce(OTHER, frozenset())
    assert inventory.produced[OTHER] is keys

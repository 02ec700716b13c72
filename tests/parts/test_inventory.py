"""The tool refuses output whose Deployments reference objects the same env does not render."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.facts import Facts
from generator.catalog.load import load_catalog
from generator.catalog.models import Service
from generator.errors import ConsistencyError
from generator.families import helm, operators
from generator.parts.inventory import ObjectId, verify
from generator.pipeline.render import render_all
from tests.conftest import REPO_CATALOG, run


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
    assert (
        "services/svc.yaml:1:1: svc[prod]: Deployment svc/svc: secretRef names Secret 'svc-credentials', which nothing renders in env 'prod', namespace 'svc'"
        in result.stderr
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_secret_key_is_caught() -> None:
    rendered = render_all(load_catalog(REPO_CATALOG))
    inv = rendered.inventory
    target = ObjectId("prod", "lornu-ai", "Secret", "lornu-ai-secrets")
    inv.produced[target] = frozenset({"RESEND_API_KEY"})
    with pytest.raises(ConsistencyError) as info:
        verify(inv)
    assert [str(p) for p in info.value.problems] == [
        "services/lornu-ai.yaml:1:1: lornu-ai[prod]: Deployment lornu-ai/lornu-ai: secretKeyRef reads key 'OPENAI_API_KEY'; Secret 'lornu-ai-secrets' in env 'prod', namespace 'lornu-ai' lacks it"
    ]


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
    inv = render_all(load_catalog(REPO_CATALOG)).inventory
    with pytest.raises(ConsistencyError) as info:
        verify(inv)
    assert (
        "services/lornu-ai.yaml:1:1: lornu-ai[prod]: Deployment lornu-ai/lornu-ai: annotation "
        "secret.reloader.stakater.com/reload names Secret 'lornu-ai-old', which nothing "
        "renders in env 'prod', namespace 'lornu-ai'"
    ) in [str(p) for p in info.value.problems]

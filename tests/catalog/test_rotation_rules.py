"""Rotation settings that could never reach running pods, and operator pins that are too old."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.catalog.load import load_catalog
from tests.catalog.test_validation import errors
from tests.conftest import PLATFORM

VAULT = """\
  vault:
    type: vault
    address: http://vault.vault.svc:8200
    key: "{env}/{service}/credentials"
    refreshAfter: 0s
"""


def test_zero_refresh_interval_with_an_aws_backend_is_refused(
    make_catalog: Callable[..., Path],
) -> None:
    platform = PLATFORM.replace("refreshInterval: 5m", "refreshInterval: 0m0s")
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:5:22: environments[0].refreshInterval: 0 stops ESO's refresh: a value "
        "rotated in AWS would never reach the Secret (nor, through Reloader, the pods); use a "
        "duration such as 1h"
    ]


def test_zero_vault_refresh_after_is_refused(make_catalog: Callable[..., Path]) -> None:
    assert errors(make_catalog(platform=PLATFORM + VAULT)) == [
        "platform.yaml:22:19: secretBackends.vault.refreshAfter: 0 stops VSO's refresh: a value "
        "rotated in Vault would never reach the Secret (nor, through rolloutRestartTargets, the "
        "pods); use a duration such as 1h"
    ]


def test_eso_chart_older_than_the_v1_api_is_refused(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM + "operators:\n  externalSecrets:\n    version: 0.15.1\n"
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:20:14: operators.externalSecrets.version: 0.15.1 predates "
        "external-secrets.io/v1, which the rendered objects use (ESO >= 0.16.0)"
    ]


def test_the_first_v1_eso_pin_passes(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM + "operators:\n  externalSecrets:\n    version: 0.16.0\n"
    loaded = load_catalog(make_catalog(platform=platform)).platform.operators
    assert loaded.externalSecrets.version == "0.16.0"
    assert loaded.externalSecrets.repoURL == "https://charts.external-secrets.io"

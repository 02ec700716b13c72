"""ExternalSecrets request exactly the declared keys; `dataFrom.extract` only on opt-in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.catalog.test_validation import errors
from tests.conftest import PLATFORM, SERVICE_SCOPE_PLATFORM, render_tree

JSON_SERVICE = (
    "name: web\nowner: t\nimage: {repository: r, tag: v}\n"
    "secrets: {backend: aws, keys: [DB_PASSWORD, JWT_SECRET]}\n"
)
KEY_SERVICE = JSON_SERVICE.replace("web", "api").replace("backend: aws", "backend: ssm")


def external_secret(catalog: Path, service: str) -> dict[str, Any]:
    text = render_tree(catalog)[f"kustomize/{service}/base/externalsecret.yaml"]
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


def test_one_property_per_declared_key_of_the_json_secret(
    make_catalog: Callable[..., Path],
) -> None:
    root = make_catalog({"web": JSON_SERVICE, "api": KEY_SERVICE}, platform=SERVICE_SCOPE_PLATFORM)
    spec = external_secret(root, "web")["spec"]
    assert "dataFrom" not in spec
    assert spec["data"] == [
        {"secretKey": k, "remoteRef": {"key": "_ENV_/web", "property": k}}
        for k in ("DB_PASSWORD", "JWT_SECRET")
    ]
    per_key = external_secret(root, "api")["spec"]
    assert per_key["data"] == [
        {"secretKey": k, "remoteRef": {"key": f"/acme/_ENV_/api/{k.lower()}"}}
        for k in ("DB_PASSWORD", "JWT_SECRET")
    ]


def test_every_overlay_patch_replaces_each_remote_key(make_catalog: Callable[..., Path]) -> None:
    tree = render_tree(make_catalog({"web": JSON_SERVICE}))
    ops = yaml.safe_load(tree["kustomize/web/overlays/prod/patches/externalsecret.yaml"])
    keys = {op["path"]: op["value"] for op in ops if op["path"].endswith("/remoteRef/key")}
    assert keys == {f"/spec/data/{i}/remoteRef/key": "prod/web" for i in range(2)}


def test_extract_all_keys_is_an_explicit_opt_in(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace(
        'key: "{env}/{service}"', 'key: "{env}/{service}"\n    extractAllKeys: true'
    )
    root = make_catalog({"web": JSON_SERVICE}, platform=platform)
    spec = external_secret(root, "web")["spec"]
    assert "data" not in spec
    assert spec["dataFrom"] == [{"extract": {"key": "_ENV_/web"}}]
    ops = yaml.safe_load(
        render_tree(root)["kustomize/web/overlays/dev/patches/externalsecret.yaml"]
    )
    assert {"op": "replace", "path": "/spec/dataFrom/0/extract/key", "value": "dev/web"} in ops


def test_extract_all_keys_needs_one_json_secret(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace(
        'key: "/{system}/{env}/{service}/{key}"',
        'key: "/{system}/{env}/{service}/{key}"\n    extractAllKeys: true',
    )
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:18:21: secretBackends.ssm.extractAllKeys: extractAllKeys copies one JSON "
        "secret's keys: a {key} template has none to copy"
    ]

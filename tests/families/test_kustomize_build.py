"""Overlays built from the rendered text where a template of a service's Kustomize tree is
overridden: built as kubectl builds them, and a patch matching nothing, an op whose path is
not there or `_ENV_` left over is a located error before anything is written."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.families.kustomize_build import Overlays, kustomize_command
from tests.conftest import REPO_CATALOG, render_tree
from tests.parts.test_object_refs import AWS, SERVICE_SCOPE
from tests.templating.test_override_inventory import edited, refused
from tests.templating.test_overrides import built_in, override, render
from tests.tools import kustomize_build, need

EXTERNAL_SECRET = "eso/externalsecret.yaml.j2"
OVERLAY = "kustomize/overlay-kustomization.yaml.j2"


def test_an_externalsecret_renamed_in_an_override_leaves_no_env_placeholder(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    name = "name: {{ es.meta.name }}"
    stderr = refused(catalog, EXTERNAL_SECRET, edited(EXTERNAL_SECRET, name, name + "-renamed"))
    file = (catalog.parent / "templates" / EXTERNAL_SECRET).as_posix()
    assert stderr.splitlines() == [  # a computed name: no line of the template holds it
        f"{file}: svc[{env}]: {message}"
        for env in ("dev", "prod")
        for message in (
            "ExternalSecret svc/svc-secrets-renamed: /spec/data/0/remoteRef/key still hold "
            "_ENV_ after the overlay's patches",
            f"kustomize/svc/overlays/{env}/kustomization.yaml patch patches/externalsecret.yaml "
            "targets ExternalSecret 'svc-secrets', which matches no object it builds",
        )
    ]


def test_a_patch_target_broken_in_the_overlay_override_is_blamed_on_it(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    stderr = refused(catalog, OVERLAY, edited(OVERLAY, "{{ patch.name }}", "{{ patch.kind }}"))
    file = (catalog.parent / "templates" / OVERLAY).as_posix()
    assert (
        f"{file}: svc[prod]: kustomize/svc/overlays/prod/kustomization.yaml patch "
        "patches/externalsecret.yaml targets ExternalSecret 'ExternalSecret', which matches no "
        "object it builds\n"
    ) in stderr


def test_an_op_whose_path_the_override_dropped_is_a_located_error(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    text = edited(EXTERNAL_SECRET, "  refreshInterval: {{ es.refresh_interval }}\n", "")
    stderr = refused(catalog, EXTERNAL_SECRET, text)
    file = (catalog.parent / "templates" / EXTERNAL_SECRET).as_posix()
    assert (
        f"{file}: svc[dev]: kustomize/svc/overlays/dev/kustomization.yaml patch "
        "patches/externalsecret.yaml cannot apply to ExternalSecret svc/svc-secrets: "
        "replace /spec/refreshInterval: no such path\n"
    ) in stderr


def test_the_overlays_build_as_kubectl_builds_them() -> None:
    """The repo catalog's every overlay (ESO and VSO objects), object for object."""
    tree = render_tree(REPO_CATALOG)
    overlays = sorted(p.rpartition("/")[0] for p in tree if "/overlays/" in p and "/kust" in p)
    assert len(overlays) > 20
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in tree.items():
            if rel.startswith("kustomize/"):
                (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / rel).write_text(text)
        for folder in overlays:
            service, env = folder.split("/")[1], folder.rpartition("/")[2]
            ours = Overlays(tree, service, {}, "x").build(env, folder)
            theirs = list(yaml.safe_load_all(kustomize_build(Path(tmp) / folder)))
            assert _keyed([b.doc for b in ours]) == _keyed(theirs), folder


def _keyed(docs: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {f"{d['kind']} {d['metadata']['namespace']}/{d['metadata']['name']}": d for d in docs}  # type: ignore[index]


def test_an_overlay_override_beyond_the_model_is_built_by_kubectl(
    make_catalog: Callable[..., Path],
) -> None:
    """`namePrefix` renames the SecretStore and its ServiceAccount, never the names the
    ExternalSecret and the SecretStore hold (custom resource fields): both dangle."""
    if not kustomize_command():
        need("kubectl")
    catalog = make_catalog(AWS, platform=SERVICE_SCOPE)
    stderr = refused(catalog, OVERLAY, built_in(OVERLAY) + "namePrefix: team-\n")
    file = (catalog.parent / "templates" / OVERLAY).as_posix()
    assert stderr.splitlines() == [  # the overlay's override holds neither name
        f"{file}: svc[{env}]: {message}"
        for env in ("dev", "prod")
        for message in (
            "ExternalSecret svc/team-svc-secrets: secretStoreRef names SecretStore 'svc', "
            f"which nothing renders in env '{env}', namespace 'svc'",
            "SecretStore svc/team-svc: serviceAccountRef names ServiceAccount 'svc', which "
            f"nothing renders in env '{env}', namespace 'svc'",
        )
    ]


def test_without_kubectl_such_an_overlay_is_refused_naming_it(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    catalog = make_catalog()
    assert render(catalog) == (0, "")
    file = override(catalog, OVERLAY, built_in(OVERLAY) + "namePrefix: team-\n")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    code, stderr = render(catalog)
    assert code == 2
    assert stderr.splitlines()[0] == (
        f"{file.as_posix()}: svc[dev]: kustomize/svc/overlays/dev/kustomization.yaml uses "
        "namePrefix: render builds such an overlay with `kubectl kustomize` (or `kustomize "
        "build`) as Argo CD does, and needs kubectl on PATH; install kubectl"
    )

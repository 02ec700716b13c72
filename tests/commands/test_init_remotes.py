"""`init` in a clone takes gitRepo from `origin` in every common form, and the Backstage
Software Template and Components built from it publish to the right host with https links."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.load import load_catalog
from generator.commands.init import InitSpec, init_repo
from generator.pipeline.render import OUT, render_catalog

GITHUB = ("publish:github:pull-request", "github.com?owner=acme&repo=platform-gitops")
GITHUB_LINK = "https://github.com/acme/platform-gitops/tree/main/catalog/services/cart.yaml"
GITLAB = ("publish:gitlab:merge-request", "gitlab.com?owner=acme/infra&repo=platform-gitops")
GITLAB_LINK = "https://gitlab.com/acme/infra/platform-gitops/-/tree/main/catalog/services/cart.yaml"

SERVICE = """name: cart
owner: team-cart
image: {repository: ghcr.io/acme/cart, tag: v1.0.0}
secrets: {backend: vault, keys: [DB_PASSWORD]}
"""


def init_clone(tmp_path: Path, origin: str) -> dict[str, str]:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", origin], check=True)
    init_repo(repo, InitSpec("shop", ("dev",)))
    (repo / "catalog/services/cart.yaml").write_text(SERVICE)
    return render_catalog(load_catalog(repo / "catalog"))[OUT]


def steps(tree: dict[str, str]) -> dict[str, Any]:
    template = yaml.safe_load(tree["backstage/template/template.yaml"])
    return {s["id"]: s for s in template["spec"]["steps"]} | {"output": template["spec"]["output"]}


@pytest.mark.parametrize(
    ("origin", "publish", "link", "output"),
    [
        ("https://github.com/acme/platform-gitops.git", GITHUB, GITHUB_LINK, "remoteUrl"),
        ("git@github.com:acme/platform-gitops.git", GITHUB, GITHUB_LINK, "remoteUrl"),
        ("ssh://git@github.com/acme/platform-gitops.git", GITHUB, GITHUB_LINK, "remoteUrl"),
        (
            "https://gitlab.com/acme/infra/platform-gitops.git",
            GITLAB,
            GITLAB_LINK,
            "mergeRequestUrl",
        ),
        ("git@gitlab.com:acme/infra/platform-gitops.git", GITLAB, GITLAB_LINK, "mergeRequestUrl"),
    ],
)
def test_origin_in_each_form_gives_the_publish_action_and_https_links(
    tmp_path: Path, origin: str, publish: tuple[str, str], link: str, output: str
) -> None:
    tree = init_clone(tmp_path, origin)
    assert load_catalog(tmp_path / "repo/catalog").platform.gitRepo == origin  # Argo CD clones it
    found = steps(tree)
    assert (found["pr"]["action"], found["pr"]["input"]["repoUrl"]) == publish
    assert found["output"]["links"][0]["url"] == f"${{{{ steps.pr.output.{output} }}}}"
    component = yaml.safe_load(tree["backstage/services/cart/catalog-info.yaml"])
    links = {entry["title"]: entry["url"] for entry in component["metadata"]["links"]}
    assert links["Catalog entry"] == link
    source = component["metadata"]["annotations"]["backstage.io/source-location"]
    assert source == "url:" + link.removesuffix("/services/cart.yaml")

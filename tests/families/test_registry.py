"""The families' costs, by which the pipeline shares them between processes, know what the
repo overrides: an overridden chart is built by `helm template` per env, a tree override
builds the overlays."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.catalog.facts import Facts
from generator.catalog.load import load_catalog
from generator.families.registry import families
from generator.pipeline.render import shares
from tests.conftest import REPO_CATALOG
from tests.templating.test_overrides import built_in, override

CHART = "helm/deployment.yaml"
EXTERNAL_SECRET = "eso/externalsecret.yaml.j2"


def _groups(catalog: Path) -> tuple[dict[str, int], list[set[str]]]:
    """Each family's cost, and the two processes' shares of them."""
    found = families()
    costs = [family.cost_for(Facts(load_catalog(catalog))) for family in found]
    groups = [{found[i].name for i in group} for group in shares(costs, 2)]
    return {family.name: cost for family, cost in zip(found, costs, strict=True)}, groups


def test_an_overridden_chart_is_costed_as_helm_builds_it(tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(REPO_CATALOG, tmp_path / "catalog"))
    plain, plain_groups = _groups(catalog)
    assert {"helm"} not in plain_groups  # the built-in chart: a light family among others
    override(catalog, CHART, built_in(CHART) + "\n")
    costs, groups = _groups(catalog)
    assert costs["helm"] > sum(cost for name, cost in costs.items() if name != "helm")
    assert {"helm"} in groups  # a process of its own: the other ends with it
    assert costs["kustomize"] == plain["kustomize"]  # its trees are the built-ins'


def test_a_tree_override_costs_the_overlays_build(tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(REPO_CATALOG, tmp_path / "catalog"))
    plain, _ = _groups(catalog)
    override(catalog, EXTERNAL_SECRET, built_in(EXTERNAL_SECRET) + "\n")
    costs, _ = _groups(catalog)
    assert costs["kustomize"] > plain["kustomize"]
    assert costs["helm"] == plain["helm"]

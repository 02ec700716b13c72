"""Every core Kubernetes object (helm template + kubectl kustomize output) passes kubernetes-validate --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.catalog.load import load_catalog
from tests.conftest import REPO_CATALOG
from tests.families.test_helm_real import chart_of, helm
from tests.families.test_kustomize_real import write_out
from tests.tools import kustomize_build

K8S_VERSION = "1.32.0"
CRD_GROUPS = ("external-secrets.io/", "secrets.hashicorp.com/", "argoproj.io/")


def test_core_objects_validate_strictly(tmp_path: Path) -> None:
    pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is not installed")
    out = write_out(REPO_CATALOG, tmp_path)
    chart = chart_of(out)
    docs: list[dict[str, object]] = []
    for env in load_catalog(REPO_CATALOG).platform.environments:
        docs += yaml.safe_load_all(
            helm(tmp_path)(
                "template", "r", str(chart), "-f", str(chart / f"values-{env.name}.yaml")
            )
        )
    for overlay in sorted(out.glob("kustomize/*/overlays/*")):
        docs += yaml.safe_load_all(kustomize_build(overlay))
    core = [d for d in docs if d and not str(d["apiVersion"]).startswith(CRD_GROUPS)]
    assert {d["kind"] for d in core} >= {
        "Deployment",
        "Service",
        "ConfigMap",
        "Namespace",
        "ServiceAccount",
    }
    folder = tmp_path / "core"
    folder.mkdir()
    for i, doc in enumerate(core):
        (folder / f"{i:04}.yaml").write_text(yaml.safe_dump(doc))
    cmd = [
        sys.executable,
        "-m",
        "kubernetes_validate",
        "--strict",
        "-k",
        K8S_VERSION,
        *map(str, sorted(folder.iterdir())),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARN" not in result.stdout + result.stderr, result.stdout

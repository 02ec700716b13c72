"""The team's own files: a chart template and a per-service-and-env manifest added under the
templates folder reach `rendered/`, build with the real tools, show in `diff`; a file that is
neither an override nor an added file stops the run naming the closest built-ins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.templating.added import check_names, kind
from tests.conftest import SERVICE, run
from tests.families.test_helm_build import helm  # noqa: F401 - a fixture
from tests.families.test_helm_real import template
from tests.review.test_reports import diff, git, repo  # noqa: F401 - `repo` is a fixture
from tests.templating.test_overrides import override, render
from tests.tools import kustomize_build

PDB = """\
{{- range $name, $svc := .Values.services }}
{{- if $svc.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  namespace: {{ $svc.namespace }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ $name }}
{{- end }}
{{- end }}
"""
POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ service.name }}-ingress
  labels:
    team.example.com/env: {{ overlay.env }}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ service.name }}
  policyTypes: [Ingress]
"""
BASE_NOTE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ base.service }}-owner
data:
  owner: {{ service.owner }}
"""
NO_SECRETS = "name: {name}\nowner: team-b\nimage: {{repository: ghcr.io/acme/{name}, tag: v1}}\n"


@pytest.mark.usefixtures("helm")  # the chart is built by helm
def test_a_chart_template_added_under_helm_reaches_the_chart_and_helm_template(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    catalog = make_catalog()
    override(catalog, "helm/pdb.yaml", PDB)
    assert render(catalog) == (0, "")
    chart = catalog.parent / "rendered" / "helm" / "acme-services"
    assert (chart / "templates" / "pdb.yaml").read_text().endswith(PDB)
    budgets = [d for d in template(tmp_path, chart, "dev") if d["kind"] == "PodDisruptionBudget"]
    assert [(d["metadata"]["name"], d["metadata"]["namespace"]) for d in budgets] == [
        ("svc", "svc")
    ]


def test_manifests_added_per_service_and_per_env_reach_every_base_and_overlay(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog(
        {"svc": SERVICE.format(name="svc"), "web": NO_SECRETS.format(name="web")}
    )
    override(catalog, "kustomize/env/networkpolicy.yaml.j2", POLICY)
    override(catalog, "kustomize/service/owner.yaml.j2", BASE_NOTE)
    assert render(catalog) == (0, "")
    out = catalog.parent / "rendered" / "kustomize"
    for service in ("svc", "web"):  # a service without secrets gets a base for them too
        base = yaml.safe_load((out / service / "base" / "kustomization.yaml").read_text())
        assert "owner.yaml" in base["resources"]
        for env in ("dev", "prod"):
            overlay = out / service / "overlays" / env
            assert yaml.safe_load((overlay / "kustomization.yaml").read_text())["resources"] == [
                "../../base",
                "networkpolicy.yaml",
            ]
            built = {d["kind"]: d for d in yaml.safe_load_all(kustomize_build(overlay)) if d}
            policy = built["NetworkPolicy"]["metadata"]
            assert (policy["name"], policy["namespace"]) == (f"{service}-ingress", service)
            assert policy["labels"] == {"team.example.com/env": env}
            owner = {"svc": "team-a", "web": "team-b"}[service]
            assert built["ConfigMap"]["data"] == {"owner": owner}


def test_added_files_are_checked_and_their_drift_found(make_catalog: Callable[..., Path]) -> None:
    catalog = make_catalog()
    override(catalog, "kustomize/env/networkpolicy.yaml.j2", POLICY)
    assert render(catalog) == (0, "")
    out = catalog.parent / "rendered"
    args = ["check", "--catalog", str(catalog), "--out", str(out)]
    args += ["--workflows-dir", str(catalog.parent / "workflows")]
    assert run(args).exit_code == 0
    (out / "kustomize/svc/overlays/dev/networkpolicy.yaml").write_text("edited\n")
    result = run(args)
    assert result.exit_code == 1
    assert "changed  [dev]      rendered/kustomize/svc/overlays/dev/networkpolicy.yaml" in (
        result.output.replace(str(out.parent) + "/", "")
    )


def test_an_added_file_that_would_replace_a_generated_one_is_refused(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    file = override(catalog, "kustomize/service/externalsecret.yaml.j2", BASE_NOTE)
    code, stderr = render(catalog)
    assert (code, stderr) == (
        2,
        f"{file.as_posix()}:1:1: template: would replace the generated externalsecret.yaml: "
        "give it another name\n",
    )


def test_a_package_s_markers_in_the_templates_folder_are_not_templates(
    make_catalog: Callable[..., Path],
) -> None:
    """This repo's own `templates/` is the built-in package: an installed gitops-gen reads it
    as the repo's templates folder, `__init__.py` and `__pycache__/` included."""
    catalog = make_catalog()
    override(catalog, "__init__.py", "")
    override(catalog, "__pycache__/x.cpython-311.pyc", "")
    assert render(catalog)[0] == 0


def test_a_misnamed_override_exits_2_with_the_close_matches(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = make_catalog()
    assert render(catalog)[0] == 0
    file = override(catalog, "eso/externalsecrets.yaml.j2", "a: 1\n")
    code, stderr = render(catalog)
    assert code == 2
    assert stderr.startswith(
        f"{file.as_posix()}:1:1: template: is neither an override of a built-in template nor "
        "an added file ("
    ), stderr
    assert stderr.endswith(
        "; did you mean eso/externalsecret.yaml.j2, eso/clustersecretstore.yaml.j2, "
        "eso/secretstore.yaml.j2?\n"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("helm/pdb.yaml", "chart"),
        ("helm/_mine.tpl", "chart"),
        ("kustomize/service/pdb.yaml.j2", "service"),
        ("kustomize/env/np.yaml.j2", "env"),
        ("eso/_labels.j2", "partial"),
        ("extra.schema.json", "schema"),
        ("helm/pdb.yaml.j2", None),
        ("kustomize/env/kustomization.yaml.j2", None),
        ("kustomize/env/np.json.j2", None),
        ("kustomize/np.yaml.j2", None),
        ("kustomize/env/sub/np.yaml.j2", None),
        ("runbooks/extra.md.j2", None),
        ("README.md", None),
    ],
)
def test_the_conventions(name: str, expected: str | None) -> None:
    assert kind(name) == expected
    if expected is None:
        with pytest.raises(Exception, match="is neither an override"):
            check_names([name], ["eso/externalsecret.yaml.j2"], "templates/")


def test_diff_shows_the_objects_added_files_create(repo: Path) -> None:  # noqa: F811
    override(repo / "catalog", "helm/pdb.yaml", PDB)
    override(repo / "catalog", "kustomize/env/networkpolicy.yaml.j2", POLICY)
    code, out = diff()
    assert code == 1
    for env in ("dev", "stg", "prod"):
        assert f"  + [{env}] PodDisruptionBudget payment/payment-service added\n" in out
        assert f"  + [{env}] NetworkPolicy payment/payment-service-ingress added\n" in out

"""An overridden chart file: the chart is built per env with `helm template` before anything
is written, a build that fails is located in the override, and what the built Deployments
read is checked against what the env creates (not the values, which the override may read
differently)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import UserError
from generator.families.helm_build import ChartBuild, _failure, build
from tests.conftest import SERVICE, SERVICE_SCOPE_PLATFORM
from tests.parts.test_inventory import position_in
from tests.templating.test_override_inventory import digest, edited, refused
from tests.templating.test_overrides import built_in, override, render
from tests.tools import need

DEPLOYMENT = "helm/deployment.yaml"
EXTERNAL_SECRET = "eso/externalsecret.yaml.j2"
SECRET_REF = "            - secretRef:\n                name: {{ $svc.secretName }}\n"
RELOAD = 'secret.reloader.stakater.com/reload: {{ join "," . | toJson }}'


@pytest.fixture
def helm(monkeypatch: pytest.MonkeyPatch) -> str:
    found = need("helm")
    monkeypatch.setenv("GITOPS_GEN_HELM", found)
    return found


def test_a_chart_override_that_helm_cannot_render_is_located(
    make_catalog: Callable[..., Path], helm: str
) -> None:
    catalog = make_catalog()
    text = built_in(DEPLOYMENT) + "{{- if .Values.system }}\n"
    stderr = refused(catalog, DEPLOYMENT, text)
    file = (catalog.parent / "templates" / DEPLOYMENT).as_posix()
    assert stderr == (
        f"{file}:{text.count(chr(10)) + 1}:1: helm: helm template acme-services-dev failed: "
        f"parse error at (acme-services/templates/deployment.yaml:{text.count(chr(10)) + 2}): "
        "unexpected EOF\n"
    )


BROKEN = {  # what the override changes, and what the check then says of svc's Deployment
    "secretRef": (
        SECRET_REF,
        SECRET_REF.replace("{{ $svc.secretName }}", "svc-old-secrets"),
        "secretRef names Secret 'svc-old-secrets'",
    ),
    "configMapRef": (
        "name: {{ $svc.configMapName }}",
        "name: svc-settings",
        "configMapRef names ConfigMap 'svc-settings'",
    ),
    "reloader": (
        RELOAD,
        "secret.reloader.stakater.com/reload: svc-old-secrets",
        "annotation secret.reloader.stakater.com/reload names Secret 'svc-old-secrets'",
    ),
}


@pytest.mark.parametrize(("old", "new", "says"), BROKEN.values(), ids=BROKEN.keys())
def test_a_reference_the_chart_override_points_at_nothing_is_located(
    make_catalog: Callable[..., Path], helm: str, old: str, new: str, says: str
) -> None:
    catalog = make_catalog()
    text = built_in(DEPLOYMENT)
    if old not in text:  # configmap.yaml names the ConfigMap the Deployment reads
        pytest.fail(f"{old!r} is not in the built-in deployment.yaml")
    text = text.replace(old, new, 1)
    stderr = refused(catalog, DEPLOYMENT, text)
    file = (catalog.parent / "templates" / DEPLOYMENT).as_posix()
    line, col = position_in(text, says.split("'")[1])  # where the override writes the name
    for env in ("dev", "prod"):
        assert (
            f"{file}:{line}:{col}: svc[{env}]: Deployment svc/svc: {says}, which nothing "
            f"renders in env '{env}', namespace 'svc'\n"
        ) in stderr


def test_a_secret_renamed_in_both_overrides_renders(
    make_catalog: Callable[..., Path], helm: str
) -> None:
    """The ExternalSecret writes `svc-credentials` and the chart reads and reloads it: the
    values still name `svc-secrets`, and only the built chart shows nothing dangles."""
    catalog = make_catalog()
    target = "  target:\n    name: {{ es.target }}\n"
    es = edited(EXTERNAL_SECRET, target, target.replace("{{ es.target }}", "svc-credentials"))
    override(catalog, EXTERNAL_SECRET, es)
    chart = built_in(DEPLOYMENT).replace(
        SECRET_REF, SECRET_REF.replace("$svc.secretName", 'printf "%s-credentials" $name')
    )
    chart = chart.replace(RELOAD, RELOAD.replace('join "," .', 'printf "%s-credentials" $name'))
    override(catalog, DEPLOYMENT, chart)
    assert render(catalog) == (0, "")
    rendered = catalog.parent / "rendered" / "helm" / "acme-services" / "templates"
    assert (rendered / "deployment.yaml").read_text().endswith(chart)


# a chart file the team adds (not a built-in one) is built by helm as an override is
ADDED = "helm/note.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: note\n"


@pytest.mark.parametrize("added", [False, True], ids=["overridden", "added"])
def test_without_helm_an_overridden_chart_is_refused_saying_how_to_point_at_it(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, added: bool
) -> None:
    catalog = make_catalog()
    assert render(catalog) == (0, "")
    before = digest(catalog.parent / "rendered")
    name, text = ADDED if added else (DEPLOYMENT, built_in(DEPLOYMENT) + "# ours\n")
    file = override(catalog, name, text)
    monkeypatch.delenv("GITOPS_GEN_HELM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    code, stderr = render(catalog)
    assert (code, stderr) == (
        2,
        f"{file.as_posix()}: helm: the chart has overridden files ({file.as_posix()}): "
        "render builds it with `helm template` per env as Argo CD does, and needs `helm` on "
        "PATH (or its path in GITOPS_GEN_HELM); install helm\n",
    )
    assert digest(catalog.parent / "rendered") == before


def test_a_helm_failure_is_located_only_where_helm_names_the_line() -> None:
    overrides = {"templates/deployment.yaml": ("t/helm/deployment.yaml", 2)}
    chart = ChartBuild({}, "rel", "ns", (), overrides)
    said = _failure(chart, "Error: parse error at (c/templates/deployment.yaml:9): bad\n")
    assert str(said) == (
        "t/helm/deployment.yaml:7:1: helm: helm template rel failed: parse error at "
        "(c/templates/deployment.yaml:9): bad"
    )  # the rendered file's line 9 less the 2 lines gitops-gen added above the override
    assert str(_failure(chart, "Error: something broke\n")) == (
        "t/helm/deployment.yaml: helm: helm template rel failed: something broke"
    )


CHART = {
    "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    "values.yaml": "env: none\nfail: false\n",
    "templates/configmap.yaml": (
        '{{- if .Values.fail }}{{ fail "no" }}{{ end }}\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{{ .Values.env }}\n"
        "---\n# Source: not/templates/this.yaml\n"  # the template's own comment, not helm's
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s-{{ .Values.env }}\n"
    ),
}


def _chart(env: str, files: dict[str, str], fail: bool = False) -> ChartBuild:
    files[f"values-{env}.yaml"] = f"env: {env}\nfail: {str(fail).lower()}\n"
    values = ("values.yaml", f"values-{env}.yaml")
    return ChartBuild(files, f"tiny-{env}", "ns", values, {"templates/configmap.yaml": ("ours", 0)})


def test_each_env_gets_its_own_objects_in_order_each_with_the_file_it_came_from(
    helm: str,
) -> None:
    files = dict(CHART)
    envs = ["dev", "stage", "prod", "qa", "perf"]  # more than the CPUs: some wait their turn
    built = build([_chart(env, files) for env in envs])  # helm puts Secrets before ConfigMaps
    assert [[(file, doc["metadata"]["name"]) for file, doc in objects] for objects in built] == [
        [("templates/configmap.yaml", f"s-{env}"), ("templates/configmap.yaml", f"settings-{env}")]
        for env in envs
    ]


def test_the_first_env_that_fails_is_the_one_reported(helm: str) -> None:
    files = dict(CHART)
    charts = [_chart("dev", files), _chart("stage", files, fail=True), _chart("prod", files, True)]
    with pytest.raises(UserError) as failed:
        build(charts)
    assert [p.message for p in failed.value.problems] == [
        "helm template tiny-stage failed: execution error at (tiny/templates/configmap.yaml:1:25): no"
    ]


def test_a_chart_override_naming_the_services_own_serviceaccount_renders(
    make_catalog: Callable[..., Path], helm: str
) -> None:
    """The ServiceAccount each service's Kustomize tree creates (its SecretStore logs in as
    it) is there for the chart's Deployment to run as, though no tree template is
    overridden and so no overlay is built."""
    catalog = make_catalog({"svc": SERVICE.format(name="svc")}, SERVICE_SCOPE_PLATFORM)
    spec = "    spec:\n      automountServiceAccountToken:"
    chart = built_in(DEPLOYMENT)
    assert spec in chart
    chart = chart.replace(
        spec, spec.replace("    spec:\n", "    spec:\n      serviceAccountName: {{ $name }}\n")
    )
    override(catalog, DEPLOYMENT, chart)
    assert render(catalog) == (0, "")
    chart = chart.replace("serviceAccountName: {{ $name }}", "serviceAccountName: svc-runner")
    assert "serviceAccountName names ServiceAccount 'svc-runner', which nothing renders" in (
        refused(catalog, DEPLOYMENT, chart)
    )


def test_a_secret_of_a_service_disabled_in_an_env_is_not_there_to_read(
    make_catalog: Callable[..., Path], helm: str
) -> None:
    """`b` is off in prod: its overlay is not synced there, so its Secret does not exist in
    prod, and a chart reading it (one namespace holds both) is refused for prod alone."""
    shared = "namespace: shop\n"
    off = SERVICE.format(name="b") + shared + "environments:\n  prod:\n    enabled: false\n"
    services = {"a": SERVICE.format(name="a") + shared, "b": off}
    catalog = make_catalog(services, SERVICE_SCOPE_PLATFORM)
    extra = SECRET_REF + SECRET_REF.replace("{{ $svc.secretName }}", "b-secrets")
    chart = built_in(DEPLOYMENT)
    assert SECRET_REF in chart
    stderr = refused(catalog, DEPLOYMENT, chart.replace(SECRET_REF, extra, 1))
    assert "secretRef names Secret 'b-secrets', which nothing renders in env 'prod'" in stderr
    assert "in env 'dev'" not in stderr

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from generator.catalog.load import load_catalog
from generator.cli import main
from generator.pipeline.render import OUT, render_catalog

# No time limit per example: speed is measured by `make bench`, never asserted in a test (a
# loaded CI machine made Hypothesis' 200 ms deadline fail tests that were right).
settings.register_profile("gitops-gen", deadline=None)
settings.load_profile("gitops-gen")

FIXTURES = Path(__file__).parent / "fixtures" / "catalogs"
REPO_CATALOG = Path(__file__).resolve().parent.parent / "catalog"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())

PLATFORM = """\
system: acme
gitRepo: https://github.com/acme/gitops.git
environments:
  - name: dev
    refreshInterval: 5m
  - name: prod
    cluster: https://prod.k8s.acme.internal
aws:
  region: ap-south-1
  accountId: "123456789012"
secretBackends:
  aws:
    type: aws-secrets-manager
    key: "{env}/{service}"
  ssm:
    type: aws-parameter-store
    key: "/{system}/{env}/{service}/{key}"
"""

SERVICE = """\
name: {name}
owner: team-a
image: {{repository: ghcr.io/acme/{name}, tag: v1}}
secrets:
  backend: aws
  keys: [DB_PASSWORD]
"""

PROD_CLUSTER = "    cluster: https://prod.k8s.acme.internal\n"


def own_issuers(platform: str) -> str:
    """PLATFORM with prod's cluster given its own OIDC issuer: two clusters never share one
    (either could assume the other's IRSA roles), so `aws.oidcProvider` is dev's alone."""
    return platform.replace(PROD_CLUSTER, PROD_CLUSTER + "    oidcProvider: oidc.example/id/PROD\n")


# Two AWS services need the `service` store scope: a ClusterSecretStore would let each read
# the other's secret (refused). Every cluster its own OIDC issuer.
SERVICE_SCOPE_PLATFORM = own_issuers(PLATFORM).replace(
    'accountId: "123456789012"', 'accountId: "123456789012"\n  oidcProvider: oidc.example/id/X'
)


def render_tree(catalog: Path) -> dict[str, str]:
    return render_catalog(load_catalog(catalog))[OUT]


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[..., Path]:
    """Write a catalog: platform text and {file stem: service text}."""

    def make(services: dict[str, str] | None = None, platform: str = PLATFORM) -> Path:
        root = tmp_path / "catalog"
        (root / "services").mkdir(parents=True, exist_ok=True)
        (root / "platform.yaml").write_text(textwrap.dedent(platform))
        for stem, text in (
            services if services is not None else {"svc": SERVICE.format(name="svc")}
        ).items():
            (root / "services" / f"{stem}.yaml").write_text(textwrap.dedent(text))
        return root

    return make


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Callable[[str], Path]:
    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(FIXTURES / name, dest)
        return dest

    return copy


REPO = REPO_CATALOG.parent
GUARDED = ("catalog", "rendered", ".github/workflows")  # what `make render` owns here


def _guarded_state() -> dict[str, tuple[int, int]]:
    return {
        path.relative_to(REPO).as_posix(): (path.stat().st_mtime_ns, path.stat().st_size)
        for folder in GUARDED
        for path in (REPO / folder).rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="session", autouse=True)
def _repo_untouched() -> Iterator[None]:
    """No test writes into this repository's own catalog or output (a render without
    `--workflows-dir` writes to `.github/workflows` of the working directory: here)."""
    before = _guarded_state()
    yield
    after = _guarded_state()
    changed = sorted(p for p in {*before, *after} if before.get(p) != after.get(p))
    assert not changed, f"a test changed this repository's files: {changed[:5]}"

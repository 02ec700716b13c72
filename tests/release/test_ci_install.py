"""`ci.install` is pinned or refused (located), and the workflows install exactly that."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.catalog.models import Ci
from generator.errors import CatalogError
from generator.families.actions import install_script
from tests.conftest import PLATFORM

COMMIT = "3d3c42e5aac5ba805825da76410c181273ba90b1"
HASH = "a" * 64


def problems(root: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return [str(p).removeprefix(f"{root.as_posix()}/") for p in info.value.problems]


@pytest.mark.parametrize(
    "spec",
    [
        "gitops-gen",
        "gitops-gen>=0.1",
        "gitops-gen==0.1.0 --extra-index-url https://pypi.example/simple",
        "gitops-gen==0.1.0 --index-url http://pypi.example/simple",
        f"gitops-gen==0.1.0 --hash=sha256:{HASH[:63]}",
        "git+https://github.com/example-org/gitops.git@main",
        f"git+https://github.com/example-org/gitops.git@{COMMIT[:12]}",
        "../elsewhere",
        "https://files.example/gitops_gen-0.1.0-py3-none-any.whl",
    ],
)
def test_an_unpinned_install_is_a_located_error(
    spec: str, make_catalog: Callable[..., Path]
) -> None:
    root = make_catalog(platform=PLATFORM + f"ci:\n  install: {json.dumps(spec)}\n")
    out = problems(root)
    assert len(out) == 1
    assert out[0].startswith(f"platform.yaml:19:12: ci.install: {spec!r} is not pinned: use ")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, "python -m pip install ."),
        ("./tools/gitops-gen", "python -m pip install ./tools/gitops-gen"),
        (
            f"gitops-gen @ git+https://github.com/example-org/gitops.git@{COMMIT}",
            f"python -m pip install 'gitops-gen @ git+https://github.com/example-org/gitops.git@{COMMIT}'",
        ),
        (
            f"gitops-gen==0.1.0 --hash=sha256:{HASH} --hash=sha256:{'b' * 64}",
            f"printf '%s\\n' 'gitops-gen==0.1.0 --hash=sha256:{HASH} --hash=sha256:{'b' * 64}'"
            ' > "$RUNNER_TEMP/gitops-gen-requirements.txt"\n'
            "python -m pip install --require-hashes --no-deps"
            ' -r "$RUNNER_TEMP/gitops-gen-requirements.txt"\n'
            "python -m pip install gitops-gen==0.1.0\n",
        ),
        ("gitops-gen==0.1.0", "python -m pip install gitops-gen==0.1.0"),
        (  # a wheel committed to the GitOps repo: the commit pins it
            "./vendor/gitops_gen-0.1.0-py3-none-any.whl",
            "python -m pip install ./vendor/gitops_gen-0.1.0-py3-none-any.whl",
        ),
        (
            "gitops-gen==0.1.0 --index-url https://pypi.example/simple",
            "python -m pip install --index-url https://pypi.example/simple gitops-gen==0.1.0",
        ),
        (
            f"https://files.example/gitops_gen-0.1.0-py3-none-any.whl#sha256={HASH}",
            "python -m pip install "
            f"'https://files.example/gitops_gen-0.1.0-py3-none-any.whl#sha256={HASH}'",
        ),
    ],
)
def test_a_pinned_install_loads_and_is_what_the_workflow_installs(
    spec: str | None, expected: str, make_catalog: Callable[..., Path]
) -> None:
    extra = f"ci:\n  install: {json.dumps(spec)}\n" if spec else ""
    catalog = load_catalog(make_catalog(platform=PLATFORM + extra))
    assert catalog.platform.ci.install == spec
    assert install_script(Ci.model_validate({"install": spec})) == expected

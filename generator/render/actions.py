"""The third-party actions the generated workflows use: ONE pin table, full commit SHAs.

A tag can be moved by whoever controls the action's repository; a commit cannot. Each SHA is
the commit its release tag points to (`git rev-parse 'TAG^{commit}'`); the tag is written
beside it as a comment. The project's own CI (.github/workflows/ci.yml) uses the same pins.
"""

from __future__ import annotations

import shlex
from typing import Any

from generator.catalog.install import parse_install
from generator.catalog.models import Ci
from generator.render.yamlout import Block, Commented

PINS: dict[str, tuple[str, str]] = {  # action: (commit, release tag)
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/github-script": ("ed597411d8f924073f98dfc5c65a23a2325f34cd", "v8.0.0"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "aws-actions/configure-aws-credentials": (
        "e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "v6.2.3",
    ),
    "hashicorp/setup-terraform": ("dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1"),
}


def uses(action: str) -> Commented:
    commit, tag = PINS[action]
    return Commented(f"{action}@{commit}", tag)


def checkout(**extra: Any) -> dict[str, Any]:
    """No token left in .git/config: later steps (and artifacts) cannot reuse it."""
    return {"uses": uses("actions/checkout"), "with": {**extra, "persist-credentials": False}}


REQUIREMENTS = '"$RUNNER_TEMP/gitops-gen-requirements.txt"'


def install_script(ci: Ci) -> str:
    """pip install of `ci.install` (validated as pinned), or of the repo's checkout."""
    install = parse_install(ci.install)
    assert install is not None  # the catalog rule refuses an unpinned ci.install
    q = shlex.quote
    if install.kind != "hashed":
        return f"python -m pip install {q(install.spec)}"
    # --hash works only in a requirements file; hash-checking then needs every dependency
    # hashed, so the pinned artifact goes in alone and its dependencies follow by range.
    return Block(
        f"printf '%s\\n' {q(install.spec)} > {REQUIREMENTS}\n"
        f"python -m pip install --require-hashes --no-deps -r {REQUIREMENTS}\n"
        f"python -m pip install {q(install.requirement)}\n"
    )


def setup_tool(ci: Ci) -> list[dict[str, Any]]:
    """Python, then gitops-gen; needs the checkout first."""
    return [
        {"uses": uses("actions/setup-python"), "with": {"python-version": ci.pythonVersion}},
        {"name": "Install gitops-gen", "run": install_script(ci)},
    ]


GATE = "credentials"


def credentials_gate(secrets: list[str], where: str) -> dict[str, Any]:
    """First step: are the secrets configured? If not, a notice and the job ends green (a
    fork or a new repo must not get a red run every night)."""
    test = " && ".join(f'[ -n "${name}" ]' for name in secrets)
    notice = f"::notice::{', '.join(secrets)} not configured for {where}: nothing to do"
    script = (
        f"if {test}; then\n"
        '  echo "configured=true" >> "$GITHUB_OUTPUT"\n'
        "else\n"
        f"  echo {shlex.quote(notice)}\n"
        '  echo "configured=false" >> "$GITHUB_OUTPUT"\n'
        "fi\n"
    )
    return {
        "name": "Credentials configured?",
        "id": GATE,
        "run": Block(script),
        "env": {name: "${{ secrets." + name + " }}" for name in secrets},
    }


def gated(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps that run only when the gate found the credentials."""
    condition = f"steps.{GATE}.outputs.configured == 'true'"
    return [{"if": condition, **step} for step in steps]

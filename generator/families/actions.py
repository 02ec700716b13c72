"""The third-party actions the generated workflows use: ONE pin table, full commit SHAs.

A tag can be moved by whoever controls the action's repository; a commit cannot. Each SHA is
the commit its release tag points to (`git rev-parse 'TAG^{commit}'`); the tag is written
beside it as a comment. The project's own CI and release (.github/workflows/ci.yml,
release.yml) use the same pins; the artifact, attest and publish actions only the release.
The workflow templates see them as `Action` views; the shell the steps run is built here.
"""

from __future__ import annotations

import shlex
from typing import NamedTuple

from generator.catalog.install import parse_install
from generator.catalog.models import Ci
from generator.text.yamlout import Block

PINS: dict[str, tuple[str, str]] = {  # action: (commit, release tag)
    "actions/attest-build-provenance": ("a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32", "v4.1.0"),
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/github-script": ("ed597411d8f924073f98dfc5c65a23a2325f34cd", "v8.0.0"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "aws-actions/configure-aws-credentials": (
        "e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "v6.2.3",
    ),
    "hashicorp/setup-terraform": ("dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1"),
    "pypa/gh-action-pypi-publish": ("ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e", "v1.13.0"),
}


class Action(NamedTuple):
    """A pinned action, as a template writes it: `uses: {{ a.ref }} # {{ a.tag }}`."""

    ref: str  # owner/name@<full commit>
    tag: str  # the release tag that commit is


class Actions(NamedTuple):
    """Every action of `PINS`, by the name a template uses."""

    checkout: Action
    github_script: Action
    setup_python: Action
    configure_aws_credentials: Action
    setup_terraform: Action


def pinned(action: str) -> Action:
    commit, tag = PINS[action]
    return Action(f"{action}@{commit}", tag)


ACTIONS = Actions(
    checkout=pinned("actions/checkout"),
    github_script=pinned("actions/github-script"),
    setup_python=pinned("actions/setup-python"),
    configure_aws_credentials=pinned("aws-actions/configure-aws-credentials"),
    setup_terraform=pinned("hashicorp/setup-terraform"),
)

REQUIREMENTS = '"$RUNNER_TEMP/gitops-gen-requirements.txt"'


def install_script(ci: Ci) -> Block:
    """pip install of `ci.install` (validated as pinned), or of the repo's checkout: a
    script of ours (one line is written plain, as any string)."""
    install = parse_install(ci.install)
    assert install is not None  # the catalog rule refuses an unpinned ci.install
    q = shlex.quote
    index = f"--index-url {q(install.index_url)} " if install.index_url else ""
    if install.kind != "hashed":
        return Block(f"python -m pip install {index}{q(install.spec)}")
    # --hash works only in a requirements file; hash-checking then needs every dependency
    # hashed, so the pinned artifact goes in alone and its dependencies follow by range.
    return Block(
        f"printf '%s\\n' {q(install.spec)} > {REQUIREMENTS}\n"
        f"python -m pip install {index}--require-hashes --no-deps -r {REQUIREMENTS}\n"
        f"python -m pip install {index}{q(install.requirement)}\n"
    )


FORK_PULL_REQUEST = "FORK_PULL_REQUEST"
# GitHub gives a pull request from a fork no secrets: the one run where a missing one is normal.
FORK_PULL_REQUEST_EXPRESSION = (
    "${{ github.event_name == 'pull_request' && "
    "github.event.pull_request.head.repo.full_name != github.repository }}"
)


def credentials_gate_script(secrets: list[str], env: str) -> Block:
    """Are the secrets configured? A missing one fails the job, naming it and where to set
    it: a misspelled secret must not give a green no-op every night. Only a pull request from
    a fork, which never gets secrets, ends green with a notice. Sets the `configured` output."""
    tests = "".join(f'[ -n "${name}" ] || missing="$missing {name}"\n' for name in secrets)
    q = shlex.quote
    notice = q(f"::notice::a pull request from a fork gets no secrets: {env} skipped (unset:")
    error = q(f"::error::secrets not set for the GitHub environment {env}:")
    where = q(
        f". Add each as a secret of that environment (Settings > Environments > {env}) "
        "or of the repository"
    )
    return Block(
        'missing=""\n'
        f"{tests}"
        'if [ -z "$missing" ]; then\n'
        '  echo "configured=true" >> "$GITHUB_OUTPUT"\n'
        f'elif [ "${FORK_PULL_REQUEST}" = true ]; then\n'
        f'  echo {notice}"$missing)"\n'
        '  echo "configured=false" >> "$GITHUB_OUTPUT"\n'
        "else\n"
        f'  echo {error}"$missing"{where}\n'
        "  exit 1\n"
        "fi\n"
    )

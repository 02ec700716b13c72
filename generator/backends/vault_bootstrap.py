"""`vault/<env>/bootstrap.sh`: bring a fresh Vault (or OpenBao) to working logins for one env.

The script first checks the token's rights on every path it may write and stops before
writing anything when one is missing; then it enables what is missing (kv-v2 at `mount`,
the kubernetes auth method at `authMount`), configures the auth method, and writes each
service's policy and per-env role. Mounts, the auth method and policies are compared before
they are written and roles are rewritten with the same values, so a second run changes
nothing. The script is `templates/vault/bootstrap.sh.j2`: catalog values reach the shell
only as quoted words (its format's `finalize`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from generator.catalog.facts import header

if TYPE_CHECKING:
    from generator.templating.engine import Templates

TEMPLATE = "vault/bootstrap.sh.j2"
REVIEWER_TEMPLATE = "vault/token-reviewer.yaml.j2"


@dataclass(frozen=True)
class Grant:
    """One service in one env: its policy file and the role its VaultAuth logs in with."""

    service: str
    address: str
    mount: str
    auth_mount: str
    policy: str
    policy_file: str
    role: str
    namespace: str
    paths: tuple[str, ...]


class VaultView(NamedTuple):
    """One Vault server an env reaches, and what the bootstrap sets up there."""

    address: str
    mounts: tuple[str, ...]  # kv-v2 mounts, sorted
    auth_mounts: tuple[str, ...]  # kubernetes auth mounts, sorted
    grants: tuple[Grant, ...]  # by service


class BootstrapView(NamedTuple):
    """What `vault/bootstrap.sh.j2` sees as `bootstrap`."""

    generated: str  # the generated-file header line (a shell comment)
    env: str
    vaults: tuple[VaultView, ...]  # by address


class ReviewerView(NamedTuple):
    """What `vault/token-reviewer.yaml.j2` sees as `reviewer`: the identity a Vault outside the
    cluster reviews ServiceAccount tokens with (`system:auth-delegator`) and its token."""

    namespace: str
    account: str
    binding: str  # the ClusterRoleBinding to system:auth-delegator
    secret: str  # the `kubernetes.io/service-account-token` Secret holding its token


REVIEWER = ReviewerView(
    namespace="vault-auth",
    account="vault-token-reviewer",
    binding="vault-token-reviewer-auth-delegator",
    secret="vault-token-reviewer",  # noqa: S106 - a Secret's name, not a value
)


def token_reviewer(templates: Templates, source: str) -> str:
    """The token reviewer's objects, with the generated-file header."""
    return header(source) + templates.render(REVIEWER_TEMPLATE, reviewer=REVIEWER)


def script(templates: Templates, source: str, env: str, grants: list[Grant]) -> str:
    """The whole bootstrap of one env; `grants` sorted by service."""
    vaults = []
    for address in sorted({g.address for g in grants}):
        here = tuple(g for g in grants if g.address == address)
        mounts = tuple(sorted({g.mount for g in here}))
        auths = tuple(sorted({g.auth_mount for g in here}))
        vaults.append(VaultView(address, mounts, auths, here))
    generated = header(source).rstrip("\n")
    view = BootstrapView(generated, env, tuple(vaults))
    return templates.render(TEMPLATE, bootstrap=view)

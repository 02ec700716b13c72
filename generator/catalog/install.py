"""`ci.install`: where the generated workflows install gitops-gen from, always pinned.

Unset, the workflows install the repo's own checkout (`pip install .`: the generator lives in
the GitOps repo). Otherwise it names a source the repo owns or pins: a folder of the repo, an
exact version with its sha256 hashes, or a VCS URL at a full commit. A bare registry name is
refused: whoever owns that name on the index would run code in the PR check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
HASHED = re.compile(
    rf"^(?P<requirement>{_NAME}(?:\[[A-Za-z0-9._,-]+\])?==[0-9][A-Za-z0-9.+!-]*)"
    r"(?P<hashes>(?: +--hash=sha256:[0-9a-f]{64})+)$"
)
VCS = re.compile(
    rf"^(?:{_NAME} ?@ ?)?git\+(?:https|ssh)://[^\s@#]+(?:@[^\s/@#]+)?[^\s@#]*"
    r"@[0-9a-f]{40}(?:#subdirectory=[A-Za-z0-9_./-]+)?$"
)
LOCAL = re.compile(r"^\.(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*/?$")
PINNED_FORMS = (
    "`NAME==VERSION --hash=sha256:<64 hex>`, a VCS URL at a full commit "
    "(`git+https://HOST/REPO@<40 hex>`) or a folder of this repo (`./PATH`); leave it unset "
    "to install this repo's checkout (`pip install .`)"
)


@dataclass(frozen=True)
class Install:
    kind: Literal["local", "hashed", "vcs"]
    spec: str
    requirement: str = ""  # hashed: `name==version` without the hashes


def parse_install(spec: str | None) -> Install | None:
    """The pinned source `spec` names (None: unset is the checkout), or None if unpinned."""
    if spec is None:
        return Install("local", ".")
    if LOCAL.match(spec) and ".." not in spec.split("/"):
        return Install("local", spec)
    if found := HASHED.match(spec):
        return Install("hashed", spec, found["requirement"])
    if VCS.match(spec):
        return Install("vcs", spec)
    return None


def unpinned_message(spec: str) -> str:
    return f"{spec!r} is not pinned: use {PINNED_FORMS}"

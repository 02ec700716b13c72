"""`ci.install`: where the generated workflows install gitops-gen from, always pinned.

Unset, the workflows install the repo's own checkout (`pip install .`: the generator lives in
the GitOps repo). Otherwise it names a source the repo owns or pins: a folder of the repo, an
exact released version (`gitops-gen==0.1.0`, optionally with its sha256 hashes and/or a
private index: `--index-url URL`), a wheel URL with its sha256 (`...whl#sha256=<64 hex>`), or
a VCS URL at a full commit. A range or a bare name is refused: whatever is newest on the index
would run in the PR check; so is `--extra-index-url` (a name on two indexes: dependency
confusion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
# https, or http on this machine only (a local mirror, the tests); no credentials in the URL
_INDEX = (
    r"(?: +--index-url +(?P<index>https://[^\s@#]+"
    r"|http://(?:127\.0\.0\.1|localhost)(?::[0-9]+)?/[^\s@#]*))?"
)
EXACT = re.compile(
    rf"^(?P<requirement>{_NAME}(?:\[[A-Za-z0-9._,-]+\])?==[0-9][A-Za-z0-9.+!-]*)"
    rf"(?P<hashes>(?: +--hash=sha256:[0-9a-f]{{64}})*){_INDEX}$"
)
WHEEL_URL = re.compile(rf"^(?:{_NAME} ?@ ?)?https://[^\s@#]+/[^\s/@#]+\.whl#sha256=[0-9a-f]{{64}}$")
VCS = re.compile(
    rf"^(?:{_NAME} ?@ ?)?git\+(?:https|ssh)://[^\s@#]+(?:@[^\s/@#]+)?[^\s@#]*"
    r"@[0-9a-f]{40}(?:#subdirectory=[A-Za-z0-9_./-]+)?$"
)
LOCAL = re.compile(r"^\.(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*/?$")
PINNED_FORMS = (
    "an exact version (`NAME==VERSION`, optionally `--hash=sha256:<64 hex>` and "
    "`--index-url URL` for a private index), a wheel URL with its hash "
    "(`https://HOST/PATH.whl#sha256=<64 hex>`), a VCS URL at a full commit "
    "(`git+https://HOST/REPO@<40 hex>`) or a folder of this repo (`./PATH`); leave it unset "
    "to install this repo's checkout (`pip install .`)"
)


@dataclass(frozen=True)
class Install:
    kind: Literal["local", "exact", "hashed", "url", "vcs"]
    spec: str  # without `--index-url`
    requirement: str = ""  # exact, hashed: `name==version` without the hashes
    index_url: str = ""  # exact, hashed: the private index (`--index-url`)


def parse_install(spec: str | None) -> Install | None:
    """The pinned source `spec` names (None: unset is the checkout), or None if unpinned."""
    if spec is None:
        return Install("local", ".")
    if LOCAL.match(spec) and ".." not in spec.split("/"):
        return Install("local", spec)
    if found := EXACT.match(spec):
        kind: Literal["exact", "hashed"] = "hashed" if found["hashes"] else "exact"
        pinned = found["requirement"] + found["hashes"]
        return Install(kind, pinned, found["requirement"], found["index"] or "")
    if WHEEL_URL.match(spec):
        return Install("url", spec)
    if VCS.match(spec):
        return Install("vcs", spec)
    return None


def unpinned_message(spec: str) -> str:
    return f"{spec!r} is not pinned: use {PINNED_FORMS}"


_WHEEL_FILE = re.compile(r"/(?P<name>[A-Za-z0-9_.]+)-(?P<version>[0-9][A-Za-z0-9.+!]*)-[^/]+\.whl#")


def pinned_version(spec: str | None, project: str = "gitops-gen") -> str | None:
    """The version of `project` that `ci.install` pins, when its form says one: an exact
    requirement or a wheel file name. None for the checkout, a folder or a commit."""
    install = parse_install(spec)
    if install is None or spec is None:
        return None
    wanted = _normalized(project)
    if install.kind in ("exact", "hashed"):
        name, _, version = install.requirement.partition("==")
        return version if _normalized(name.split("[", 1)[0]) == wanted else None
    if install.kind == "url" and (found := _WHEEL_FILE.search(spec)):
        return found["version"] if _normalized(found["name"]) == wanted else None
    return None


def _normalized(name: str) -> str:
    """PEP 503: runs of `-`, `_` and `.` are one `-`, case does not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()

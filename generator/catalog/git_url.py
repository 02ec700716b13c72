"""`gitRepo` in every common form: host, owner and repo, the provider, and browsable links.

Argo CD clones `gitRepo` as written (an SSH URL needs its repository credentials there); people
and Backstage get https links built from the parts:

    https://github.com/acme/gitops.git       -> github.com, acme, gitops
    git@github.com:acme/gitops.git           -> the same (scp-like SSH)
    ssh://git@github.com:22/acme/gitops.git  -> the same
    git@gitlab.com:acme/platform/gitops.git  -> gitlab.com, acme/platform (a subgroup), gitops
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Provider = Literal["github", "gitlab", "bitbucket"]

_URL = re.compile(
    r"^(?:https?|ssh|git)://(?:[^@/\s]+@)?(?P<host>[^/:\s]+)(?::[0-9]*)?/(?P<path>[^\s]+?)/?\Z"
)
_SCP = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[^/:\s]+):(?!//)(?P<path>[^\s]+?)/?\Z")


@dataclass(frozen=True)
class GitRemote:
    host: str  # lowercase, without user or port
    owner: str  # GitLab groups may nest: `acme/platform`
    repo: str  # without `.git`

    @property
    def provider(self) -> Provider:
        """Who serves it, by host name: GitHub (also GitHub Enterprise, the default for a
        host it cannot tell), GitLab, Bitbucket."""
        if "gitlab" in self.host:
            return "gitlab"
        if "bitbucket" in self.host:
            return "bitbucket"
        return "github"

    @property
    def web(self) -> str:
        return f"https://{self.host}/{self.owner}/{self.repo}"

    def tree(self, revision: str, path: str) -> str:
        """A browsable https link to `path` at `revision`, in the provider's own URL scheme."""
        middle = {"github": "tree", "gitlab": "-/tree", "bitbucket": "src"}[self.provider]
        return f"{self.web}/{middle}/{revision}/{path}"


def parse_git_url(url: str) -> GitRemote | None:
    """The parts of a clone URL (https, scp-like `git@host:owner/repo`, `ssh://`), or None."""
    found = _URL.match(url) or _SCP.match(url)
    if not found:
        return None
    path = found["path"].removesuffix(".git")
    owner, _, repo = path.rpartition("/")
    if not owner or not repo or any(not part for part in owner.split("/")):
        return None
    return GitRemote(found["host"].lower(), owner, repo)

"""gitRepo in every common form: the parts, the provider and an https link."""

from __future__ import annotations

import pytest

from generator.catalog.git_url import GitRemote, parse_git_url

GITHUB = GitRemote("github.com", "acme", "x")


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("https://github.com/acme/x.git", GITHUB),
        ("https://github.com/acme/x", GITHUB),
        ("https://github.com/acme/x/", GITHUB),
        ("git@github.com:acme/x.git", GITHUB),
        ("ssh://git@github.com/acme/x.git", GITHUB),
        ("ssh://git@github.com:22/acme/x.git", GITHUB),
        ("https://oauth2:tok@GitHub.com/acme/x.git", GITHUB),
        ("https://gitlab.com/acme/platform/x.git", GitRemote("gitlab.com", "acme/platform", "x")),
        ("git@gitlab.example.com:acme/x.git", GitRemote("gitlab.example.com", "acme", "x")),
        ("git@bitbucket.org:acme/x.git", GitRemote("bitbucket.org", "acme", "x")),
    ],
)
def test_each_form_gives_host_owner_and_repo(url: str, remote: GitRemote) -> None:
    assert parse_git_url(url) == remote


@pytest.mark.parametrize("url", ["/srv/git/x.git", "file:///srv/x.git", "https://github.com/x", ""])
def test_what_is_not_a_hosted_repo_has_no_parts(url: str) -> None:
    assert parse_git_url(url) is None


@pytest.mark.parametrize(
    ("url", "provider", "link"),
    [
        ("git@github.com:acme/x.git", "github", "https://github.com/acme/x/tree/main/catalog"),
        ("git@gitlab.com:acme/x.git", "gitlab", "https://gitlab.com/acme/x/-/tree/main/catalog"),
        (
            "git@bitbucket.org:acme/x.git",
            "bitbucket",
            "https://bitbucket.org/acme/x/src/main/catalog",
        ),
        ("ssh://git@git.acme.io/acme/x", "github", "https://git.acme.io/acme/x/tree/main/catalog"),
    ],
)
def test_links_are_https_in_the_providers_scheme(url: str, provider: str, link: str) -> None:
    remote = parse_git_url(url)
    assert remote is not None
    assert (remote.provider, remote.tree("main", "catalog")) == (provider, link)

"""No input crashes the loader: deep nesting, huge integers, a Vault key with an unknown
placeholder, `..` in a key template and a revision that is not a git ref name are each one
located line and exit 2 (before: RecursionError, ValueError, KeyError, a segfault)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog.refname import ref_name_problem
from tests.catalog.test_validation import errors, svc
from tests.conftest import PLATFORM, run

Make = Callable[..., Path]
VAULT = (
    '  vault:\n    type: vault\n    address: http://vault:8200\n    key: "{env}/{service}/{nope}"\n'
)


def test_a_description_nested_491_deep_is_located(make_catalog: Make) -> None:
    deep = "[" * 491 + "]" * 491
    assert errors(make_catalog({"svc": svc(f"description: {deep}\n")})) == [
        "services/svc.yaml:7:78: description: nested deeper than 64 levels"
    ]


def test_text_nested_past_what_libyaml_survives_is_refused_unparsed(make_catalog: Make) -> None:
    deep = "[" * 40_000 + "]" * 40_000  # libyaml's recursive composer overflows the C stack
    catalog = make_catalog({"svc": svc(f"description: {deep}\n")})
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--catalog", str(catalog)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (
        2,
        f"{catalog}/services/svc.yaml:7:1: (file): nested too deeply to read (over 1000 levels)\n",
    )


def test_a_port_of_4301_digits_is_located(make_catalog: Make) -> None:
    assert errors(make_catalog({"svc": svc("port: " + "9" * 4301 + "\n")})) == [
        "services/svc.yaml:7:7: port: an integer of more than 1000 digits (quote it if it is text)"
    ]


def test_a_vault_key_with_an_unknown_placeholder_is_located(make_catalog: Make) -> None:
    service = svc(secrets="secrets:\n  backend: vault\n  keys: [DB_PASSWORD]\n")
    catalog = make_catalog({"svc": service}, platform=PLATFORM + VAULT)
    assert errors(catalog) == [
        "platform.yaml:21:10: secretBackends.vault.key: unknown placeholder {nope} "
        "(allowed: {env}, {service}, {system})"
    ]
    result = run(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2 and "internal error" not in result.output


@pytest.mark.parametrize("key", ["{env}/../{service}", "{env}/{service}/..", "..{env}/{service}"])
def test_a_key_template_with_dot_dot_is_refused(make_catalog: Make, key: str) -> None:
    platform = PLATFORM.replace('key: "{env}/{service}"', f'key: "{key}"')
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:14:10: secretBackends.aws.key: template contains `..`: "
        "a secret path never climbs out of its prefix"
    ]


BAD_REFS = {
    "main$(touch x)${{ secrets.X }}": "it contains `$`",
    "a b": "it contains a space",
    "a\\tb": "it contains a control character (U+0009)",
    "a..b": "it contains `..`",
    "x~1": "it contains `~`",
    "x^": "it contains `^`",
    "a:b": "it contains `:`",
    "a?": "it contains `?`",
    "a*": "it contains `*`",
    "a[b": "it contains `[`",
    "a\\\\b": "it contains `\\`",
    "refs/heads/": "it starts or ends with `/`",
    "a//b": "it contains `//`",
    ".hidden": "a part starts with `.`",
    "a.lock": "a part ends with `.lock`",
    "v1.": "it ends with `.`",
    "x@{1}": "it contains `@{`",
    "@": "it is `@`",
    "-x": "it starts with `-`",
}


@pytest.mark.parametrize(("ref", "why"), BAD_REFS.items(), ids=range(len(BAD_REFS)))
def test_git_revision_must_be_a_git_ref_name(make_catalog: Make, ref: str, why: str) -> None:
    shown = repr(ref.encode().decode("unicode_escape"))
    assert errors(make_catalog(platform=PLATFORM + f'gitRevision: "{ref}"\n')) == [
        f"platform.yaml:18:14: gitRevision: {shown} is not a valid git ref name: {why} "
        "(git check-ref-format)"
    ]


GOOD_REFS = ["main", "HEAD", "v1.2.3", "feature/new-thing", "release-2024.10", "a" * 40, "é"]


@pytest.mark.parametrize("ref", GOOD_REFS)
def test_branch_tag_and_commit_names_pass(make_catalog: Make, ref: str) -> None:
    assert ref_name_problem(ref) is None
    errors_or_none = run(
        ["validate", "--catalog", str(make_catalog(platform=PLATFORM + f"gitRevision: {ref}\n"))]
    )
    assert errors_or_none.exit_code == 0, errors_or_none.output


def test_the_ref_rule_agrees_with_git_check_ref_format() -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    names = [r.encode().decode("unicode_escape") for r in BAD_REFS] + GOOD_REFS
    names += ["a/.b", "a.lock/b", "foo.", "-x", "a@b", "{x}", "a/b/c", "x.lock.y", "a-"]
    for name in names:
        if "$" in name or name.startswith("-"):
            continue  # git allows both; a revision reaches workflows and commands: refused
        proc = subprocess.run(
            [git, "check-ref-format", "--allow-onelevel", name], capture_output=True, check=False
        )
        assert (proc.returncode == 0) == (ref_name_problem(name) is None), name

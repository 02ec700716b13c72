"""Which objects a patch's `target` selects: kustomize reads the name as an anchored regular
expression; a plain name (no pattern character) selects exactly that name."""

from __future__ import annotations

from typing import Any

import pytest

from generator.families.kustomize_patch import apply, clone, matches

CASES = [  # target name, object name, selected
    ("svc-secrets", "svc-secrets", True),
    ("svc", "svc-secrets", False),  # anchored: a prefix is not the name
    ("svc-secrets", "svc", False),
    ("svc-.*", "svc-secrets", True),
    ("a.b", "axb", True),  # `.` is a pattern character
    ("a+", "a+", False),  # a pattern, not text: `a+` never matches the text "a+"
    ("a+", "aaa", True),
    ("(svc", "(svc", True),  # not a valid pattern: compared as text
]


@pytest.mark.parametrize(("target", "name", "selected"), CASES)
def test_a_target_name_selects_as_kustomize_reads_it(
    target: str, name: str, selected: bool
) -> None:
    doc = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}}
    assert matches(doc, {"kind": "Secret", "name": target}) is selected


def test_a_clone_shares_no_mapping_or_list_with_the_original() -> None:
    doc = {"metadata": {"labels": {"a": "1"}}, "spec": {"data": [{"key": "k"}]}}
    copy = clone(doc)
    copy["metadata"]["labels"]["a"] = "2"
    copy["spec"]["data"][0]["key"] = "changed"
    copy["spec"]["data"].append({})
    assert doc == {"metadata": {"labels": {"a": "1"}}, "spec": {"data": [{"key": "k"}]}}


def test_a_patch_changes_its_object_and_never_the_parse_it_shares() -> None:
    """Every env's copy of an object shares the parse of its file but for its top level
    and metadata: what a patch changes is copied first."""
    parsed: dict[str, Any] = {
        "kind": "ExternalSecret",
        "metadata": {"name": "s", "labels": {"a": "1"}},
        "spec": {"data": [{"remoteRef": {"key": "_ENV_/k"}}], "target": {"name": "s"}},
    }
    before = clone(parsed)
    envs = []
    for env in ("dev", "prod"):
        doc = {**parsed, "metadata": dict(parsed["metadata"])}
        ops = [
            {"op": "replace", "path": "/spec/data/0/remoteRef/key", "value": f"{env}/k"},
            {"op": "add", "path": "/spec/data/-", "value": {"remoteRef": {"key": env}}},
            {"op": "remove", "path": "/spec/target/name"},
            {"op": "add", "path": "/metadata/labels/env", "value": env},
        ]
        assert apply(doc, {"spec": {"refreshInterval": env}}) == ""  # a strategic merge
        assert apply(doc, ops) == ""
        envs.append(doc)
    assert parsed == before
    for env, doc in zip(("dev", "prod"), envs, strict=True):
        assert doc["spec"] == {
            "data": [{"remoteRef": {"key": f"{env}/k"}}, {"remoteRef": {"key": env}}],
            "target": {},
            "refreshInterval": env,
        }
        assert doc["metadata"]["labels"] == {"a": "1", "env": env}

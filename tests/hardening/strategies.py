"""Hypothesis strategies for valid catalogs whose values are full of metacharacters."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from generator.catalog.credentials import looks_like_secret_name

NASTY = [
    "on",
    "no",
    "yes",
    "~",
    "null",
    "1.10",
    "0x1F",
    "1e3",
    "-",
    "- item",
    "? x",
    "key: value",
    "{{ .Values.x }}",
    '{{- include "x" . }}',
    "${var.x}",
    "%{ if x }",
    "$(id)",
    "`id`",
    "'",
    '"',
    "\\",
    "#comment",
    " leading",
    "trailing ",
    "a\nb",
    "line\n",
    "\ttab",
    "|",
    ">",
    "&anchor",
    "*alias",
    "!tag",
    "@at",
    "%",
    "[1, 2]",
    "{a: 1}",
    "---",
    "...",
    "\u2028",
    "\u00e9t\u00e9",
    "\U0001f600",
    "\u00a0",
    "\ufeff",
    "",
    " ",
    "C:\\path",
    "a,b",
    "<script>",
    "]]>",
    ";rm -rf /",
]
text_values = st.one_of(
    st.sampled_from(NASTY),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n"),
        max_size=24,
    ),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=4).map("".join),
)
config_values = st.one_of(text_values, st.integers(-(10**6), 10**6), st.booleans())
dns = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4})?", fullmatch=True)
config_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,10}", fullmatch=True).filter(
    lambda k: not looks_like_secret_name(k)
)
secret_keys = st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True)
BACKENDS = ["sm", "ssm", "ssm-json", "vault"]


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, Any]:
    envs = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    names = draw(st.lists(dns, min_size=1, max_size=3, unique=True))
    services = {}
    for name in names:
        keys: list[str] = draw(st.lists(secret_keys, min_size=1, max_size=3, unique_by=str.lower))
        free_keys = config_keys.filter(lambda k: k not in keys)  # noqa: B023 - drawn right here
        config: dict[str, Any] = draw(st.dictionaries(free_keys, config_values, max_size=4))
        service: dict[str, Any] = {
            "name": name,
            "owner": "team-x",
            "description": draw(
                text_values.filter(lambda t: "\n" not in t and "\r" not in t and t != "")
            ),
            "image": {"repository": "ghcr.io/acme/" + name, "tag": "v1"},
            "config": config,
            "secrets": {"backend": draw(st.sampled_from(BACKENDS)), "keys": keys},
        }
        env = draw(st.sampled_from(envs))
        override: dict[str, Any] = draw(st.dictionaries(free_keys, config_values, max_size=2))
        if override:
            service["environments"] = {env: {"config": override}}
        services[name] = service
    platform = {
        "system": "prop",
        "gitRepo": "https://github.com/prop/gitops.git",
        "environments": [
            {
                "name": e,
                "namespace": "{namespace}-" + e,
                "cluster": f"https://{e}.k8s.example",
                "oidcProvider": f"oidc.example/id/{e}",  # every cluster its own issuer
            }
            for e in envs
        ],
        "aws": {
            "region": "eu-west-1",
            "accountId": "111122223333",
            "oidcProvider": "oidc.example/id/P",
            "secretStoreScope": "service",  # `cluster` is exact only for one AWS service
        },
        "secretBackends": {
            "sm": {"type": "aws-secrets-manager", "key": "{env}/{service}"},
            "ssm": {"type": "aws-parameter-store", "key": "/{system}/{env}/{service}/{key}"},
            "ssm-json": {"type": "aws-parameter-store", "key": "/{system}/{service}/{env}/app"},
            "vault": {"type": "vault", "address": "http://vault:8200", "key": "{env}/{service}"},
        },
    }
    return {"platform": platform, "services": services}

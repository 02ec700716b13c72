"""One test per validation rule: the exact located message, exit 2, nothing rendered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.catalog.load import load_catalog
from generator.errors import CatalogError
from tests.conftest import PLATFORM, SERVICE, own_issuers, run


def errors(root: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    prefix = f"{root.as_posix()}/"
    return [str(p).removeprefix(prefix) for p in info.value.problems]


def svc(extra: str = "", name: str = "svc", secrets: str = "") -> str:
    text = SERVICE.format(name=name)
    if secrets:
        text = text.split("secrets:")[0] + secrets
    return text + extra


def test_valid_catalog_loads(make_catalog: Callable[..., Path]) -> None:
    catalog = load_catalog(make_catalog())
    assert [s.name for s in catalog.services] == ["svc"]


def test_unknown_backend_names_the_choices(make_catalog: Callable[..., Path]) -> None:
    text = svc(secrets="secrets:\n  backend: aws2\n  keys: [DB_PASSWORD]\n")
    assert errors(make_catalog({"svc": text})) == [
        "services/svc.yaml:5:12: secrets.backend: 'aws2' is not a secret backend in platform.yaml (aws, ssm)"
    ]


def test_every_error_at_once_sorted(make_catalog: Callable[..., Path]) -> None:
    bad = svc(name="Bad_Name", secrets="secrets:\n  backend: nope\n  keys: [db-password]\n")
    out = errors(make_catalog({"a": bad, "b": svc(name="b", extra="colour: blue\n")}))
    assert out == [
        "services/a.yaml:1:7: name: 'Bad_Name' is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)",
        "services/a.yaml:6:10: secrets.keys[0]: 'db-password' is not a valid key: use [A-Z][A-Z0-9_]* (a hyphen is rejected, seed 001)",
        "services/b.yaml:7:1: colour: unknown field",
    ]


def test_yaml_syntax_error_is_located(make_catalog: Callable[..., Path]) -> None:
    out = errors(make_catalog({"svc": "name: svc\nimage: {repository: x\n"}))
    assert len(out) == 1 and out[0].startswith("services/svc.yaml:3:1: (file): YAML syntax:")


def test_duplicate_key(make_catalog: Callable[..., Path]) -> None:
    out = errors(make_catalog({"svc": svc() + "owner: team-b\n"}))
    assert out == ["services/svc.yaml:7:1: owner: duplicate key 'owner' (first at line 2)"]


def test_empty_file(make_catalog: Callable[..., Path]) -> None:
    assert errors(make_catalog({"svc": "\n# nothing\n"})) == [
        "services/svc.yaml:1:1: (file): file is empty"
    ]


def test_non_utf8_file(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    (root / "services" / "svc.yaml").write_bytes(b"name: svc\nowner: caf\xe9\n")
    assert errors(root) == ["services/svc.yaml:2:11: (file): file is not UTF-8 (byte 0xe9)"]


def test_wrong_type_asks_to_quote(make_catalog: Callable[..., Path]) -> None:
    text = svc().replace("tag: v1", "tag: 1.10")
    assert errors(make_catalog({"svc": text})) == [
        "services/svc.yaml:3:44: image.tag: expected a string, YAML read the number 1.1: quote it"
    ]


def test_wrong_type_integer(make_catalog: Callable[..., Path]) -> None:
    assert errors(make_catalog({"svc": svc("replicas: many\n")})) == [
        "services/svc.yaml:7:11: replicas: Input should be a valid integer"
    ]


def test_name_must_match_file(make_catalog: Callable[..., Path]) -> None:
    assert errors(make_catalog({"other": svc()})) == [
        "services/other.yaml:1:7: name: name 'svc' must match its file name 'other'"
    ]


def test_missing_required_field(make_catalog: Callable[..., Path]) -> None:
    text = svc().replace("owner: team-a\n", "")
    assert errors(make_catalog({"svc": text})) == [
        "services/svc.yaml:1:1: owner: required field is missing"
    ]


def test_duplicate_and_colliding_keys(make_catalog: Callable[..., Path]) -> None:
    text = svc(secrets="secrets:\n  backend: ssm\n  keys: [DB_HOST, DB_HOST]\n")
    assert errors(make_catalog({"svc": text})) == [
        "services/svc.yaml:6:19: secrets.keys[1]: 'DB_HOST' and 'DB_HOST' both normalize to parameter name 'db_host'"
    ]


def test_key_also_in_config(make_catalog: Callable[..., Path]) -> None:
    text = svc(
        secrets="secrets:\n  backend: aws\n  keys: [DB_HOST]\n", extra="config: {DB_HOST: db}\n"
    )
    assert errors(make_catalog({"svc": text})) == [
        "services/svc.yaml:6:10: secrets.keys[0]: 'DB_HOST' is also in config: one env var cannot be both secret and config"
    ]


@pytest.mark.parametrize("name", ["ADMIN_PASSWORD", "API_TOKEN", "CLIENT_SECRET", "STRIPE_KEY"])
def test_secret_looking_config_is_refused(make_catalog: Callable[..., Path], name: str) -> None:
    out = errors(make_catalog({"svc": svc(f"config:\n  {name}: x\n")}))
    assert out == [
        f"services/svc.yaml:8:3: config.{name}: '{name}' looks like a secret: list it in secrets.keys (values never go in Git)"
    ]


def test_secret_looking_config_in_env_override(make_catalog: Callable[..., Path]) -> None:
    out = errors(
        make_catalog({"svc": svc("environments:\n  prod:\n    config: {AUTH_TOKEN: x}\n")})
    )
    assert out == [
        "services/svc.yaml:9:14: environments.prod.config.AUTH_TOKEN: 'AUTH_TOKEN' looks like a secret: list it in secrets.keys (values never go in Git)"
    ]


def test_override_for_undeclared_env(make_catalog: Callable[..., Path]) -> None:
    out = errors(make_catalog({"svc": svc("environments:\n  qa:\n    replicas: 2\n")}))
    assert out == [
        "services/svc.yaml:8:3: environments.qa: environment 'qa' is not declared in platform.yaml (dev, prod)"
    ]


def test_aws_template_without_env(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace('key: "{env}/{service}"', 'key: "shared/{service}"')
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:14:10: secretBackends.aws.key: AWS key template has no {env}: environments never share a secret (seed 003)"
    ]


def test_unknown_placeholder(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace('key: "{env}/{service}"', 'key: "{env}/{team}/{service}"')
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:14:10: secretBackends.aws.key: unknown placeholder {team} (allowed: {env}, {key}, {service}, {system})"
    ]


def test_template_without_service(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace('key: "{env}/{service}"', 'key: "{env}/all"')
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:14:10: secretBackends.aws.key: template has no {service}: services would share one secret"
    ]


def test_unknown_backend_type(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace("type: aws-secrets-manager", "type: gcp")
    out = errors(make_catalog(platform=platform))
    assert out == [
        "platform.yaml:13:5: secretBackends.aws: type 'gcp' is not one of 'aws-secrets-manager', 'aws-parameter-store', 'vault'"
    ]


def test_duplicate_environment(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace("name: prod", "name: dev")
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:6:11: environments[1].name: duplicate environment 'dev'"
    ]


def test_alias_bomb_is_bounded(make_catalog: Callable[..., Path]) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    out = errors(make_catalog({"svc": "\n".join(lines) + "\n"}))
    assert len(out) == 1 and "document expands past 20000 nodes (aliases?)" in out[0]


def test_missing_platform_file(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    (root / "platform.yaml").unlink()
    out = errors(root)
    assert out[0] == "platform.yaml:1:1: (file): file not found"


def test_yaml_12_scalars_stay_strings(make_catalog: Callable[..., Path]) -> None:
    catalog = load_catalog(make_catalog({"svc": svc("config:\n  FLAG: on\n  ANSWER: no\n")}))
    assert catalog.services[0].config == {"FLAG": "on", "ANSWER": "no"}


def test_validate_command_exit_codes(make_catalog: Callable[..., Path]) -> None:
    good = make_catalog()
    assert run(["validate", "--catalog", str(good)]).exit_code == 0
    (good / "services" / "svc.yaml").write_text(svc("bogus: 1\n"))
    result = run(["validate", "--catalog", str(good)])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("services/svc.yaml:7:1: bogus: unknown field")
    assert "Traceback" not in result.output


def test_parameter_store_hierarchy_needs_leading_slash(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace(
        'key: "/{system}/{env}/{service}/{key}"', 'key: "{system}/{env}/{service}/{key}"'
    )
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:17:10: secretBackends.ssm.key: a Parameter Store name with '/' must start with '/' (a hierarchy path)"
    ]


def test_github_actions_values_only_for_secrets_manager(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM + "    valuesFrom: github-actions\n"
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:18:17: secretBackends.ssm.valuesFrom: github-actions values are written by Terraform to Secrets Manager only"
    ]


def test_github_actions_service_name_starts_with_a_letter(
    make_catalog: Callable[..., Path],
) -> None:
    platform = PLATFORM.replace(
        'key: "{env}/{service}"', 'key: "{env}/{service}"\n    valuesFrom: github-actions'
    )
    assert errors(make_catalog({"1svc": svc(name="1svc")}, platform=platform)) == [
        "services/1svc.yaml:1:7: name: '1svc' becomes a Service name, which Kubernetes requires to be a DNS-1035 label (start with a letter): rename the service",
        "services/1svc.yaml:1:7: name: a github-actions backend names Terraform variables after the service: start the name with a letter",
    ]


def test_per_service_stores_need_an_oidc_issuer(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace(
        'accountId: "123456789012"', 'accountId: "123456789012"\n  secretStoreScope: service'
    )
    assert errors(make_catalog(platform=platform)) == [
        "platform.yaml:4:11: environments[0].name: secretStoreScope `service` needs an OIDC issuer for the IRSA roles: set aws.oidcProvider (or this env's oidcProvider)",
        "platform.yaml:6:11: environments[1].name: secretStoreScope `service` needs an OIDC issuer for the IRSA roles: set aws.oidcProvider (or this env's oidcProvider)",
    ]


def test_argo_cd_app_names_may_not_collide(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM.replace("  - name: prod\n", "  - name: b-dev\n")
    out = errors(
        make_catalog(
            {"a": svc(name="a"), "a-b": svc(name="a-b"), "acme": svc(name="acme")},
            platform=platform,
        )
    )
    assert [line for line in out if not line.startswith("platform.yaml")] == [
        "services/a-b.yaml:1:7: name: Argo CD app 'a-b-dev' (env dev) collides with service 'a', env b-dev: rename",
        "services/acme.yaml:1:7: name: Argo CD app 'acme-dev' (env dev) collides with the root app of env dev: rename",
    ]


def test_ci_install_cannot_smuggle_a_github_expression(make_catalog: Callable[..., Path]) -> None:
    platform = PLATFORM + 'ci:\n  install: "gitops-gen ${{ github.event.pull_request.title }}"\n'
    out = errors(make_catalog(platform=platform))
    assert len(out) == 1 and out[0].startswith("platform.yaml:19:12: ci.install: 'gitops-gen ${{")


def test_irsa_role_names_fit_iam(make_catalog: Callable[..., Path]) -> None:
    platform = own_issuers(PLATFORM).replace(
        'accountId: "123456789012"',
        'accountId: "123456789012"\n  oidcProvider: oidc.example/id/X\n  secretStoreScope: service',
    )
    name = "a" * 56
    out = errors(make_catalog({name: svc(name=name)}, platform=platform))
    assert out == [
        f"services/{name}.yaml:1:7: name: IAM role name 'acme-prod-{name}' is 66 characters; IAM allows 64"
    ]

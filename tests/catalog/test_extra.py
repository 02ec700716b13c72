"""`extra:` — the team's own fields on services, per-env overrides and platform.yaml, and the
optional `<templatesPath>/extra.schema.json` that judges them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from generator.catalog.load import load_catalog
from tests.conftest import PLATFORM, SERVICE, run

EXTRA = """\
extra:
  costCenter: cc-1
  alerts: {pager: false, channel: "#svc"}
environments:
  prod:
    extra:
      alerts: {pager: true}
      tier: 1
"""


def _catalog(make_catalog: Callable[..., Path], service_extra: str = EXTRA) -> Path:
    return make_catalog(
        services={"svc": SERVICE.format(name="svc") + service_extra},
        platform=PLATFORM + "extra:\n  billing: {org: acme}\n",
    )


def _schema(catalog: Path, schema: object) -> None:
    folder = catalog.parent / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "extra.schema.json").write_text(json.dumps(schema))


def test_extra_is_free_form_and_an_env_merges_its_own_over_the_service(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = load_catalog(_catalog(make_catalog))
    service = catalog.services[0]
    assert catalog.platform.extra == {"billing": {"org": "acme"}}
    assert service.extra_in(None) == service.extra
    assert service.extra_in("dev") == {
        "costCenter": "cc-1",
        "alerts": {"pager": False, "channel": "#svc"},
    }
    assert service.extra_in("prod") == {
        "costCenter": "cc-1",
        "alerts": {"pager": True, "channel": "#svc"},
        "tier": 1,
    }


def test_a_field_outside_extra_is_still_unknown(make_catalog: Callable[..., Path]) -> None:
    catalog = _catalog(make_catalog, "costCenter: cc-1\n")
    result = run(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.stderr == f"{catalog}/services/svc.yaml:7:1: costCenter: unknown field\n"


def test_a_credential_in_extra_is_refused(make_catalog: Callable[..., Path]) -> None:
    catalog = _catalog(make_catalog, "extra:\n  token: AKIAIOSFODNN7EXAMPLE\n")
    result = run(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{catalog}/services/svc.yaml:8:10: extra.token: looks like a credential "
        "(AWS Access Key): secret values never go in the catalog (use secrets.keys)\n"
    )


def test_the_teams_schema_locates_each_failure_in_the_catalog_file(
    make_catalog: Callable[..., Path],
) -> None:
    catalog = _catalog(make_catalog)
    _schema(
        catalog,
        {
            "service": {
                "type": "object",
                "properties": {
                    "costCenter": {"pattern": "^cc-[0-9]{3}$"},
                    "tier": {"type": "string"},
                },
            },
            "platform": {"required": ["owner"]},
        },
    )
    result = run(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{catalog}/platform.yaml:19:3: extra: 'owner' is a required property"
        " (extra.schema.json)\n"
        f"{catalog}/services/svc.yaml:8:15: extra.costCenter: 'cc-1' does not match"
        " '^cc-[0-9]{3}$' (extra.schema.json)\n"
        f"{catalog}/services/svc.yaml:14:13: environments.prod.extra.tier: 1 is not of type"
        " 'string' (extra.schema.json)\n"
    )


def test_a_catalog_that_keeps_the_schema_validates(make_catalog: Callable[..., Path]) -> None:
    catalog = _catalog(make_catalog)
    _schema(catalog, {"service": {"required": ["costCenter"]}})
    assert run(["validate", "--catalog", str(catalog)]).exit_code == 0


def test_a_schema_file_that_is_no_schema_is_an_error(make_catalog: Callable[..., Path]) -> None:
    catalog = _catalog(make_catalog)
    _schema(catalog, {"services": {}})
    result = run(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{catalog.parent}/templates/extra.schema.json:1:1: (file): must be "
        '{"service": <JSON Schema>, "platform": <JSON Schema>} (either optional)\n'
    )

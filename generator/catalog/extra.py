"""The team's own fields (`extra:`), checked against `<templatesPath>/extra.schema.json`.

The file is optional. It holds up to two JSON Schemas (draft 2020-12):
`{"service": {...}, "platform": {...}}`. `service` judges each service's `extra` as written and
as each env sees it (the env's `extra` merged over it); `platform` judges `platform.yaml`'s. A
failure is located in the catalog file, at the value that breaks the schema (for a merged
value: the env's override when the value comes from it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import Problem

if TYPE_CHECKING:
    from generator.catalog.models import Platform, Service
    from generator.catalog.source import DataPath, SourceMap

SCHEMA_FILE = "extra.schema.json"
KINDS = ("platform", "service")


def extra_problems(
    folder: Path,
    *,
    shown: str,
    platform: Platform,
    psmap: SourceMap,
    services: Mapping[str, Service],
    smaps: Mapping[str, SourceMap],
) -> list[Problem]:
    """Every `extra` that breaks the team's schema, located; nothing without a schema file."""
    schemas, problems = _schemas(folder / SCHEMA_FILE, shown + SCHEMA_FILE)
    if problems or not schemas:
        return problems
    found: list[Problem] = []
    if "platform" in schemas:
        found += _check(schemas["platform"], platform.extra, psmap, ("extra",), {})
    service_schema = schemas.get("service")
    if service_schema is None:
        return found
    for name, service in services.items():
        smap = smaps[name]
        found += _check(service_schema, service.extra, smap, ("extra",), {})
        for env, override in sorted(service.environments.items()):
            if override.extra:
                at = ("environments", env, "extra")
                found += _check(service_schema, service.extra_in(env), smap, at, override.extra)
    return sorted(set(found))


def _schemas(path: Path, shown: str) -> tuple[dict[str, Any], list[Problem]]:
    """The file's schemas, or why it cannot be used (read only as a regular file)."""
    if path.is_symlink() or not path.exists():
        if path.is_symlink():
            return {}, [Problem(shown, 1, 1, "", "a symlink: templates are read as regular files")]
        return {}, []
    import jsonschema

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(shown, 1, 1, "", f"cannot read: {exc}")]
    except json.JSONDecodeError as exc:
        return {}, [Problem(shown, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")]
    if not isinstance(data, dict) or not set(data) <= set(KINDS):
        message = 'must be {"service": <JSON Schema>, "platform": <JSON Schema>} (either optional)'
        return {}, [Problem(shown, 1, 1, "", message)]
    problems = []
    for kind, schema in sorted(data.items()):
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            problems.append(Problem(shown, 1, 1, kind, f"not a JSON Schema: {exc.message}"))
    return data, problems


def _check(
    schema: dict[str, Any],
    value: dict[str, Any],
    smap: SourceMap,
    at: DataPath,
    override: dict[str, Any],
) -> Iterator[Problem]:
    """`value` (with `override` merged in when `at` is an env's) against `schema`."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    for error in validator.iter_errors(value):
        inner = tuple(error.absolute_path)
        path = (*at, *inner) if not override or _within(override, inner) else ("extra", *inner)
        yield smap.problem(path, f"{error.message} (extra.schema.json)")


def _within(data: Any, path: tuple[Any, ...]) -> bool:
    """Is the value at `path` (or its first step) written in `data`?"""
    if not path:
        return True
    head = path[0]
    return isinstance(data, dict) and head in data

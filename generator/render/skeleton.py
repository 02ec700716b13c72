"""The catalog-entry skeleton: `templates/scaffold/service.yaml`, in Backstage's template syntax.

Backstage's `fetch:template` fills it with Nunjucks (`${{ values.x }}`); `new-service` fills
the very same file with Jinja configured the same way. Every value goes through `dump` (a
JSON string or number is a valid YAML scalar), so no value can add a key.
"""

from __future__ import annotations

import json
import posixpath
from functools import cache
from typing import TYPE_CHECKING, Any

from generator.catalog.models import Platform
from generator.render.templates import templates_dir

if TYPE_CHECKING:  # jinja2 loads only when a skeleton is filled (new-service, tests)
    import jinja2

SKELETON = "service.yaml"
DEFAULT_TAG = "v0.1.0"
SERVICES_DIR = "services"


@cache
def _nunjucks() -> jinja2.Environment:
    """Jinja configured like Backstage's Nunjucks: `${{ }}`, no trim_blocks, `dump` filter."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "scaffold"),
        variable_start_string="${{",
        variable_end_string="}}",
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - YAML, not HTML: every value goes through `dump`
    )
    env.filters["dump"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


def fill_skeleton(values: dict[str, Any]) -> str:
    """The skeleton filled the way Backstage fills it from the template's step values."""
    return _nunjucks().get_template(SKELETON).render(values=values)


def schema_path(platform: Platform) -> str:
    """Where a service file's modeline points: the committed schema, relative to services/."""
    ci = platform.ci
    target = posixpath.join(platform.renderedPath, "schema", "service.schema.json")
    return posixpath.relpath(target, posixpath.join(ci.catalogPath, SERVICES_DIR))

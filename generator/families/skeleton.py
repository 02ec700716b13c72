"""The catalog-entry skeleton: `templates/scaffold/service.yaml`, in Backstage's template syntax.

Backstage's `fetch:template` fills it with Nunjucks (`${{ values.x }}`); `new-service` fills
the very same file through the template engine's `nunjucks` format, configured the same way.
Every value goes through `dump` (a JSON string or number is a valid YAML scalar), so no value
can add a key.
"""

from __future__ import annotations

import posixpath
from typing import Any

from generator.catalog.models import Platform
from generator.templating.engine import Templates, builtin_templates

SKELETON = "service.yaml"
SKELETON_TEMPLATE = f"scaffold/{SKELETON}"
DEFAULT_TAG = "v0.1.0"
SERVICES_DIR = "services"


def fill_skeleton(values: dict[str, Any], templates: Templates | None = None) -> str:
    """The skeleton filled the way Backstage fills it from the template's step values."""
    templates = templates or builtin_templates()
    return templates.render(SKELETON_TEMPLATE, values=values)


def schema_path(platform: Platform) -> str:
    """Where a service file's modeline points: the committed schema, relative to services/."""
    ci = platform.ci
    target = posixpath.join(platform.renderedPath, "schema", "service.schema.json")
    return posixpath.relpath(target, posixpath.join(ci.catalogPath, SERVICES_DIR))

"""The templates a render used: one content digest per file of the repo's templates folder.

Written beside the manifest (`rendered/.gitops-gen-templates.json`, only when the folder holds
files), so the next `check` can tell which override, added file or partial changed since the
last render, and blame the drift it causes on that template file instead of on the catalog
file named in the output's header (`generator.review.template_blame`).
"""

from __future__ import annotations

import hashlib
import json

from generator.catalog.facts import TOOL, Facts
from generator.parts.result import FamilyResult
from generator.templating.engine import templates_for
from generator.text.jsonout import dumps_indented

RECORD = ".gitops-gen-templates.json"


def result(facts: Facts) -> FamilyResult:
    templates = templates_for(facts.catalog)
    if not templates.override_names:
        return FamilyResult("templates", {})
    digests = {
        name: hashlib.sha256(templates.source(name).encode()).hexdigest()
        for name in sorted(templates.override_names)
    }
    doc = {"generatedBy": TOOL, "templates": digests}
    return FamilyResult("templates", {RECORD: dumps_indented(doc) + "\n"})


def digests(text: str | None) -> dict[str, str]:
    """{template name: digest} of a record's text (none, or unreadable: empty)."""
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    names = found.get("templates") if isinstance(found, dict) else None
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}

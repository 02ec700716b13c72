"""The catalog's JSON Schema, exported from the pydantic models (for yaml-language-server)."""

from __future__ import annotations

import json
from typing import Any

from generator.catalog.models import Platform, Service

SCHEMA_IDS = {
    "service": "https://gitops-gen.dev/schema/service.schema.json",
    "platform": "https://gitops-gen.dev/schema/platform.schema.json",
}


def schema(kind: str) -> dict[str, Any]:
    model = Service if kind == "service" else Platform
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_IDS[kind],
    }
    out.update(model.model_json_schema(mode="validation"))
    return out


def schema_text(kind: str, comment: str | None = None) -> str:
    doc = schema(kind)
    if comment:
        doc = {"$comment": comment, **doc}
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"

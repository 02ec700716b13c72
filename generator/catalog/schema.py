"""The catalog's JSON Schema (for yaml-language-server), shipped as files beside this module.

pydantic would build a model's JSON Schema on every run, for text that changes only with
the models: the package carries it instead (`schemas/`), and a test fails when the models
and the files part (`python -m generator.catalog.schema` writes them again). It also keeps
the rendered schemas the same whatever pydantic version a machine has.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

KINDS = ("platform", "service")
SCHEMA_IDS = {
    "service": "https://gitops-gen.dev/schema/service.schema.json",
    "platform": "https://gitops-gen.dev/schema/platform.schema.json",
}
FOLDER = Path(__file__).parent / "schemas"


def schema_text(kind: str, comment: str | None = None) -> str:
    """The shipped schema; `comment` becomes its first key, `$comment`."""
    text = (FOLDER / f"{kind}.schema.json").read_text(encoding="utf-8")
    if not comment:
        return text
    first = json.dumps({"$comment": comment}, indent=2, ensure_ascii=False)[:-2]  # no "\n}"
    return f"{first},{text[1:]}"


def generated_text(kind: str) -> str:
    """The schema as the models give it now: what the shipped file must hold."""
    return json.dumps(generated(kind), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def generated(kind: str) -> dict[str, Any]:
    from generator.catalog.models import Platform, Service

    model = Service if kind == "service" else Platform
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_IDS[kind],
    }
    out.update(model.model_json_schema(mode="validation"))
    return out


if __name__ == "__main__":  # after a model change: write the shipped files again
    FOLDER.mkdir(exist_ok=True)
    for name in KINDS:
        (FOLDER / f"{name}.schema.json").write_text(generated_text(name), encoding="utf-8")

"""Shared field types of the catalog models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
ENV_KEY = r"^[A-Z][A-Z0-9_]*$"
CONFIG_KEY = r"^[A-Za-z_][A-Za-z0-9_.]*$"
DURATION = r"^([0-9]+(ns|us|ms|s|m|h))+$"

DnsLabel = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=63)]
SecretKey = Annotated[str, StringConstraints(pattern=ENV_KEY, max_length=128)]
Duration = Annotated[str, StringConstraints(pattern=DURATION)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=512)]
ConfigValue = str | int | bool
SINGLE_LINE = r"^[^\n\r]*$"
Line = Annotated[str, StringConstraints(pattern=SINGLE_LINE, min_length=1, max_length=512)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


EXTRA_HELP = (
    "The team's own fields, free-form (scalars, lists, maps; never secret values), for its "
    "template overrides (`service.extra`, `platform.extra`, `extra`); optionally validated by "
    "<templatesPath>/extra.schema.json."
)
Extra = Annotated[dict[str, JsonValue], Field(description=EXTRA_HELP)]


def merged_extra(base: dict[str, JsonValue], over: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """`over` merged over `base`: maps merge key by key (deeply), anything else replaces."""
    out = dict(base)
    for key, value in over.items():
        below = out.get(key)
        if isinstance(below, dict) and isinstance(value, dict):
            out[key] = merged_extra(below, value)
        else:
            out[key] = value
    return out

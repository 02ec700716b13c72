"""Catalog values marked in a template's context, to see where a render puts them.

A workflow override is rendered a second time with every catalog string wrapped in two
private-use characters (`MARK`, `END`), which survive concatenation, filters and quoting; the
check of its `run:` steps (`runsteps.py`) then finds a catalog value wherever a marked one
landed. Text the tool built itself (a `Block`: a script whose every word is shell-quoted, a
pinned action `Commented` with its tag) is not marked. The marked text is never written.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from generator.text.yamlout import Block, Commented

MARK, END = "\ue000", "\ue001"


class Tainted(str):
    """A marked catalog string: equal to, and hashed as, the value it marks (a template's
    `{% if env.name == "prod" %}` takes the same branch as in the real render)."""

    __slots__ = ()

    def plain(self) -> str:
        return str.__str__(self)[len(MARK) : -len(END)]

    def __eq__(self, other: object) -> bool:
        return self.plain() == (other.plain() if isinstance(other, Tainted) else other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.plain())


_KEPT = (Block, Commented, Tainted)  # ours, or marked already


def taint(value: Any) -> Any:
    """`value` with every catalog string inside it marked (views, models, maps, lists)."""
    if isinstance(value, _KEPT):
        return value
    if isinstance(value, str):
        return Tainted(f"{MARK}{value}{END}")
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return value.model_copy(update={k: taint(getattr(value, k)) for k in fields})
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a view
        return type(value)(*map(taint, value))
    if isinstance(value, dict):
        return {taint(k): taint(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(map(taint, value))
    return value


def marked(text: str) -> bool:
    return MARK in text


def unmarked(text: str) -> str:
    return text.replace(MARK, "").replace(END, "")

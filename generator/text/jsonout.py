"""`json.dumps(doc, indent=2)`, byte for byte, at the C encoder's speed.

With `indent`, the standard library falls back to its pure-Python encoder, which dominated
the Terraform family's render time; here only the layout is Python and every leaf is encoded
by the C functions.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

_LEAF = json.JSONEncoder().encode  # C-backed for str / int / float / bool / None


def dumps_indented(doc: Any, indent: int = 2) -> str:
    """`json.dumps(doc, indent=indent)`, the same bytes."""
    parts: list[str] = []
    _emit(doc, "", parts, " " * indent)
    return "".join(parts)


def _emit(value: Any, pad: str, parts: list[str], step: str) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring_ascii(value))
    elif kind is dict:
        items = [(f"{encode_basestring_ascii(str(k))}: ", v) for k, v in value.items()]
        _container("{", "}", items, pad, parts, step=step)
    elif (kind is list or kind is tuple) and value and all(type(v) is str for v in value):
        inner = pad + step  # a list of strings (the manifest's paths, IAM actions): one join
        joined = f",\n{inner}".join(map(encode_basestring_ascii, value))
        parts.append(f"[\n{inner}{joined}\n{pad}]")
    elif kind is list or kind is tuple:
        _container("[", "]", [("", v) for v in value], pad, parts, step=step)
    else:
        parts.append(_LEAF(value))


def _container(
    opening: str,
    closing: str,
    items: list[tuple[str, Any]],
    pad: str,
    parts: list[str],
    *,
    step: str,
) -> None:
    """An object or array: one item per line, each prefixed (`"key": ` or nothing)."""
    if not items:
        parts.append(opening + closing)
        return
    inner = pad + step
    parts.append(opening + "\n")
    last = len(items) - 1
    outer = len(inner) <= 2 * len(step)
    for i, (prefix, item) in enumerate(items):
        # an outer level's item (say, a service's inputs) becomes one string at once: a
        # large document then never holds a small string per value until the end
        own = [] if outer else parts
        own.append(inner + prefix)
        _emit(item, inner, own, step)
        own.append(",\n" if i < last else "\n")
        if outer:
            parts.append("".join(own))
    parts.append(pad + closing)

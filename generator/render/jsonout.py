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


def dumps_indented(doc: Any) -> str:
    parts: list[str] = []
    _emit(doc, "", parts)
    return "".join(parts)


def _emit(value: Any, pad: str, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring_ascii(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = pad + "  "
        parts.append("{\n")
        last = len(value) - 1
        for i, (key, item) in enumerate(value.items()):
            parts.append(f"{inner}{encode_basestring_ascii(str(key))}: ")
            _emit(item, inner, parts)
            parts.append(",\n" if i < last else "\n")
        parts.append(pad + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = pad + "  "
        parts.append("[\n")
        last = len(value) - 1
        for i, item in enumerate(value):
            parts.append(inner)
            _emit(item, inner, parts)
            parts.append(",\n" if i < last else "\n")
        parts.append(pad + "]")
    else:
        parts.append(_LEAF(value))

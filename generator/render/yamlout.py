"""A small deterministic YAML emitter for data we build in Python.

Every string goes through `scalar()`: it is written plain only when it cannot be read back
as anything but the same string; otherwise it is a double-quoted JSON string (valid YAML),
so `on`, `1.10`, `{{`, `#`, a newline or `key: value` in a catalog value can never add
structure. Multi-line scripts we write ourselves are `Block` and use `|`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./-]*$")
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


class Block(str):
    """A multi-line string of ours (a script, a patch) written as a literal block."""

    __slots__ = ()


def quote(text: str) -> str:
    """A double-quoted scalar that YAML reads back as exactly `text`."""
    out = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot emit {type(value).__name__} as YAML")
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    return quote(value)


def dump(doc: Mapping[str, Any] | Sequence[Any]) -> str:
    lines: list[str] = []
    if isinstance(doc, Mapping):
        _mapping(doc, 0, lines)
    else:
        _sequence(doc, 0, lines)
    return "\n".join(lines) + "\n"


def dump_all(docs: Iterable[Mapping[str, Any]]) -> str:
    return "---\n".join(dump(d) for d in docs)


def _value(prefix: str, value: Any, indent: int, lines: list[str]) -> None:
    if isinstance(value, Mapping) and value:
        lines.append(prefix)
        _mapping(value, indent + 2, lines)
    elif isinstance(value, list | tuple) and value:
        lines.append(prefix)
        _sequence(value, indent + 2, lines)
    elif isinstance(value, Block) and "\n" in value.rstrip("\n"):
        _block(prefix, value, indent + 2, lines)
    elif isinstance(value, Mapping):
        lines.append(f"{prefix} {{}}")
    elif isinstance(value, list | tuple):
        lines.append(f"{prefix} []")
    else:
        lines.append(f"{prefix} {scalar(value)}")


def _mapping(doc: Mapping[str, Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, value in doc.items():
        _value(f"{pad}{scalar(key)}:", value, indent, lines)


def _sequence(items: Sequence[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, Mapping) and item:
            start = len(lines)
            _mapping(item, indent + 2, lines)
            lines[start] = f"{pad}- {lines[start][indent + 2 :]}"
        elif isinstance(item, list | tuple) and item:
            lines.append(f"{pad}-")
            _sequence(item, indent + 2, lines)
        else:
            _value(f"{pad}-", item, indent, lines)


def _block(prefix: str, text: str, indent: int, lines: list[str]) -> None:
    chomp = "" if text.endswith("\n") and not text.endswith("\n\n") else "-"
    if text.endswith("\n\n"):
        chomp = "+"
    indicator = "2" if text[:1] == " " else ""
    lines.append(f"{prefix} |{indicator}{chomp}")
    pad = " " * indent
    body = text[:-1] if text.endswith("\n") else text
    lines.extend(f"{pad}{line}" if line else "" for line in body.split("\n"))

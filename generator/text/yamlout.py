"""A small deterministic YAML emitter for data we build in Python.

Every string goes through `scalar()`: it is written plain only when it cannot be read back
as anything but the same string; otherwise it is a double-quoted JSON string (valid YAML),
so `on`, `1.10`, `{{`, `#`, a newline or `key: value` in a catalog value can never add
structure. Multi-line scripts we write ourselves are `Block` and use `|`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from json.encoder import encode_basestring  # the C encoder: a JSON string, non-ASCII kept
from typing import Any

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*\Z")  # \Z: `$` also matches before a final \n
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


class Block(str):
    """A multi-line string of ours (a script, a patch) written as a literal block."""

    __slots__ = ()


class Commented(str):
    """A scalar of ours followed by a `# comment` on its line (a pinned action's tag)."""

    comment: str

    def __new__(cls, value: str, comment: str) -> Commented:
        obj = super().__new__(cls, value)
        obj.comment = comment
        return obj


def quote(text: str) -> str:
    """A double-quoted scalar that YAML reads back as exactly `text`."""
    out: str = encode_basestring(text)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _string(value: str) -> str:
    """Most strings repeat (labels, kinds, keys): each short one is decided once. A long one
    (a script, a document) rarely repeats, and remembering it would hold its text."""
    return _short_string(value) if len(value) <= 128 else _decide(value)


def _decide(value: str) -> str:
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    return quote(value)


_short_string = lru_cache(maxsize=65536)(_decide)
plain_or_quoted = _string  # a `str` (exactly) as a scalar: the one decision


def scalar(value: Any) -> str:
    kind = type(value)
    if kind is str or isinstance(value, str):
        return _string(str(value))
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"cannot emit {kind.__name__} as YAML")


def dump(doc: Mapping[str, Any] | Sequence[Any]) -> str:
    lines: list[str] = []
    if isinstance(doc, Mapping):
        _mapping(doc, 0, lines)
    else:
        _sequence(doc, 0, lines)
    lines.append("")  # the final newline, without copying the text once more
    return "\n".join(lines)


def dump_all(docs: Iterable[Mapping[str, Any]]) -> str:
    return "---\n".join(dump(d) for d in docs)


def _value(prefix: str, value: Any, indent: int, lines: list[str]) -> None:
    kind = type(value)
    if kind is str:  # the common case first; dict/list checks on concrete types (no ABCs)
        lines.append(f"{prefix} {_string(value)}")
    elif kind is dict or kind is list or kind is tuple:
        if not value:
            lines.append(f"{prefix} {{}}" if kind is dict else f"{prefix} []")
        elif kind is dict:
            lines.append(prefix)
            _mapping(value, indent + 2, lines)
        else:
            lines.append(prefix)
            _sequence(value, indent + 2, lines)
    elif isinstance(value, Commented):
        lines.append(f"{prefix} {_string(str(value))} # {value.comment}")
    elif isinstance(value, Block) and "\n" in value.rstrip("\n"):
        _block(prefix, value, indent + 2, lines)
    elif isinstance(value, Mapping):
        _value(prefix, dict(value), indent, lines)
    else:
        lines.append(f"{prefix} {scalar(value)}")


_KEY_PREFIXES: dict[tuple[int, str], str] = {}  # keys repeat in every file: build each once


def _mapping(doc: Mapping[str, Any], indent: int, lines: list[str]) -> None:
    for key, value in doc.items():
        prefix = _KEY_PREFIXES.get((indent, key))
        if prefix is None:
            prefix = _KEY_PREFIXES[(indent, key)] = f"{' ' * indent}{_string(key)}:"
        if type(value) is str:  # inlined: most values are strings
            lines.append(f"{prefix} {_string(value)}")
        elif indent == _OUTER and type(value) is dict and value:
            # a second level's mapping (say, a service's values) becomes one string at once:
            # a large file then never holds a small string per line until the end
            own = [prefix]
            _mapping(value, indent + 2, own)
            lines.append("\n".join(own))
        else:
            _value(prefix, value, indent, lines)


_OUTER = 2


def _sequence(items: Sequence[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if type(item) is dict and item:
            start = len(lines)
            _mapping(item, indent + 2, lines)
            lines[start] = f"{pad}- {lines[start][indent + 2 :]}"
        elif type(item) in (list, tuple) and item:
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

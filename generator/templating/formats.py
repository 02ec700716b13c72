"""Output formats: how each one quotes a value, and the filters its templates may use.

Every `{{ expr }}` goes through its format's `finalize`: the one quoting path. A catalog value
becomes a YAML-safe scalar exactly as `yamlout` writes it, an HCL string, a shell word, a JSON
value, or plain text in Markdown. Structure a template builds itself (labels, env lists) goes
through the `yaml`/`json` filters, which dump a whole value with the same emitters, or `raw`
for text the template made (never a catalog value). Their results are `Raw`: finalize keeps
them as they are.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from jinja2 import Undefined

from generator.text import jsonout, yamlout
from generator.text.hcl import hcl_string

_JSON_LEAF = json.JSONEncoder().encode  # ASCII escapes, as jsonout writes every leaf


class Raw(str):
    """Text a filter produced: already in the output format, so `finalize` leaves it alone."""

    __slots__ = ()


def _refuse(value: Any, what: str) -> NoReturn:
    """An undefined value raises its own UndefinedError (StrictUndefined); others a TypeError."""
    if isinstance(value, Undefined):
        str(value)
    raise TypeError(f"cannot write {type(value).__name__} as {what}")


def _yaml(value: Any) -> str:
    kind = type(value)
    if kind is str:  # most values: straight to the memoized decision, no type ladder
        return yamlout.plain_or_quoted(value)
    if kind is Raw:
        return value  # type: ignore[no-any-return]
    try:
        return yamlout.scalar(value)
    except TypeError:
        _refuse(value, "a YAML scalar (use the yaml filter for structure)")


def _json(value: Any) -> str:
    if type(value) is Raw:
        return value
    if isinstance(value, str | int | float | None):
        return _JSON_LEAF(value)
    _refuse(value, "a JSON value (use the json filter for structure)")


def _hcl(value: Any) -> str:
    if type(value) is Raw:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return hcl_string(value)
    _refuse(value, "an HCL value (use a loop)")


def _shell(value: Any) -> str:
    if type(value) is Raw:
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        return shlex.quote(str(value))
    _refuse(value, "a shell word")


def _text(value: Any) -> str:
    if type(value) is str or type(value) is Raw:
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    _refuse(value, "text")


def _indented(text: str, indent: int) -> Raw:
    """`text` with every non-empty line indented, without its final newline."""
    pad = " " * indent
    lines = text.rstrip("\n").split("\n")
    return Raw("\n".join(pad + line if line else line for line in lines))


def yaml_filter(value: Mapping[str, Any] | list[Any], indent: int = 0) -> Raw:
    """`{{ {"labels": labels} | yaml(2) }}`: a whole sub-structure, emitted by `yamlout`."""
    if not isinstance(value, Mapping | list | tuple):
        raise TypeError("the yaml filter takes a mapping or a list (wrap a scalar in one)")
    return _indented(yamlout.dump(dict(value) if isinstance(value, Mapping) else value), indent)


def json_filter(value: Any, indent: int = 0) -> Raw:
    """`{{ value | json(2) }}`: a whole sub-structure, as `json.dumps(indent=2)` writes it."""
    return Raw(jsonout.dumps_indented(value).replace("\n", "\n" + " " * indent))


def raw_filter(value: str) -> Raw:
    """Text the template built itself, emitted as is. Never pass a catalog value."""
    return Raw(value)


def shell_comment(text: str) -> Raw:
    """`# {{ value | comment }}`: a value as comment text, kept on the comment's one line."""
    return Raw(str(text).replace("\r", " ").replace("\n", " "))


_BACKTICKS = re.compile(r"`+")


def md_code(text: str) -> Raw:
    """Inline code for a value, which nothing in it can close (CommonMark 6.1): the fence is
    one backtick longer than the longest run inside; a space pads a value that starts or ends
    with a backtick or a space (CommonMark strips one from each side); a line break, which
    could end the paragraph and the span with it, is shown as `\\n`."""
    if not text:
        return Raw("(empty)")
    fence = "`"  # most values hold no backtick and no line break: nothing to look for
    if "`" in text or "\n" in text or "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
        fence = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return Raw(f"{fence}{pad}{text}{pad}{fence}")


def md_cell(text: str) -> Raw:
    """A value as inline code inside a table cell: newlines and pipes escaped."""
    return Raw(md_code(text).replace("|", "\\|"))


def md_codes(texts: Iterable[str], separator: str = ", ") -> Raw:
    """`{{ keys | codes(", ") }}`: each as inline code, joined (one filter call per list)."""
    return Raw(separator.join(map(md_code, texts)))


def md_cells(texts: Iterable[str], separator: str = " | ") -> Raw:
    """`{{ row.values | cells }}`: table cells, joined."""
    return Raw(separator.join(map(md_cell, texts)))


def nunjucks_dump(value: Any) -> Raw:
    """Backstage's `dump` filter: a JSON value (a valid YAML scalar)."""
    return Raw(json.dumps(value, ensure_ascii=False))


@dataclass(frozen=True)
class Format:
    """One jinja2 Environment's settings: quoting, filters, and syntax (delimiters, trims)."""

    name: str
    finalize: Callable[[Any], str]
    filters: dict[str, Callable[..., Any]] = field(default_factory=dict)
    syntax: dict[str, Any] = field(default_factory=dict)


_COMMON: dict[str, Callable[..., Any]] = {"raw": raw_filter}
YAML = Format("yaml", _yaml, {**_COMMON, "yaml": yaml_filter})
JSON = Format("json", _json, {**_COMMON, "json": json_filter})
HCL = Format("hcl", _hcl, dict(_COMMON))
SHELL = Format("shell", _shell, {**_COMMON, "comment": shell_comment})
MARKDOWN = Format(
    "markdown",
    _text,
    {**_COMMON, "code": md_code, "cell": md_cell, "codes": md_codes, "cells": md_cells},
)
# Backstage skeletons are filled by Backstage's Nunjucks too (`${{ }}`, no trims), which has no
# finalize: there every value must go through `dump` anyway, so here a bare one is plain text.
NUNJUCKS = Format(
    "nunjucks",
    _text,
    {"dump": nunjucks_dump},
    {"variable_start_string": "${{", "trim_blocks": False, "lstrip_blocks": False},
)
QUOTING = (YAML, JSON, HCL, SHELL)  # formats whose finalize quotes: `quoting.py` guards them
_BY_SUFFIX = {
    ".yaml": YAML,
    ".yml": YAML,
    ".json": JSON,
    ".hcl": HCL,
    ".tf": HCL,
    ".sh": SHELL,
    ".md": MARKDOWN,
}
SKELETON_FOLDER = "scaffold/"  # Backstage skeletons: rendered, and shipped verbatim


def is_template(name: str) -> bool:
    """Jinja templates end in `.j2`; skeletons are both; everything else is a static file."""
    return name.endswith(".j2") or name.startswith(SKELETON_FOLDER)


def format_of(name: str) -> Format:
    """The format a template writes, from its name: `kustomize/x.yaml.j2` writes YAML."""
    if name.startswith(SKELETON_FOLDER):
        return NUNJUCKS
    stem = name.removesuffix(".j2")
    dot = stem.rfind(".")
    found = _BY_SUFFIX.get(stem[dot:]) if dot > stem.rfind("/") else None
    if found is None:
        raise ValueError(f"template {name!r} does not end in a known format (.yaml.j2, ...)")
    return found

"""Read one YAML file into plain data plus a map from data paths to line:column.

PyYAML's libyaml composer keeps a mark on every node and is ~25x faster than ruamel's
pure-Python composer, which matters at thousands of service files. Scalars are resolved
with the YAML 1.2 core schema (so `on`, `no`, `y` stay strings, as in ruamel), mapping
keys are always strings, duplicate keys are errors, and alias expansion is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.errors import Problem

DataPath = tuple[str | int, ...]
MAX_NODES = 20_000  # a catalog file is small; aliases may not blow it up past this
MAX_DEPTH = 64  # the catalog nests a few levels; 491 `[` must not exhaust Python's stack
MAX_INT_DIGITS = 1000  # Python refuses to convert an int of 4,301 digits; none is sensible
# libyaml composes recursively in C (40,000 nested `[` overflow the stack: a segfault) and
# scans deep flow nesting in quadratic time: text nested past this is refused unparsed
MAX_TEXT_NESTING = 1000

_YAML_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_BOOL |= {"FALSE": False}
_INT = re.compile(r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT = re.compile(
    r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)

# Plain scalars get this tag instead of PyYAML's YAML 1.1 guess (`2001-12-14` a timestamp,
# `on` a bool), so that any tag on a node was written in the file. It has a space: no file
# can spell it.
_PLAIN = "plain scalar"
# The core schema: explicit `!!str`, `!!int`... are fine; `!!binary`, `!!python/...`, `!foo`
# and every other tag are refused, as the README says.
_CORE_SCALARS = {f"{_YAML_TAG}{t}" for t in ("str", "int", "float", "bool", "null")}
_CORE_TAGS = {_PLAIN, f"{_YAML_TAG}map", f"{_YAML_TAG}seq", *_CORE_SCALARS}

try:  # the C composer when PyYAML was built with libyaml, else the pure one
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the wheel
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return str(super().resolve(kind, value, implicit))


@dataclass
class SourceMap:
    """Where each key and value of one file sits (1-based line and column)."""

    file: str
    keys: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[DataPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: DataPath, *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest located parent."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            pos = table.get(path[:end]) or self.values.get(path[:end])
            if pos:
                return pos
        return (1, 1)

    def problem(self, path: DataPath, message: str, *, key: bool = False) -> Problem:
        line, col = self.locate(path, key=key)
        return Problem(self.file, line, col, dotted(path), message)


class DeferredSourceMap(SourceMap):
    """A file's positions, parsed again from its bytes on the first look-up: the positions
    are needed only to locate a problem, which is rare, and holding every position of every
    file costs more memory than its bytes."""

    def __init__(self, file: str, raw: bytes) -> None:
        super().__init__(file)
        self._raw: bytes | None = raw

    def locate(self, path: DataPath, *, key: bool = False) -> tuple[int, int]:
        if self._raw is not None:
            _, full = load_yaml_bytes(self._raw, self.file)
            self.keys, self.values, self._raw = full.keys, full.values, None
        return super().locate(path, key=key)


def dotted(path: DataPath) -> str:
    """`('secrets', 'keys', 2)` -> `secrets.keys[2]`; a key with a newline or other
    unprintable character is shown escaped (`secretBackends['aws\\n']`): one error, one line."""
    out = ""
    for part in path:
        if isinstance(part, int) or not part.isprintable():
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


class YamlFileError(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def load_yaml_bytes(raw: bytes, display: str, *, located: bool = True) -> tuple[Any, SourceMap]:
    """Parse one file's bytes; raise YamlFileError with a located message on anything malformed.
    `located` False: the positions are parsed again from the bytes only when first looked up
    (`DeferredSourceMap`); the values are built without them, a third faster."""
    text = _decode(raw, display)
    if not text.strip():
        raise YamlFileError(Problem(display, 1, 1, "", "file is empty"))
    _check_nesting(text, display)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlFileError(Problem(display, line, col, "", f"YAML syntax: {what}")) from None
    except yaml.YAMLError as exc:
        raise YamlFileError(Problem(display, 1, 1, "", f"YAML syntax: {exc}")) from None
    except RecursionError:  # the pure-Python composer (no libyaml) on deep nesting
        msg = f"nested deeper than {MAX_DEPTH} levels"
        raise YamlFileError(Problem(display, 1, 1, "", msg)) from None
    if node is None:
        raise YamlFileError(Problem(display, 1, 1, "", "file is empty"))
    if not located:
        try:
            return _Plain().build(node, 0), DeferredSourceMap(display, raw)
        except _UnsureError:
            pass  # the located build says what is wrong, and where
    smap = SourceMap(display)
    builder = _Builder(smap)
    data = builder.build(node, ())
    return data, smap


_BLOCK_PREFIX = re.compile(r"(?:[ \t]|[-?:](?=[ \t]|$)|[&!][^ \t]*)*")  # indents, `- `, tags


def _check_nesting(text: str, display: str) -> None:
    """Refuse text nested past MAX_TEXT_NESTING before libyaml sees it. An upper bound, read
    in linear time: open brackets so far, plus the line's indentation and block indicators.
    A catalog file is nowhere near it; counting first keeps the look off every usual file."""
    if sum(text.count(c) for c in "[{-?") + text.count("  ") < MAX_TEXT_NESTING:
        return
    flow = 0
    for number, line in enumerate(text.splitlines(), start=1):
        block = _BLOCK_PREFIX.match(line)
        flow += line.count("[") + line.count("{")
        if flow + (block.end() if block else 0) > MAX_TEXT_NESTING:
            msg = f"nested too deeply to read (over {MAX_TEXT_NESTING} levels)"
            raise YamlFileError(Problem(display, number, 1, "", msg))
        flow = max(0, flow - line.count("]") - line.count("}"))


def _decode(raw: bytes, display: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        msg = f"file is not UTF-8 (byte 0x{raw[exc.start]:02x})"
        raise YamlFileError(Problem(display, line, col, "", msg)) from None


class _Builder:
    def __init__(self, smap: SourceMap) -> None:
        self.smap = smap
        self.visited = 0

    def fail(self, node: yaml.Node, path: DataPath, message: str) -> YamlFileError:
        mark = node.start_mark
        return YamlFileError(
            Problem(self.smap.file, mark.line + 1, mark.column + 1, dotted(path), message)
        )

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self.fail(node, path, f"document expands past {MAX_NODES} nodes (aliases?)")
        self.smap.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if len(path) > MAX_DEPTH:
            raise self.fail(node, path[:1], f"nested deeper than {MAX_DEPTH} levels")
        self._check_tag(node, path)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag == _YAML_TAG + "str":  # quoted, block, `!!str` or `!`
            return node.value
        if len(node.value) > MAX_INT_DIGITS and _INT.match(node.value):
            msg = f"an integer of more than {MAX_INT_DIGITS} digits (quote it if it is text)"
            raise self.fail(node, path, msg)
        if node.tag == _PLAIN:
            return _resolve(node.value)
        value = _resolve(node.value)  # `!!int 3`: the tag must agree with the core schema
        if _tag_of(value) != node.tag:
            raise self.fail(
                node, path, f"{node.value!r} is not a {node.tag.replace(_YAML_TAG, '!!')}"
            )
        return value

    def _check_tag(self, node: yaml.Node, path: DataPath) -> None:
        if node.tag not in _CORE_TAGS:
            shown = node.tag.replace(_YAML_TAG, "!!")
            raise self.fail(node, path, f"YAML tag {shown} is not supported")

    def _mapping(self, node: yaml.MappingNode, path: DataPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "mapping keys must be plain strings")
            self._check_tag(key_node, path)
            key = str(key_node.value)
            if key == "<<":
                raise self.fail(key_node, path, "merge keys (<<) are not supported")
            if key in out:
                first = self.smap.keys[(*path, key)]
                msg = f"duplicate key {key!r} (first at line {first[0]})"
                raise self.fail(key_node, (*path, key), msg)
            mark = key_node.start_mark
            self.smap.keys[(*path, key)] = (mark.line + 1, mark.column + 1)
            out[key] = self.build(value_node, (*path, key))
        return out


class _UnsureError(Exception):
    """The quick build met something only the located build may word and place."""


class _Plain:
    """`_Builder`'s values without their positions or paths: the same checks, and a file that
    fails any of them is built again by `_Builder`, whose error it then raises. So it only
    ever returns what `_Builder` would (`tests/catalog/test_source.py` compares them)."""

    def __init__(self) -> None:
        self.visited = 0

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES or depth > MAX_DEPTH or node.tag not in _CORE_TAGS:
            raise _UnsureError
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _CORE_TAGS:
                    raise _UnsureError
                key = str(key_node.value)
                if key == "<<" or key in out:
                    raise _UnsureError
                out[key] = self.build(value_node, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, depth + 1) for item in node.value]
        if node.tag == _YAML_TAG + "str":
            return node.value
        if len(node.value) > MAX_INT_DIGITS and _INT.match(node.value):
            raise _UnsureError
        value = _resolve(node.value)
        if node.tag != _PLAIN and _tag_of(value) != node.tag:
            raise _UnsureError
        return value


# The first characters of a null, an int or a float: any other plain scalar is a string or
# a bool, told apart without a regex (most of a catalog's scalars: names, images, keys)
_NOT_TEXT_FIRST = frozenset("~nN+-.0123456789")


def _resolve(value: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema."""
    first = value[:1]
    if first and first not in _NOT_TEXT_FIRST:
        return _BOOL.get(value, value)
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value, 0) if value.lstrip("+-")[:2] in {"0x", "0o"} else int(value)
    if _FLOAT.match(value):
        return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
    return value


def _tag_of(value: Any) -> str:
    kind = {type(None): "null", bool: "bool", int: "int", float: "float"}.get(type(value), "str")
    return _YAML_TAG + kind

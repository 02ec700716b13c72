"""Reading YAML others wrote (an override's output, `helm template`'s) as PyYAML's safe loader
reads it, faster: the same objects, built without the safe constructor's generic machinery.

libyaml (PyYAML's C parser) composes the nodes; `Loader` then builds plain dicts, lists and
strings directly, and hands a document holding anything else (a timestamp, a merge key `<<`,
`!!binary`, an unknown tag, an unhashable key, a node reached twice through an alias) to the
safe constructor whole, so its result and its errors are exactly the safe loader's. A plain
scalar's tag depends on its text alone, so the resolver's answer is remembered by text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = f"{_TAG}str", f"{_TAG}map", f"{_TAG}seq"
_Safe = yaml.constructor.SafeConstructor
_SCALARS: dict[str, Callable[[Any, ScalarNode], Any]] = {
    f"{_TAG}null": _Safe.construct_yaml_null,
    f"{_TAG}bool": _Safe.construct_yaml_bool,
    f"{_TAG}int": _Safe.construct_yaml_int,
    f"{_TAG}float": _Safe.construct_yaml_float,
}
_PLAIN_TAGS: dict[str, str] = {}  # a plain scalar's text -> its resolved tag
_PLAIN_LIMIT = 50_000  # texts remembered before starting over (names repeat; values less)
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UnusualError(Exception):
    """A node the direct build leaves to the safe constructor."""


class Loader(_Base):  # type: ignore[valid-type,misc]
    """PyYAML's (C) safe loader, building common documents directly."""

    def construct_document(self, node: Node) -> Any:
        try:
            return _build(self, node, set())
        except (_UnusualError, TypeError, RecursionError):
            return super().construct_document(node)

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                if len(_PLAIN_TAGS) >= _PLAIN_LIMIT:
                    _PLAIN_TAGS.clear()
                tag = _PLAIN_TAGS[value] = str(super().resolve(kind, value, implicit))
            return tag
        return str(super().resolve(kind, value, implicit))


def _build(loader: Loader, node: Node, seen: set[int]) -> Any:
    """`node` as the safe constructor builds it; `seen`: the collections built so far (one
    reached again is an alias, whose shared object only the safe constructor keeps)."""
    kind = node.__class__
    if isinstance(node, ScalarNode):
        if node.tag == _STR:
            return node.value
        make = _SCALARS.get(node.tag)
        if make is None:
            raise _UnusualError
        return make(loader, node)
    if id(node) in seen:
        raise _UnusualError
    seen.add(id(node))
    if kind is MappingNode and node.tag == _MAP:
        return {_build(loader, k, seen): _build(loader, v, seen) for k, v in node.value}
    if kind is SequenceNode and node.tag == _SEQ:
        return [_build(loader, item, seen) for item in node.value]
    raise _UnusualError


def load_all(text: str) -> list[Any]:
    """Every document of `text`, as `yaml.load_all(text, Loader=yaml.CSafeLoader)` gives them."""
    return list(yaml.load_all(text, Loader=Loader))

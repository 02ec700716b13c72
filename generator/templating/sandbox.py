"""Jinja's immutable sandbox, with its attribute check remembered per type and name, and each
template's globals a plain dict.

Every `{{ view.name }}` in a sandbox goes through `is_safe_attribute`, which tests the object
against Python's internal types and the mutable ABCs (`isinstance` on an ABC is slow): done
for every attribute of every document, that doubled the render's time. The answer depends
only on the object's type and the attribute's name (and, for `str.format`, on the value, which
is never taken from the cache), so it is worked out once per pair. Everything the sandbox
refuses is still refused exactly as Jinja does.

A template's globals are Jinja's `ChainMap` over the environment's; every render copies them
into its context, and copying a `ChainMap` goes key by key in Python: three quarters of a
small template's render (about 5 of 7 us, tens of thousands of renders per run). The
environment's globals never change once a template is loaded (Jinja asks the same), so a
template gets them as one plain dict, read the same way.
"""

from __future__ import annotations

import types
from collections.abc import MutableMapping
from typing import Any

from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

# neither type can be subclassed: a type test is an isinstance test, and cheaper
_METHODS = frozenset((types.MethodType, types.BuiltinMethodType))
_FORMAT = ("format", "format_map")  # the sandbox wraps these (a str's format is unsafe bare)


class Sandbox(ImmutableSandboxedEnvironment):
    """`ImmutableSandboxedEnvironment`, with the safe attributes remembered per type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[type, set[str]] = {}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's globals with the template's own over them, as one dict."""
        return {**self.globals, **(d or {})}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        safe = super().is_safe_attribute(obj, attr, value)
        if safe:
            self._safe.setdefault(type(obj), set()).add(attr)
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any | Undefined:
        safe = self._safe.get(type(obj))
        if safe is not None and attribute in safe:
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass  # this instance lacks it: the full path looks up an item instead
            else:
                if type(value) not in _METHODS or value.__name__ not in _FORMAT:
                    return value
        return super().getattr(obj, attribute)

"""How kustomize applies one patch to one object: which objects a `target` selects, and the
JSON6902 ops (`add`, `replace`, `remove`) or a strategic-merge document applied to it.

An object's nested mappings and lists may be shared with other envs' copies (the parse of
its file): a patch copies each one on its path before changing it, so no copy sees
another's change, and nothing the patch does not touch is copied.

An op whose path is not there is what `kubectl kustomize` refuses; it is returned as text
for the overlay builder to report. `test`, `copy` and `move` are left alone: they change no
name the reference check reads.
"""

from __future__ import annotations

import re
from typing import Any

Obj = dict[str, Any]
_CONTAINERS = (dict, list)  # a tuple: `dict | list` would build a union at every call
_PATTERN = re.compile(r"[.^$*+?{}\[\]\\|()]")  # what makes a name a regular expression


def matches(doc: Obj, target: Obj) -> bool:
    kind = target.get("kind")
    if kind not in (None, "") and kind != doc.get("kind"):  # the usual miss, told first
        return False
    group, _, version = str(doc.get("apiVersion", "")).rpartition("/")
    for field, have in (("group", group), ("version", version)):
        if target.get(field) not in (None, "") and target[field] != have:
            return False
    name = target.get("name")
    if isinstance(name, str) and name:
        if not _PATTERN.search(name):  # a plain name (most are): the pattern is itself
            return name == _meta(doc).get("name")
        try:  # kustomize reads a target's name as an anchored regular expression
            return re.fullmatch(name, _meta(doc).get("name") or "") is not None
        except re.error:
            return name == _meta(doc).get("name")
    return True


def clone(node: Any) -> Any:
    """A parsed document's copy (mappings, lists and scalars only): what `copy.deepcopy`
    gives for those, without its bookkeeping; an object is patched in its own copy."""
    if isinstance(node, dict):
        return {key: clone(value) for key, value in node.items()}
    if isinstance(node, list):
        return [clone(item) for item in node]
    return node


def apply(doc: Obj, patch: object) -> str:
    """Apply JSON6902 ops (a list) or merge a strategic-merge document; "" or what failed.
    `doc`'s own top level is changed in place."""
    if isinstance(patch, dict):
        _merge(doc, patch)
        return ""
    owned: set[int] = set()  # the containers this patch copied already (ops share a path)
    for op in patch if isinstance(patch, list) else []:
        if isinstance(op, dict):
            failed = _op(doc, op, owned)
            if failed:
                return failed
    return ""


_STEPS: dict[str, tuple[str, ...]] = {}  # a JSON pointer -> its unescaped steps (paths repeat)
_STEPS_LIMIT = 10_000


def _steps(path: str) -> tuple[str, ...]:
    found = _STEPS.get(path)
    if found is None:
        if len(_STEPS) >= _STEPS_LIMIT:
            _STEPS.clear()
        found = _STEPS[path] = tuple(
            s.replace("~1", "/").replace("~0", "~") for s in path.split("/")[1:]
        )
    return found


def _op(doc: Obj, op: Obj, owned: set[int]) -> str:
    kind, path = op.get("op"), str(op.get("path", ""))
    steps = _steps(path)
    if kind not in {"add", "replace", "remove"} or not steps:
        return ""  # test/copy/move change no name kustomize checks here
    parent: Any = doc
    for step in steps[:-1]:
        child = _child(parent, step)
        if child is None:
            return f"{kind} {path}: no such path"
        parent = _own(parent, step, child, owned)
    last = steps[-1]
    if isinstance(parent, dict):
        if kind != "add" and last not in parent:
            return f"{kind} {path}: no such path"
        if kind == "remove":
            del parent[last]
        else:
            parent[last] = clone(op.get("value"))
        return ""
    if isinstance(parent, list):
        return _list_op(parent, kind, last, op, path)
    return f"{kind} {path}: no such path"


def _list_op(items: list[Any], kind: str, last: str, op: Obj, path: str) -> str:
    if kind == "add" and last == "-":
        items.append(clone(op.get("value")))
        return ""
    if not last.isdigit() or int(last) > len(items) - (kind != "add"):
        return f"{kind} {path}: no such path"
    index = int(last)
    if kind == "remove":
        del items[index]
    elif kind == "add":
        items.insert(index, clone(op.get("value")))
    else:
        items[index] = clone(op.get("value"))
    return ""


def _own(parent: Any, step: str, child: Any, owned: set[int]) -> Any:
    """`child` (at `step` of `parent`, which is the patched object's own) copied into place
    when it is a mapping or a list: the next step may change it. Once per patch: a copy
    already made is the object's own."""
    if isinstance(child, _CONTAINERS) and id(child) not in owned:
        child = child.copy()
        parent[int(step) if isinstance(parent, list) else step] = child
        owned.add(id(child))
    return child


def _child(node: Any, step: str) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and step.isdigit() and int(step) < len(node):
        return node[int(step)]
    return None


def _merge(doc: Obj, patch: Obj) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = dict(doc[key])  # copied before the merge changes it
            _merge(doc[key], value)
        else:
            doc[key] = clone(value)


def _meta(doc: Obj) -> Obj:
    meta = doc.get("metadata")
    return meta if isinstance(meta, dict) else {}

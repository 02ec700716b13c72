"""What each template sees: `templates show NAME` and the reference page `docs/templates.md`.

The table below names, per template, how often it renders and its family's view; every
catalog template also sees `platform`, `service`, `env` and `extra`
(`generator.templating.context`). Fields and types are read from the views and the models
themselves; a test renders the fixture catalogs and checks every context against this table.
`python -m generator.commands.template_context` writes the reference page again.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator import backends
from generator.catalog.models import Environment, Platform, Service
from generator.families.argocd_views import AppView, ProjectView
from generator.families.backstage import ComponentView, LocationView, SystemView, TemplateView
from generator.families.kustomize_views import BaseView, OverlayView
from generator.families.runbook import RunbookView
from generator.families.workflow_views import CheckView, ForceSyncView, SecretsSyncView
from generator.templating.context import ONCE, PER_ENV, PER_SERVICE, PER_SERVICE_ENV, Context

DOC = Path(__file__).resolve().parents[2] / "docs" / "templates.md"

# the built-in families' templates; each backend type lists its own (`contexts()`)
FAMILIES: dict[str, Context] = {
    "argocd/applications.yaml.j2": Context(PER_ENV, (("apps", tuple[AppView, ...]),)),
    "argocd/argocd-cm-patch.yaml.j2": Context(ONCE, ()),
    "argocd/projects.yaml.j2": Context(PER_ENV, (("projects", tuple[ProjectView, ...]),)),
    "backstage/component.yaml.j2": Context(PER_SERVICE, (("component", ComponentView),)),
    "backstage/location.yaml.j2": Context(ONCE, (("location", LocationView),)),
    "backstage/software-template.yaml.j2": Context(ONCE, (("template", TemplateView),)),
    "backstage/system.yaml.j2": Context(ONCE, (("system", SystemView),)),
    "kustomize/base-kustomization.yaml.j2": Context(PER_SERVICE, (("base", BaseView),)),
    "kustomize/overlay-kustomization.yaml.j2": Context(
        PER_SERVICE_ENV, (("overlay", OverlayView),)
    ),
    "runbooks/runbook.md.j2": Context(PER_SERVICE, (("runbook", RunbookView),)),
    "runbooks/secrets.md.j2": Context(PER_SERVICE, (("runbook", RunbookView),)),
    "workflows/gitops-gen-check.yml.j2": Context(ONCE, (("check", CheckView),)),
    "workflows/gitops-gen-force-sync.yml.j2": Context(ONCE, (("sync", ForceSyncView),)),
    "workflows/gitops-gen-secrets-sync.yml.j2": Context(ONCE, (("sync", SecretsSyncView),)),
}


def contexts() -> dict[str, Context]:
    """Every template's context: the families', then the registered backend types'."""
    return {**FAMILIES, **backends.template_contexts()}


CONTEXTS = contexts()  # the built-in ones (a type registered later: call `contexts()`)
# the team's own files (`generator.templating.added`): the view of the folder they land in
ADDED: dict[str, Context] = {
    "kustomize/service/": Context(PER_SERVICE, (("base", BaseView),)),
    "kustomize/env/": Context(PER_SERVICE_ENV, (("overlay", OverlayView),)),
}
SHARED: tuple[tuple[str, Any], ...] = (
    ("service", Service | None),
    ("env", Environment | None),
    ("extra", dict[str, Any]),
    ("platform", Platform),
)
NOT_CATALOG = {
    "init/": "a file `gitops-gen init` writes into a new repo (not overridable)",
    "scaffold/": "the Backstage skeleton, filled by Backstage (`values`: its step values)",
}
STATIC = "a static file, copied verbatim (no Jinja context)"
_NO_EXAMPLE = object()


def context_of(name: str) -> Context | None:
    """Template `name`'s context: a built-in's, or that of an added file's folder."""
    folder = name.rpartition("/")[0] + "/"
    return contexts().get(name) or (ADDED.get(folder) if name.endswith(".j2") else None)


def note(name: str) -> str:
    """Why template `name` has no catalog context, or "" when it has one."""
    for prefix, why in NOT_CATALOG.items():
        if name.startswith(prefix):
            return why
    return "" if context_of(name) else STATIC


def describe(name: str, example: dict[str, Any] | None) -> str:
    """Template `name`'s context, one field a line: `path: type = example`."""
    why = note(name)
    if why:
        return f"{name}: {why}\n"
    context = context_of(name)
    assert context is not None  # `note` said so
    lines = [f"{name}: rendered {context.scope}"]
    if example is None:
        lines.append("(this catalog renders no such file: no example values)")
    for var, tp in (*context.views, *SHARED):
        value = example.get(var, _NO_EXAMPLE) if example is not None else _NO_EXAMPLE
        for path, ftype, found in fields(var, tp, value):
            shown = "" if found is _NO_EXAMPLE else _example(found)
            lines.append(f"{path}: {type_name(ftype)}{shown}")
    return "\n".join(lines) + "\n"


def fields(path: str, tp: Any, value: Any, depth: int = 0) -> Iterator[tuple[str, Any, Any]]:
    """(path, type, example value) of `path` and of everything under it."""
    yield path, tp, value
    inner = _structured(tp)
    if inner is None or depth > 6:
        return
    kind, cls = inner
    if kind == "item":
        items = list(value) if isinstance(value, tuple | list) else []
        path, value = f"{path}[]", (items[0] if items else _NO_EXAMPLE)
    elif kind == "entry":
        entries = list(value.values()) if isinstance(value, dict) else []
        path, value = f"{path}[NAME]", (entries[0] if entries else _NO_EXAMPLE)
    if kind != "self":
        yield path, cls, value
    for name, ftype in _members(cls):
        below = getattr(value, name, _NO_EXAMPLE) if value is not None else _NO_EXAMPLE
        yield from fields(f"{path}.{name}", ftype, below, depth + 1)


def _structured(tp: Any) -> tuple[str, type] | None:
    """A view, dataclass or model under `tp` (itself, a sequence's items, a mapping's values)."""
    tp = _bare(tp)
    if _is_structured(tp):
        return "self", tp
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (tuple, list) and args and _is_structured(_bare(args[0])):
        return "item", _bare(args[0])
    if origin is dict and len(args) == 2 and _is_structured(_bare(args[1])):
        return "entry", _bare(args[1])
    return None


def _bare(tp: Any) -> Any:
    """Without `Annotated` and without `| None`."""
    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _bare(args[0])
    return tp


def _is_structured(tp: Any) -> bool:
    return isinstance(tp, type) and (
        issubclass(tp, BaseModel) or dataclasses.is_dataclass(tp) or hasattr(tp, "_fields")
    )


def _members(cls: type) -> list[tuple[str, Any]]:
    if issubclass(cls, BaseModel):
        return [(n, f.annotation) for n, f in cls.model_fields.items()]
    hints = typing.get_type_hints(cls)
    names = (
        [f.name for f in dataclasses.fields(cls)]
        if dataclasses.is_dataclass(cls)
        else list(getattr(cls, "_fields", ()))
    )
    return [(n, hints[n]) for n in names]


def type_name(tp: Any) -> str:
    """A type as a template author reads it: `str`, `tuple[DataView, ...]`, `int | none`."""
    if tp is type(None) or tp is None:
        return "none"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(json.dumps(a) for a in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"tuple[{type_name(args[0])}, ...]"
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(a) for a in args)}]"
    return getattr(tp, "__name__", str(tp)).replace("NoneType", "none")


def _example(value: Any) -> str:
    """` = "value"` (JSON, cut at 72 characters); nothing for a structure listed field by field."""
    if value is _NO_EXAMPLE or _is_structured(type(value)):
        return ""
    try:
        text = json.dumps(value, ensure_ascii=False, default=_plain)
    except (TypeError, ValueError):
        text = repr(value)
    return " = " + (text if len(text) <= 72 else text[:69] + "...")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


# The reference page's opening: how to read it (the tables below come from the views)
REFERENCE_INTRO = (
    "# Template reference",
    "",
    "<!-- Generated by `python -m generator.commands.template_context`; a test fails when",
    "     it is stale. Do not edit by hand. -->",
    "",
    "Every catalog template sees its family's view (below, per template) and four more",
    "names: `platform` (the whole `platform.yaml`), `service` (the whole service file,",
    "read-only; none in a template rendered once for the catalog or per env), `env` (the",
    "environment of `platform.environments`; none unless the template renders per env) and",
    "`extra` (the service's own fields, with the env's `extra` merged over them: maps merge",
    "key by key, anything else replaces; empty without a service).",
    "`gitops-gen templates show NAME` prints the same with example values from a catalog.",
    "The team's own files (`kustomize/service/`, `kustomize/env/`, `helm/`) see the view",
    "of the folder they land in (`base`, `overlay`); see [Writing templates](authoring.md).",
    "",
    "Every value printed with `{{ }}` is quoted for the output format automatically:",
    "write it bare (`key: {{ es.store_name }}`); see [Writing templates](authoring.md).",
    "",
    "The team's own fields live under `extra:` on a service, on",
    "`environments.<env>` of a service and in `platform.yaml`.",
    "`<templatesPath>/extra.schema.json`, when it exists, holds",
    '`{"service": <JSON Schema>, "platform": <JSON Schema>}` (either optional): each',
    "service's `extra` (as written and as each env sees it) and `platform.yaml`'s are",
    "validated against them, every failure located in the catalog file.",
    "",
    "## Templates",
    "",
    "| template | rendered | family view |",
    "| --- | --- | --- |",
)


def reference_text() -> str:
    """docs/templates.md: every catalog template's context, from the views and the models."""
    out = list(REFERENCE_INTRO)
    every = contexts()
    for name, context in sorted(every.items()):
        views = ", ".join(f"`{v}` ({type_name(t)})" for v, t in context.views) or "(none)"
        out.append(f"| `{name}` | {context.scope} | {views} |")
    seen: set[str] = set()
    for _, context in sorted(every.items()):
        for var, tp in context.views:
            key = f"{var}:{type_name(tp)}"
            if key in seen:
                continue
            seen.add(key)
            users = sorted(n for n, c in every.items() if (var, tp) in c.views)
            out += ["", f"## `{var}` ({type_name(tp)})", "", "Seen by " + _names(users) + ".", ""]
            out += _field_table(var, tp)
    for var, tp in SHARED:
        out += ["", f"## `{var}` ({type_name(tp)})", "", "Seen by every catalog template.", ""]
        out += _field_table(var, tp)
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _field_table(var: str, tp: Any) -> list[str]:
    rows = ["| field | type |", "| --- | --- |"]
    rows += [
        f"| `{path}` | {_cell(type_name(ftype))} |"
        for path, ftype, _ in fields(var, tp, _NO_EXAMPLE)
    ]
    return rows


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(reference_text(), encoding="utf-8")

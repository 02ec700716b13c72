"""The Jinja engine every text family renders through: built-in templates, shadowed by name.

Templates are named by their path under `templates/` (`kustomize/overlay.yaml.j2`); a GitOps
repo's templates folder (`platform.yaml: templatesPath`, beside `catalog/`) shadows any of
them, static files included (Helm's Go templates, Terraform modules). One jinja2 Environment
per output format (see `formats.py`), built once per run and cached: Jinja's immutable
sandbox, `StrictUndefined` and one automatic quoting path through `finalize`. An override is
read only as a regular file inside its folder, size-bounded (`files.py`). A template error is
located at its `file:line`; an override's output is parsed before anything is written
(`checks.py`).

Recipe: converting the next family onto templates (output must stay byte-identical)
1. Context: an immutable typed view per template (a `NamedTuple`, cheap to build a thousand
   times; a frozen dataclass works too), built in the family module from `Facts`, holding
   only what the template prints: str/int/bool, tuples of them, or nested views. Never hand
   a template the pydantic catalog: the view is the contract a team's override relies on
   (`docs/templates.md` is generated from it).
2. Template: `templates/<family>/<name>.<ext>.j2`. Write each value bare (`{{ view.name }}`):
   finalize quotes it as the extension says. Structure the template does not spell out
   (labels, env lists, resources) goes through `{{ {"labels": labels} | yaml(4) }}`, never
   by hand-joining strings. An empty list needs its own branch (`key: []`), as yamlout writes.
3. Python keeps: output paths (never templated file names), the generated-file header
   (`header(src) + text`), sorting, and the inventory the consistency check reads.
4. `templates_for(facts.catalog)` once per family render, `templates.render(name, view=view)`
   per file, `templates.static(name)`. 5. Prove it: the repo's `check` and the snapshots pass."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.templating.added import added as added_files
from generator.templating.added import check_names
from generator.templating.builtin import builtin_names, is_copy, templates_dir
from generator.templating.checks import Parsed, check_output, parse_yaml
from generator.templating.context import catalog_context
from generator.templating.files import TemplateLoader, check_folder, override_files, read_override
from generator.templating.formats import QUOTING, Format, format_of
from generator.templating.located import internal_or_user, syntax_problem

if TYPE_CHECKING:
    import jinja2

    from generator.catalog.load import Catalog

GO_TEMPLATES = ("helm/", "scaffold/")  # static files that are templates of another tool
WORKFLOWS = "workflows/"  # GitHub workflows: `run:` steps take catalog values through env


class Templates:
    """Built-in templates under `builtin`, shadowed by the files under `overrides`."""

    def __init__(self, builtin: Path, overrides: Path | None, shown: str = "") -> None:
        self.builtin = builtin
        self.overrides = overrides
        self.shown = shown or (overrides.as_posix() + "/" if overrides else "")
        self.override_names = (
            frozenset(override_files(overrides, self.shown)) if overrides else frozenset()
        )
        self._envs: dict[str, jinja2.Environment] = {}
        self._compiled: dict[str, jinja2.Template] = {}
        self._checked: dict[str, bool] = {}
        self._sources: dict[str, str] = {}
        self._made: dict[str, str] = {}  # an override's output -> its file (`made_by`)
        self._globals: dict[str, Any] = {}  # what every template sees (`bound`)
        self._recorders: list[dict[str, dict[str, Any]]] = []  # shared by the bound copies
        self._last_bound: tuple[object, Templates] | None = None  # `templates_for`'s
        # the recent override outputs parsed, and their documents (shared by the bound copies)
        self._parsed = Parsed()

    def names(self) -> list[str]:
        """Every built-in template and static file, sorted (not what makes the folder a package)."""
        return builtin_names()

    def added(self, prefix: str) -> tuple[str, ...]:
        """The team's own files under `prefix` (`added.py`: the conventions), sorted."""
        return added_files(self.override_names, prefix)

    def path(self, name: str) -> Path:
        """The file used for `name`: the override when there is one."""
        if name in self.override_names:
            assert self.overrides is not None
            return self.overrides / name
        return self.builtin / name

    def shown_path(self, name: str) -> str:
        return f"{self.shown}{name}" if name in self.override_names else f"(built-in) {name}"

    def static(self, name: str) -> str:
        """A static file (copied verbatim), from the override folder when it has one. An
        override is parsed as its extension says, once; Helm's Go templates are not YAML
        until Helm runs them (`helm lint` judges those)."""
        text = self.source(name)
        if name in self.override_names and name not in self._checked:
            self._checked[name] = True
            if not name.startswith(GO_TEMPLATES) and _known_format(name):
                check_output(text, name, self.shown_path(name), text)
        return text

    def source(self, name: str) -> str:
        text = self._sources.get(name)
        if text is None:
            if name in self.override_names:
                assert self.overrides is not None
                text = read_override(self.overrides, name, self.shown)
            else:
                text = (self.builtin / name).read_text(encoding="utf-8")
            self._sources[name] = text
        return text

    def render(self, name: str, /, **context: Any) -> str:
        """`name` filled with `context`; errors located at the template's `file:line`."""
        template = self._compiled.get(name) or self._compile(name)
        if self._globals:
            context = {**self._globals, **context}
        if self._recorders and name not in self._recorders[-1]:
            self._recorders[-1][name] = context
        try:
            text = template.render(context)
        except Exception as exc:
            raise internal_or_user(exc, self._origins(), self.builtin) from exc
        if self._checked.get(name) or (name not in self._checked and self._depends(name)):
            docs = check_output(text, name, self.shown_path(name), self.source(name))
            self._parsed.keep(text, docs or [])
            if name in self.override_names:
                self._made[text] = self.shown_path(name)
            if name.startswith(WORKFLOWS):
                self._check_run_steps(name, template, context, text)
        return text

    def made_by(self, text: str) -> str | None:
        """The override file that rendered `text` in this process, if one did: what a
        reference error found in that output names."""
        return self._made.get(text) if self._made else None

    def documents(self, text: str) -> list[Any]:
        """The YAML documents of `text`, an output `render` returned lately: the parse that
        checked it when it came from an override (one parse per output), else parsed now."""
        found = self._parsed.get(text)
        return found if found is not None else [doc for _, doc in parse_yaml(text)]

    def _check_run_steps(
        self, name: str, template: jinja2.Template, context: dict[str, Any], text: str
    ) -> None:
        """A workflow from an override: no catalog value or unsafe `${{ }}` inline in a
        `run:` step (`runsteps.py`), seen in a second render with the catalog values marked."""
        from generator.templating.runsteps import check_run_steps
        from generator.templating.taint import taint

        try:
            tainted: str | None = template.render({k: taint(v) for k, v in context.items()})
        except Exception:  # a template whose logic needs the exact values: expressions only
            tainted = None
        check_run_steps(text, tainted, self.shown_path(name), self.source(name))

    def bound(self, **values: Any) -> Templates:
        """This engine (its caches shared) with `values` in every template's context."""
        other = copy.copy(self)
        other._globals = {**self._globals, **values}
        return other

    def recording(self) -> dict[str, dict[str, Any]]:
        """From now on, keep the first context each template renders with (`templates show`)."""
        self._recorders.append({})
        return self._recorders[-1]

    def stop_recording(self) -> None:
        self._recorders.pop()

    def from_override(self, name: str) -> bool:
        """Does `name`'s output come from, or pull in, an override? A dict look-up once
        rendered: families then read what the override produced instead of trusting names."""
        checked = self._checked.get(name)
        return checked if checked is not None else self._depends(name)

    def _compile(self, name: str) -> jinja2.Template:
        import jinja2

        env = self._env(format_of(name))
        try:
            template = env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise syntax_problem(exc, self._origins(), self.builtin) from exc
        self._compiled[name] = template
        return template

    def _env(self, fmt: Format) -> jinja2.Environment:
        env = self._envs.get(fmt.name)
        if env is None:
            loader = TemplateLoader(self.builtin, self.overrides, self.override_names, self.shown)
            env = self._envs[fmt.name] = _environment(fmt, loader)
        return env

    def _origins(self) -> dict[str, str]:
        """Absolute file -> what a message shows, for every override."""
        if self.overrides is None:
            return {}
        return {str(self.overrides / n): f"{self.shown}{n}" for n in self.override_names}

    def _depends(self, name: str) -> bool:
        """Does `name` come from, or pull in, an override? Only then is its output parsed."""
        uses = bool(self.override_names) and self._uses_override(name, format_of(name), set())
        self._checked[name] = uses
        return uses

    def _uses_override(self, name: str, fmt: Format, seen: set[str]) -> bool:
        """Partials are parsed in the including template's format, as Jinja loads them."""
        from jinja2 import meta

        if name in self.override_names:
            return True
        seen.add(name)
        source = self.source(name)
        if not _REFERS.search(source):  # most templates pull in none: no parse to walk
            return False
        ast = self._env(fmt).parse(source)
        for ref in meta.find_referenced_templates(ast):
            if ref is None:  # a computed name: cannot tell, so check
                return True
            if ref not in seen and self._uses_override(ref, fmt, seen):
                return True
        return False


# A tag that may pull in another template (the block delimiters are `{%` in every format)
_REFERS = re.compile(r"\{%[-+]?\s*(?:include|import|extends|from)\b")


def _known_format(name: str) -> bool:
    try:
        format_of(name)
    except ValueError:
        return False
    return True


def _environment(fmt: Format, loader: jinja2.BaseLoader) -> jinja2.Environment:
    """Jinja's immutable sandbox: a template reaches no Python internals (`__globals__`,
    `__subclasses__`...) and changes no value it is given; an unsafe access is an error,
    located like any other."""
    import jinja2

    from generator.templating.quoting import QuoteOnce
    from generator.templating.sandbox import Sandbox

    options: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True, **fmt.syntax}
    if fmt in QUOTING:
        options["extensions"] = [QuoteOnce]
    env = Sandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # not HTML: finalize quotes for the output format
        auto_reload=False,  # compiled once per run
        finalize=fmt.finalize,
        **options,
    )
    env.filters.update(fmt.filters)
    return env


def templates_for(catalog: Catalog) -> Templates:
    """The catalog's templates: built once per run (per override folder and its files). A
    loaded catalog is a snapshot: its folder is listed once, not at every service of the
    families that ask per service (an edited override is seen by the next load)."""
    if _last_catalog and _last_catalog[0][0] is catalog:
        return _last_catalog[0][1]
    base = _for_folder(catalog.templates)
    last = base._last_bound  # a family asks once per service: one bound copy per catalog
    if last is None or last[0] is not catalog.platform:
        last = base._last_bound = (
            catalog.platform,
            base.bound(**catalog_context(catalog.platform)),
        )
    _last_catalog[:] = [(catalog, last[1])]
    return last[1]


_last_catalog: list[tuple[Catalog, Templates]] = []  # the catalog answered last, its templates


def _for_folder(folder: Path | None) -> Templates:
    if folder is not None:
        check_folder(folder, folder.as_posix() + "/")
    if folder is None or not folder.is_dir() or _builtins(folder):
        return _cached(None, ())
    found = override_files(folder, folder.as_posix() + "/")
    stamp = tuple((name, info.st_mtime_ns, info.st_size) for name, info in found.items())
    return _cached(folder, stamp)


def builtin_templates() -> Templates:
    """The built-in templates alone (no catalog at hand: `new-service`'s skeleton)."""
    return _cached(None, ())


@cache
def _cached(folder: Path | None, _stamp: tuple[tuple[str, int, int], ...]) -> Templates:
    """`_stamp` (override files, mtimes, sizes) is only a key: an edited override rebuilds.
    Each file there must be an override or follow an added file's convention (`added.py`)."""
    if folder is not None:
        check_names((name for name, _, _ in _stamp), builtin_names(), folder.as_posix() + "/")
    return Templates(templates_dir(), folder)


def _builtins(folder: Path) -> bool:
    """The tool's own source checkout, or a copy of its package: the built-ins, not overrides."""
    try:
        return folder.samefile(templates_dir()) or is_copy(folder)
    except OSError:
        return False

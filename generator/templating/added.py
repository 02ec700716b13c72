"""The team's own files: what a file in the templates folder that overrides no built-in means.

A file with a built-in's name replaces that built-in. Any other file must follow one of these
conventions (the README's "Your own files"), or the run stops naming it, with the built-in
names it is closest to (a misspelt override would otherwise be silently ignored):

- `helm/NAME.yaml` (or `.yml`, `.tpl`): a Helm template copied verbatim into the
  chart's `templates/` (rendered once; Helm loops over the services, as the built-ins do);
- `kustomize/service/NAME.yaml.j2`: rendered once per service into its Kustomize base as
  `NAME.yaml` and listed in the base's `resources` (with `_ENV_` where the env goes);
- `kustomize/env/NAME.yaml.j2`: rendered per service and env into that env's overlay as
  `NAME.yaml` and listed in the overlay's `resources`;
- a partial, `_NAME.j2` in any folder: read only where another template includes it;
- `extra.schema.json` at the top: the JSON Schema of the catalog's `extra:` fields.

Each added file lands in a folder an Argo CD app already syncs (the chart, the overlay), so
it is deployed, checked (drift and strays) and diffed like the built-in output around it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from generator.errors import Problem, UserError
from generator.templating.located import FIELD

CHART = "helm/"
PER_SERVICE = "kustomize/service/"
PER_ENV = "kustomize/env/"
EXTRA_SCHEMA = "extra.schema.json"
CHART_SUFFIXES = (".yaml", ".yml", ".tpl")
KUSTOMIZE_SUFFIX = ".yaml.j2"
RENDERED = frozenset({"chart", "service", "env"})  # the kinds that write an output file
RESERVED = frozenset({"kustomization.yaml.j2"})  # the folder's own kustomization is generated

CONVENTIONS = (
    f"added files are {CHART}NAME.yaml (a chart template), {PER_SERVICE}NAME{KUSTOMIZE_SUFFIX} "
    f"(per service, into its base), {PER_ENV}NAME{KUSTOMIZE_SUFFIX} (per service and env, "
    "into its overlay) or a partial _NAME.j2"
)


def kind(name: str) -> str | None:
    """`chart`, `service`, `env`, `partial` or `schema` for a valid added file; else None."""
    folder, _, base = name.rpartition("/")
    if name == EXTRA_SCHEMA:
        return "schema"
    if name.startswith(CHART):
        return "chart" if base.endswith(CHART_SUFFIXES) and not base.startswith(".") else None
    if base.startswith("_") and base.endswith(".j2"):
        return "partial"
    if base in RESERVED or not base.endswith(KUSTOMIZE_SUFFIX) or len(base) == len(".yaml.j2"):
        return None
    return {PER_SERVICE: "service", PER_ENV: "env"}.get(f"{folder}/")


def check_names(names: Iterable[str], builtin: Iterable[str], shown: str) -> None:
    """Every file is an override or a valid added file: each other one is a located error
    naming the closest built-ins."""
    known = sorted(builtin)
    problems = [
        _unknown(name, known, shown) for name in sorted(set(names) - set(known)) if not kind(name)
    ]
    if problems:
        raise UserError(problems)


def _unknown(name: str, known: list[str], shown: str) -> Problem:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    message = f"is neither an override of a built-in template nor an added file ({CONVENTIONS})"
    return Problem(f"{shown}{name}", 1, 1, FIELD, message + hint)


def added(names: Iterable[str], prefix: str) -> tuple[str, ...]:
    """The added files under `prefix` (a partial is never rendered alone), sorted."""
    want = {CHART: "chart", PER_SERVICE: "service", PER_ENV: "env"}[prefix]
    return tuple(sorted(n for n in names if n.startswith(prefix) and kind(n) == want))


def output_name(name: str) -> str:
    """The file an added template writes: its base name without `.j2`."""
    return name.rpartition("/")[2].removesuffix(".j2")

"""Catalog values reach a workflow's `run:` steps only through `env:`.

GitHub expands every `${{ }}` in a `run:` script before the shell reads it, so a value placed
there is code: `gitRevision: main$(touch x)` would run, and `${{ secrets.X }}` inside a
catalog value would be expanded too. What an override's workflow may hold in a `run:` step
(and in `actions/github-script`'s `script`), after zizmor's template-injection audit:

- no catalog value inline: it goes in the step's `env:` and the script reads `"$NAME"` (the
  second, marked render of `taint.py` shows where each catalog value landed). Scripts the
  tool built itself (their words shell-quoted, their values validated names) are not values;
- no `${{ }}` expression but a literal or one of zizmor's safe contexts (`SAFE`: numbers and
  names GitHub itself sets). Stricter than zizmor: `secrets.*` and `github.token` go through
  `env:` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.errors import Problem, UserError
from generator.templating.checks import template_line
from generator.templating.located import FIELD
from generator.templating.taint import marked, unmarked

SAFE = frozenset(
    {
        "github.action_path",
        "github.event_name",
        "github.event.after",
        "github.event.before",
        "github.event.issue.number",
        "github.event.merge_group.base_sha",
        "github.event.number",
        "github.event.pull_request.commits",
        "github.event.pull_request.number",
        "github.event.workflow_run.id",
        "github.repository",
        "github.repository_id",
        "github.repositoryUrl",
        "github.repository_owner",
        "github.repository_owner_id",
        "github.run_attempt",
        "github.run_id",
        "github.run_number",
        "github.server_url",
        "github.sha",
        "github.workspace",
        "runner.arch",
        "runner.debug",
        "runner.os",
        "runner.temp",
        "runner.tool_cache",
    }
)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_LITERAL = re.compile(r"(?:'[^']*'|-?[0-9.]+|true|false|null)\Z")
ENV_HINT = 'put it in the step\'s env: and read "$NAME" in the script'


def check_run_steps(text: str, tainted: str | None, shown: str, source: str) -> None:
    """Raise a located UserError for the first `run:` script that holds an unsafe
    expression (in `text`) or a catalog value (marked in `tainted`)."""
    for where, line, script in _scripts(text):
        for found in _EXPRESSION.findall(script):
            expression = found.strip()
            if expression not in SAFE and not _LITERAL.match(expression):
                message = f"{where} expands ${{{{ {expression} }}}} inline: {ENV_HINT}"
                raise _located(shown, template_line(source, text, line), message, line)
    for where, line, script in _scripts(tainted) if tainted else ():
        if marked(script):
            message = f"{where} holds a catalog value inline: {ENV_HINT}"
            clean = unmarked(tainted or "")
            raise _located(shown, template_line(source, clean, line), message, line)


def _located(shown: str, line: int, message: str, out_line: int) -> UserError:
    return UserError([Problem(shown, line, 1, FIELD, f"{message} (output line {out_line})")])


def _scripts(text: str) -> Iterator[tuple[str, int, str]]:
    """(where, output line, script) of every `run:` and github-script `script:`."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for document in yaml.compose_all(text, Loader=loader):
        for job_id, job in _items(_get(document, "jobs")):
            steps = _get(job, "steps")
            for n, step in enumerate(steps.value if isinstance(steps, yaml.SequenceNode) else []):
                yield from _step_scripts(f"jobs.{job_id}.steps[{n}]", step)


def _step_scripts(where: str, step: Any) -> Iterator[tuple[str, int, str]]:
    run = _get(step, "run")
    if run is not None and isinstance(run.value, str):
        yield f"{where}.run", run.start_mark.line + 1, run.value
    uses = _get(step, "uses")
    if uses is not None and str(uses.value).startswith("actions/github-script"):
        script = _get(_get(step, "with"), "script")
        if script is not None and isinstance(script.value, str):
            yield f"{where}.with.script", script.start_mark.line + 1, script.value


def _get(node: Any, key: str) -> Any:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _items(node: Any) -> Iterator[tuple[str, Any]]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        yield from ((str(k.value), v) for k, v in node.value)

"""Parse what an override produced, before anything is written.

A team's override is untrusted text: its output must parse as the format its name claims, and
a Kubernetes document needs apiVersion, kind and metadata.name. Built-in templates are proven
by the test suite instead of being parsed on every run. A failure is located at the override
`file:line`: the template line that wrote the offending output line when one matches.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import OrderedDict
from typing import Any

from generator.errors import Problem, UserError
from generator.templating.formats import HCL, JSON, MARKDOWN, NUNJUCKS, SHELL, YAML, format_of
from generator.templating.located import FIELD

NOT_KUBERNETES = {"Kustomization", "Component"}  # kustomize's own files carry no metadata


class _OutputError(Exception):
    def __init__(self, message: str, out_line: int | None) -> None:
        super().__init__(message)
        self.out_line = out_line  # 1-based line of the output, when known


def check_output(text: str, name: str, shown: str, source: str) -> list[Any] | None:
    """Raise a located UserError when `text`, rendered from `name`, is not what it claims.
    A YAML output's documents are returned: the one parse its readers use too."""
    fmt = format_of(name)
    try:
        if fmt in (YAML, NUNJUCKS):
            return _yaml(text)
        if fmt is JSON:
            _json(text)
        elif fmt is HCL:
            _hcl(text)
        elif fmt is SHELL:
            _shell(text)
        elif fmt is not MARKDOWN:  # free text: nothing to parse
            raise AssertionError(fmt.name)
    except _OutputError as bad:
        line = template_line(source, text, bad.out_line)
        where = f" (output line {bad.out_line})" if bad.out_line else ""
        raise UserError([Problem(shown, line, 1, FIELD, f"{bad}{where}")]) from None
    return None


class Parsed(OrderedDict[str, list[Any]]):
    """The documents of the last RECENT override outputs, by their text: a family reads a
    service's outputs right after rendering them (its Secrets, the overlays built from them),
    never a whole run's, so the parse that checked an output is the one its readers use."""

    RECENT = 64  # a service renders a handful of outputs

    def keep(self, text: str, documents: list[Any]) -> None:
        self[text] = documents
        if len(self) > self.RECENT:  # the oldest: O(1) here, where a dict's first key is
            self.popitem(last=False)  # found past every slot deleted before it


def parse_yaml(text: str, *, unique_keys: bool = False) -> list[tuple[int, Any]]:
    """(first line, document) of each document: one pass, composed and constructed (what
    `yaml.load_all` does, with each document's line kept). `unique_keys`: a key twice in one
    mapping is an error, as kustomize (Argo CD's build) says; PyYAML keeps the last."""
    from generator.text.yamlin import Loader

    loader = Loader(text)
    try:
        found = []
        while loader.check_node():
            node = loader.get_node()
            assert node is not None  # check_node said one follows
            if unique_keys:
                _unique_keys(node)
            found.append((node.start_mark.line + 1, loader.construct_document(node)))
        return found
    finally:
        loader.dispose()


def _unique_keys(root: Any) -> None:
    """Refuse a composed document with a key twice in one mapping, at the second one."""
    import yaml

    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if id(node) in seen:  # an alias: its node is walked once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        msg = (
                            f"mapping key {key.value!r} already defined at line {first[key.value]}"
                        )
                        raise _OutputError(f"output is not valid YAML: {msg}", line)
                    first[key.value] = line
                todo += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value


def _yaml(text: str) -> list[Any]:
    import yaml

    try:
        found = parse_yaml(text, unique_keys=True)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark else None
        raise _OutputError(f"output is not valid YAML: {problem}", line) from exc
    for line, doc in found:
        _kubernetes(doc, line)
    return [doc for _, doc in found]


def _kubernetes(doc: Any, line: int) -> None:
    """A mapping with apiVersion or kind is a Kubernetes object: it needs all three names."""
    if not isinstance(doc, dict) or not ({"apiVersion", "kind"} & doc.keys()):
        return
    if doc.get("kind") in NOT_KUBERNETES:
        return
    for key in ("apiVersion", "kind"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise _OutputError(f"a Kubernetes document needs a {key}", line)
    metadata = doc.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise _OutputError(f"the {doc['kind']} document needs metadata.name", line)


def _json(text: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise _OutputError(f"output is not valid JSON: {exc.msg}", exc.lineno) from exc


def _hcl(text: str) -> None:
    """python-hcl2 (a runtime dependency) is imported only when an HCL override exists."""
    import hcl2

    try:
        hcl2.loads(text)
    except Exception as exc:  # lark raises several unrelated types
        line = getattr(exc, "line", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _OutputError(
            f"output is not valid HCL: {first}", line if isinstance(line, int) else None
        ) from exc


_SH_LINE = re.compile(r":\s*(?:line\s*)?(\d+):\s*(.*)")


def _shell(text: str) -> None:
    """`sh -n`: the script parses as POSIX shell (skipped where no `sh` exists)."""
    sh = shutil.which("sh")
    if sh is None:
        return
    done = subprocess.run([sh, "-n"], input=text.encode(), capture_output=True, check=False)
    if done.returncode == 0:
        return
    first = done.stderr.decode(errors="replace").strip().splitlines()
    found = _SH_LINE.search(first[0]) if first else None
    message = found.group(2) if found else (first[0] if first else "sh -n failed")
    raise _OutputError(f"output is not valid shell (sh -n): {message}", _int(found))


def _int(found: re.Match[str] | None) -> int | None:
    return int(found.group(1)) if found else None


def template_line(source: str, text: str, out_line: int | None) -> int:
    """The template line that wrote output line `out_line`: an exact match of its text, else
    the line whose literal start (before its first `{{`) begins it; else line 1."""
    lines = text.split("\n")
    if out_line is None or not 0 < out_line <= len(lines):
        return 1
    index = out_line - 1
    while index > 0 and not lines[index].strip():  # a parser may point past the last line
        index -= 1
    wanted = lines[index].strip()
    template = source.split("\n")
    for number, line in enumerate(template, 1):
        if line.strip() == wanted and wanted:
            return number
    for number, line in enumerate(template, 1):
        literal = line.split("{{", 1)[0].strip()
        if len(literal) > 1 and wanted.startswith(literal):
            return number
    return 1

"""The part of Go's text/template, with sprig's functions, that the rendered ExternalSecret
templates use, run the way ESO's engine v2 runs a template (`runtime/template/v2`: one
text/template per key, over the fetched data as a map[string]string).

Known: text; actions with trim markers (`{{- ` and ` -}}`); `$name := pipeline`; `if` /
`else` / `end`; pipelines (`|`) of commands whose operands are string literals, `.`, `$name`
and parenthesised pipelines; the functions in FUNCTIONS (`index`, `toString`, `trim`, `eq`,
`fail`), with Go's and sprig's semantics. Anything else raises EmulationError: an emulation
that met a function or construct it does not know must fail the test, never pass it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MARKER_SPACE = " \t\r\n"  # what a trim marker removes (text/template's isSpace)


class EmulationError(Exception):
    """The template uses something this emulation does not implement."""


class TemplateError(Exception):
    """What text/template reports: a failed parse or execution (ESO then writes no Secret)."""


def go_trim_space(text: str) -> str:
    """strings.TrimSpace: unicode.IsSpace (Latin-1's list, then Unicode's White_Space)."""

    def space(c: str) -> bool:
        if ord(c) <= 0xFF:
            return c in "\t\n\v\f\r \x85\xa0"
        return unicodedata.category(c) in ("Zs", "Zl", "Zp")

    start, end = 0, len(text)
    while start < end and space(text[start]):
        start += 1
    while end > start and space(text[end - 1]):
        end -= 1
    return text[start:end]


def _index(item: Any, *keys: Any) -> Any:
    for key in keys:
        if not isinstance(item, dict) or not isinstance(key, str):
            raise EmulationError(f"index of {type(item).__name__} by {type(key).__name__}")
        item = item.get(key, "")  # a map[string]string's missing key: the zero value
    return item


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    raise EmulationError(f"toString of {type(value).__name__}")


def _trim(value: Any) -> str:
    if not isinstance(value, str):
        raise EmulationError(f"trim of {type(value).__name__}")
    return go_trim_space(value)


def _eq(first: Any, *others: Any) -> bool:
    for other in others:
        if type(other) is not type(first) or not isinstance(first, str | bool):
            raise EmulationError(f"eq of {type(first).__name__} and {type(other).__name__}")
    return any(first == other for other in others)


def _fail(message: Any) -> str:
    raise TemplateError(f"error calling fail: {message}")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "index": _index,
    "toString": _to_string,
    "trim": _trim,
    "eq": _eq,
    "fail": _fail,
}

ACTION = re.compile(r'\{\{((?:"(?:[^"\\\n]|\\.)*"|`[^`]*`|[^"`}]|\}(?!\}))*)\}\}', re.S)
TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\\n]|\\.)*")|(?P<raw>`[^`]*`)|(?P<var>\$\w*)|(?P<decl>:=)'
    r"|(?P<punct>[|()])|(?P<dot>\.(?![\w.]))|(?P<ident>[A-Za-z_]\w*)|(?P<other>\S+))"
)


@dataclass
class Node:
    kind: str  # text | print | declare | if
    text: str = ""  # text; the variable of a declaration
    pipeline: list[Any] = field(default_factory=list)
    then: list[Node] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)


def _tokens(body: str) -> list[tuple[str, str]]:
    out = []
    for match in TOKEN.finditer(body):
        kind = match.lastgroup
        if kind is None:
            continue
        if kind == "other":
            raise EmulationError(f"{match.group(kind)!r} in an action")
        out.append((kind, match.group(kind)))
    return out


def _pipeline(tokens: list[tuple[str, str]], pos: int) -> tuple[list[Any], int]:
    """Commands (each a list of operands) up to the end or a closing parenthesis."""
    commands: list[list[Any]] = [[]]
    while pos < len(tokens) and tokens[pos] != ("punct", ")"):
        kind, text = tokens[pos]
        if (kind, text) == ("punct", "|"):
            commands.append([])
        elif (kind, text) == ("punct", "("):
            inner, pos = _pipeline(tokens, pos + 1)
            if pos >= len(tokens):
                raise TemplateError("unclosed left paren")
            commands[-1].append(("pipe", inner))
        elif kind == "str":
            commands[-1].append(("lit", json.loads(text)))
        elif kind == "raw":
            commands[-1].append(("lit", text[1:-1]))
        elif kind in ("var", "dot", "ident"):
            commands[-1].append((kind, text))
        else:
            raise EmulationError(f"{text!r} in a pipeline")
        pos += 1
    if any(not command for command in commands):
        raise TemplateError("missing command in a pipeline")
    return commands, pos


def _action(body: str) -> Node:
    tokens = _tokens(body)
    if not tokens:
        raise TemplateError("missing value for command")
    head = tokens[0]
    if head == ("ident", "if"):
        return Node("if", pipeline=_whole_pipeline(tokens[1:]))
    if head in (("ident", "else"), ("ident", "end")) and len(tokens) == 1:
        return Node(head[1])
    if head[1] in ("range", "with", "define", "template", "block", "break", "continue", "else"):
        raise EmulationError(f"{{{{{head[1]}}}}} actions")
    if len(tokens) > 1 and head[0] == "var" and tokens[1][0] == "decl":
        return Node("declare", text=head[1], pipeline=_whole_pipeline(tokens[2:]))
    return Node("print", pipeline=_whole_pipeline(tokens))


def _whole_pipeline(tokens: list[tuple[str, str]]) -> list[Any]:
    commands, pos = _pipeline(tokens, 0)
    if pos != len(tokens):
        raise TemplateError("unexpected right paren")
    return commands


def parse(text: str) -> list[Node]:
    """The template as nodes; `{{- ` and ` -}}` applied to the text around them."""
    flat: list[Node] = []
    pos, trim_next = 0, False
    for match in ACTION.finditer(text):
        body = match.group(1)
        left = body.startswith("-") and body[1:2] in tuple(MARKER_SPACE)
        right = body.endswith("-") and body[-2:-1] in tuple(MARKER_SPACE)
        before = text[pos : match.start()]
        if "{{" in before:
            raise TemplateError("unclosed action")
        before = before.lstrip(MARKER_SPACE) if trim_next else before
        flat.append(Node("text", before.rstrip(MARKER_SPACE) if left else before))
        inner = body[2 if left else 0 : len(body) - 2 if right else len(body)]
        if inner.strip().startswith("/*"):
            raise EmulationError("comments")
        flat.append(_action(inner))
        pos, trim_next = match.end(), right
    rest = text[pos:]
    if "{{" in rest:
        raise TemplateError("unclosed action")
    flat.append(Node("text", rest.lstrip(MARKER_SPACE) if trim_next else rest))
    tree, end = _nest(flat, 0)
    if end != len(flat):
        raise TemplateError(f"unexpected {{{{{flat[end].kind}}}}}")
    return tree


def _nest(flat: list[Node], pos: int) -> tuple[list[Node], int]:
    out: list[Node] = []
    while pos < len(flat) and flat[pos].kind not in ("else", "end"):
        node = flat[pos]
        if node.kind == "if":
            node.then, pos = _nest(flat, pos + 1)
            if pos < len(flat) and flat[pos].kind == "else":
                node.otherwise, pos = _nest(flat, pos + 1)
            if pos >= len(flat) or flat[pos].kind != "end":
                raise TemplateError("unexpected EOF: {{if}} without {{end}}")
        out.append(node)
        pos += 1
    return out, pos


def _truth(value: Any) -> bool:
    if isinstance(value, bool | str | dict):
        return bool(value)
    raise EmulationError(f"the truth of {type(value).__name__}")


class _Run:
    def __init__(self, data: dict[str, str]) -> None:
        self.data = data
        self.scopes: list[dict[str, Any]] = [{"$": data}]

    def nodes(self, nodes: list[Node]) -> str:
        out = []
        for node in nodes:
            if node.kind == "text":
                out.append(node.text)
            elif node.kind == "print":
                value = self.pipeline(node.pipeline)
                if isinstance(value, bool):
                    value = "true" if value else "false"
                if not isinstance(value, str):
                    raise EmulationError(f"printing a {type(value).__name__}")
                out.append(value)
            elif node.kind == "declare":
                self.scopes[-1][node.text] = self.pipeline(node.pipeline)
            else:  # if: its branch is a scope of its own
                branch = node.then if _truth(self.pipeline(node.pipeline)) else node.otherwise
                self.scopes.append({})
                out.append(self.nodes(branch))
                self.scopes.pop()
        return "".join(out)

    def pipeline(self, commands: list[list[Any]]) -> Any:
        piped: list[Any] = []
        for command in commands:
            kind, text = command[0]
            if kind == "ident":
                if text not in FUNCTIONS:
                    raise EmulationError(f"function {text!r} (known: {', '.join(FUNCTIONS)})")
                args = [self.operand(op) for op in command[1:]]
                piped = [FUNCTIONS[text](*args, *piped)]
            elif len(command) > 1 or piped:
                raise TemplateError(f"can't give argument to non-function {text}")
            else:
                piped = [self.operand(command[0])]
        return piped[0]

    def operand(self, op: tuple[str, Any]) -> Any:
        kind, value = op
        if kind == "lit":
            return value
        if kind == "dot":
            return self.data
        if kind == "pipe":
            return self.pipeline(value)
        if kind == "var":
            for scope in reversed(self.scopes):
                if value in scope:
                    return scope[value]
            raise TemplateError(f"undefined variable: {value}")
        raise EmulationError(f"{value!r} as an argument")  # a function name as an argument


def execute(name: str, text: str, data: dict[str, str]) -> str:
    """What `tpl.New(name).Parse(text).Execute(buf, data)` writes, or its error."""
    try:
        return _Run(data).nodes(parse(text))
    except TemplateError as exc:
        raise TemplateError(f'template: {name}: executing "{name}": {exc}') from None

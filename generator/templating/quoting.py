"""Every `{{ }}` is quoted once, by its format (`formats.py`): a template's own quotes around it
would quote it twice (`key: "{{ x }}"` wrote `key: ""1h""`, yet worked when the value needed no
quotes: the outcome depended on the data).

So, before a YAML, JSON, HCL or shell template compiles, its tokens are read (Jinja's own
lexer: `{% raw %}` text is not an expression) and an expression inside a quoted string of the
template's text (`"..."`, or `'...'` where a word starts) is settled once for all data:
- a string that is the expression alone (`key: "{{ x }}"`) works: its quotes are the
  filter's, and the value is written as a string (`{{ (x) | string }}`, so `"{{ port }}"`
  still writes `"8080"`, never the number);
- any other (`"v-{{ x }}"`) is a syntax error at that line, saying how to write it: build the
  whole string in one expression (`{{ "v-" ~ x }}`), quoted once by the filter.
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2 import TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

QUOTED = (
    "a value inside quotes would be quoted twice: every {{ }} is already quoted for this "
    'file\'s format; write the whole string as one expression ({{ "text-" ~ value }}) '
    "without quotes around it, or the value alone ({{ value }})"
)


class QuoteOnce(Extension):
    """The token filter described in the module docstring."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        tokens = list(stream)
        out: list[Token] = []
        line = ""  # the template's literal text on the current line, so far
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type != "variable_begin":
                if token.type == "data":
                    line = (line + token.value).rpartition("\n")[2]
                out.append(token)
                i += 1
                continue
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "variable_end")
            if in_quotes(line):
                after = tokens[end + 1] if end + 1 < len(tokens) else None
                if not _alone(line, out, after):
                    raise TemplateSyntaxError(QUOTED, token.lineno, stream.name, stream.filename)
                assert after is not None
                out[-1] = Token(out[-1].lineno, "data", out[-1].value[:-1])
                tokens[end + 1] = Token(after.lineno, "data", after.value[1:])
                out += _as_string(tokens[i : end + 1])
                line = line[:-1]
            else:
                out += tokens[i : end + 1]
            line += "0"  # what the value stands for on the line: never a quote
            i = end + 1
        return iter(out)


def in_quotes(line: str) -> bool:
    """Is the end of `line` inside a quoted string? A `"` opens one anywhere, a `'` where a
    word starts (an apostrophe in `it's` does not); a `#` comment outside one ends the scan."""
    quote = ""
    escaped = False
    for n, char in enumerate(line):
        before = line[n - 1] if n else " "
        if quote == '"':
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quote = ""
        elif quote == "'":
            if char == "'":
                quote = ""
        elif char == '"' or (char == "'" and before in _WORD_START):
            quote = char
        elif char == "#" and before in " \t":
            return False
    return bool(quote)


_WORD_START = " \t:[{,=(-"


def _alone(line: str, out: list[Token], after: Token | None) -> bool:
    """The quote opens right before the expression and closes right after it."""
    return (
        bool(out)
        and out[-1].type == "data"
        and line[-1:] in ("'", '"')
        and not in_quotes(line[:-1])
        and after is not None
        and after.type == "data"
        and after.value.startswith(line[-1])
    )


def _as_string(expression: list[Token]) -> list[Token]:
    """`{{ x }}` as `{{ (x) | string }}`."""
    begin, *inner, end = expression
    n = begin.lineno
    return [
        begin,
        Token(n, "lparen", "("),
        *inner,
        Token(n, "rparen", ")"),
        Token(n, "pipe", "|"),
        Token(n, "name", "string"),
        end,
    ]

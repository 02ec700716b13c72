"""A strict dotenv reader for `push-secrets`: located errors that never contain a value.

A malformed line may hold a value where the key should be (a value wrapped onto the next line,
`hunter2=API_KEY`, a JSON document split over lines): an error names the file and line, and
the key only when it is a valid key name, never any other text of the line.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.catalog.models import ENV_KEY
from generator.errors import Problem, UserError

_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[^=\s]+)\s*=(?P<value>.*)\Z")
_DOUBLE = re.compile(r'^"((?:[^"\\]|\\.)*)"\Z')
_KEY = re.compile(ENV_KEY)
NOT_A_KEY = (
    "expected KEY=value with KEY a name such as DB_PASSWORD ([A-Z][A-Z0-9_]*); "
    "the line is not shown: it may hold a value (one wrapped onto this line?)"
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def read_dotenv(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Values and each key's line. `KEY=value`, `#` comment lines, `export`, '' or "" quotes.

    No interpolation and no inline comments: `$` and ` #` are literal (a secret may hold them).
    """
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError.single(shown, "", f"cannot read the file ({type(exc).__name__})") from None
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            problems.append(Problem(shown, number, 1, "", "expected KEY=value (line not shown)"))
            continue
        key = match["key"]
        col = line.index(key) + 1
        if not _KEY.fullmatch(key):  # perhaps part of a value: not shown
            problems.append(Problem(shown, number, col, "", NOT_A_KEY))
            continue
        if key in values:
            problems.append(Problem(shown, number, col, key, "key appears twice"))
            continue
        value = _unquote(match["value"].strip())
        if value is None:
            problems.append(Problem(shown, number, col, key, "unterminated quote"))
            continue
        values[key] = value
        lines[key] = number
    if problems:
        raise UserError(problems)
    return values, lines


def _unquote(raw: str) -> str | None:
    if raw[:1] == "'":
        return raw[1:-1] if len(raw) >= 2 and raw.endswith("'") else None
    if raw[:1] == '"':
        match = _DOUBLE.match(raw)
        if match is None:
            return None
        return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], "\\" + m[1]), match[1])
    return raw  # no inline comments: a value may contain " #"

"""`push-secrets` never echoes a value: a malformed `.env` line is named by file:line, and by
its key only when that is a valid key name; blank values and a malformed endpoint are located
exits 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run

VALUE = "hunter2"  # the secret in every case: no part of a refused line may reach the output
NO_LINE = "expected KEY=value (line not shown)"
NOT_A_KEY = (
    "expected KEY=value with KEY a name such as DB_PASSWORD ([A-Z][A-Z0-9_]*); "
    "the line is not shown: it may hold a value (one wrapped onto this line?)"
)
MALFORMED = {
    "value-where-the-key-goes": (f"{VALUE}=API_KEY\n", [f"2:1: (file): {NOT_A_KEY}"]),
    "value-wrapped-onto-the-next-line": (
        f"DB_PASSWORD=first-half-of-the-{VALUE}\nsecond-half-{VALUE}=tail\n",
        [f"2:1: (file): {NOT_A_KEY}"],
    ),
    "value-wrapped-without-equals": (
        f"DB_PASSWORD=first\n{VALUE}-rest\n",
        [f"2:1: (file): {NO_LINE}"],
    ),
    "json-split-over-two-lines": (
        f'DB_PASSWORD={{"user": "app",\n"password": "{VALUE}"}}\n',
        [f"2:1: (file): {NO_LINE}"],
    ),
    "lowercase-key": (f"db_password={VALUE}\n", [f"2:1: (file): {NOT_A_KEY}"]),
}


def push(catalog: Path, *args: str) -> tuple[int, str]:
    base = ["push-secrets", "--catalog", str(catalog), "--env", "prod", "--service", "svc"]
    result = run([*base, "--dry-run", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(("text", "errors"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_line_is_located_and_never_echoed(
    make_catalog: Callable[..., Path], tmp_path: Path, text: str, errors: list[str]
) -> None:
    env_file = tmp_path / "values.env"
    # the refused line is line 2: after a good first line, or the first half of a value
    env_file.write_text(text if text.startswith("DB_PASSWORD=") else "DB_PASSWORD=ok\n" + text)
    code, out = push(make_catalog(), "--from-env-file", str(env_file))
    assert code == 2
    assert out.splitlines() == [f"{env_file}:{e}" for e in errors]
    assert VALUE not in out and "half" not in out and "password" not in out


def test_a_blank_value_is_refused_naming_the_key_only(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    env_file = tmp_path / "values.env"
    env_file.write_text('DB_PASSWORD=" \\t "\n')
    code, out = push(make_catalog(), "--from-env-file", str(env_file))
    assert (code, out) == (2, f"{env_file}:1:1: DB_PASSWORD: value is blank (only whitespace)\n")


def test_a_blank_value_in_the_environment_is_refused(
    make_catalog: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_PASSWORD", "   ")
    code, out = push(make_catalog(), "--from-env")
    assert (code, out) == (2, "environment: DB_PASSWORD: value is blank (only whitespace)\n")


def test_a_malformed_endpoint_url_is_a_located_exit_2(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    env_file = tmp_path / "values.env"
    env_file.write_text("DB_PASSWORD=ok\n")
    code, out = push(
        make_catalog(), "--from-env-file", str(env_file), "--endpoint-url", "http://a_b.invalid"
    )
    assert (code, out) == (
        2,
        "--endpoint-url: not a valid AWS endpoint URL "
        "(http(s)://HOST[:PORT], HOST a DNS name or an IP)\n",
    )

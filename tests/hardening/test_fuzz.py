"""Random bytes and mutated YAML never crash the loader: a located exit-2 message; aliases are bounded."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog.load import load_catalog
from generator.errors import CatalogError
from tests.conftest import REPO_CATALOG, run

FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SEED_FILE = (REPO_CATALOG / "services" / "payment-service.yaml").read_bytes()
PLATFORM = (REPO_CATALOG / "platform.yaml").read_bytes()
YAML_BITS = [
    b":",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"&a ",
    b"*a",
    b"!!python/object ",
    b"<<: *a",
    b"\t",
    b"\n",
    b"  ",
    b"'",
    b'"',
    b"#",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"? ",
    b"|",
    b">",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"key: value\nkey: again\n",
    b"&x [*x, *x, *x]",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED_FILE)
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            data[pos:pos] = draw(st.sampled_from(YAML_BITS))
        elif action == "delete":
            del data[pos : pos + draw(st.integers(1, 20))]
        else:
            data[pos : pos + 1] = draw(st.binary(min_size=1, max_size=3))
    return bytes(data)


def load(tmp: Path, content: bytes) -> tuple[bool, list[str]]:
    (tmp / "services").mkdir(parents=True, exist_ok=True)
    (tmp / "platform.yaml").write_bytes(PLATFORM)
    (tmp / "services" / "payment-service.yaml").write_bytes(content)
    try:
        load_catalog(tmp)
        ok, lines = True, []
    except CatalogError as exc:
        ok, lines = False, [str(p) for p in exc.problems]
    return ok, lines


def check_located(lines: list[str], tmp: Path) -> None:
    assert lines
    for line in lines:
        file, row, col, rest = line.split(":", 3)
        assert (
            file.startswith(str(tmp)) and int(row) >= 1 and int(col) >= 1 and rest.startswith(" ")
        )


@FUZZ
@given(content=st.binary(max_size=400))
def test_random_bytes(content: bytes, tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    ok, lines = load(tmp, content)
    if not ok:
        check_located(lines, tmp)


@FUZZ
@given(content=mutated())
def test_mutated_yaml(content: bytes, tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    ok, lines = load(tmp, content)
    if not ok:
        check_located(lines, tmp)


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += (
            f"{chr(97 + i)}: &{chr(97 + i)} [".encode()
            + b", ".join([f"*{chr(96 + i)}".encode()] * 10)
            + b"]\n"
        )
    ok, lines = load(tmp_path, bomb)
    assert not ok and any("expands past" in line for line in lines)


def test_the_cli_never_prints_a_traceback_on_bad_bytes(tmp_path: Path) -> None:
    for content in (
        b"\xff\xfe\x00bad",
        b"name: [unclosed",
        b"!!python/object:os.system x",
        b"a: *nope",
    ):
        load_dir = tmp_path / str(len(content))
        (load_dir / "services").mkdir(parents=True)
        (load_dir / "platform.yaml").write_bytes(PLATFORM)
        (load_dir / "services" / "x.yaml").write_bytes(content)
        result = run(["validate", "--catalog", str(load_dir)])
        assert result.exit_code == 2, result.output
        located = re.compile(rf"{re.escape(str(load_dir))}/services/x\.yaml:[0-9]+:[0-9]+: \S")
        lines = result.output.splitlines()
        assert lines and all(located.match(line) for line in lines), result.output

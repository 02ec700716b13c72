"""Random bytes and mutated YAML never crash the loader: a located exit-2 message; aliases are
bounded. Mutated fixture catalogs (keys dropped, duplicated, renamed and retyped, odd strings,
deep nesting, huge integers, unicode) render or exit 2, never 3 or a traceback, and an exit 2
leaves the output byte-identical."""

from __future__ import annotations

import os
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog.load import load_catalog
from generator.cli import main
from generator.errors import CatalogError
from tests.conftest import FIXTURE_NAMES, FIXTURES, REPO_CATALOG, run
from tests.hardening.strategies import NASTY

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


# --- Mutations of whole fixture catalogs, rendered: exit 0 or 2, and exit 2 writes nothing ---

BATCHES = 4  # per fixture catalog: the cases spread over the test workers
CASES = 25  # per batch: 3 fixtures x 4 x 25 = 300 renders, seeded
ODD_STRINGS = [
    *NASTY,
    "../../etc/passwd",
    "/etc/shadow",
    "{{ cycler.__init__.__globals__ }}",
    "{% include 'x' %}",
    "${{ secrets.X }}",
    "$(touch pwned)",
    "\u202eevil",  # right-to-left override
    "a\u200bb",  # zero-width space
    "e\u0301",  # combining accent
    "\U0001f680" * 50,
    "x" * 10_000,
    "\x00",
    "\x1b[31m",
    "\r\n",
    "-",
    "{service}",
    "{env}/{nope}",
    "A" * 300,
]
LOCATED = re.compile(r"^.+:[0-9]+:[0-9]+: \S")


@dataclass
class Mutation:
    """One catalog file's data, changed in place; `raw` holds text that YAML cannot dump
    (huge integers, deep nesting): a placeholder in the data, substituted after dumping."""

    rng: random.Random
    gentle: bool = False  # only changes a valid catalog takes: the render itself is fuzzed
    raw: dict[str, str] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)

    def placeholder(self, text: str) -> str:
        token = f"rawvalue{len(self.raw)}x"
        self.raw[token] = text
        return token

    def value(self) -> Any:
        """A value of any type, odd where it can be."""
        r = self.rng
        kind = r.choice(["str", "int", "huge", "float", "bool", "none", "list", "dict", "deep"])
        if kind == "str":
            return r.choice(ODD_STRINGS)
        if kind == "int":
            return r.choice([0, -1, 1, 65535, 65536, 2**31, 2**63, -(2**63) - 1])
        if kind == "huge":
            return self.placeholder("9" * r.choice([30, 1001, 4301, 20_000]))
        if kind == "float":
            return r.choice([0.5, -1e308, float("inf"), float("nan")])
        if kind == "bool":
            return r.random() < 0.5
        if kind == "none":
            return None
        if kind == "list":
            return [r.choice(ODD_STRINGS) for _ in range(r.randint(0, 3))]
        if kind == "dict":
            return {r.choice(["A", "x", "é", "on", "0"]): r.choice(ODD_STRINGS)}
        depth = r.choice([10, 65, 491, 5000, 50_000])
        return self.placeholder("[" * depth + "]" * depth if r.random() < 0.5 else "[" * depth)

    def apply(self, data: Any) -> Any:
        """One change at a random place of `data`: the new data. Half keep the file valid
        (an odd string where text goes, a config entry) so the render itself is exercised."""
        places = list(_places(data, ()))
        op = self.rng.choices(
            ["odd", "config", "retype", "drop", "rename", "add", "duplicate", "text"],
            weights=[0, 1, 0, 0, 0, 0, 0, 1] if self.gentle else [35, 15, 15, 15, 7, 7, 6, 0],
        )[0]
        fitting = {
            "odd": [p for p in places if isinstance(p[1], str)],
            "text": [p for p in places if _free_text(p[0])],
            "config": [p for p in places if isinstance(p[1], dict) and "config" in p[1]]
            or [p for p in places[:1] if isinstance(p[1], dict) and "owner" in p[1]],
            "drop": [p for p in places if isinstance(p[1], dict | list) and p[1]],
            "rename": [p for p in places if isinstance(p[1], dict) and p[1]],
            "add": [p for p in places if isinstance(p[1], dict)],
            "duplicate": [p for p in places if isinstance(p[1], list) and p[1]],
        }.get(op, places)
        if not fitting:
            op, fitting = ("config", places[:1]) if self.gentle else ("retype", places)
        path, node = self.rng.choice(fitting)
        self.done.append(f"{op} at {'.'.join(map(str, path)) or '(top)'}")
        if op == "drop":
            key = self.rng.choice(list(node) if isinstance(node, dict) else range(len(node)))
            del node[key]
        elif op == "rename":
            key = self.rng.choice(list(node))
            node[self.rng.choice(["Name", "näme", "x-y", key + "_", ""])] = node.pop(key)
        elif op == "add":
            node[self.rng.choice(["extra", "colour", "name", "secrets", "?"])] = self.value()
        elif op == "config":
            config = node.setdefault("config", {})
            if not isinstance(config, dict):
                return data
            keys = ["MODE", "LOG_LEVEL", "FEATURE_X", "a.b", "_UNDER"]
            key = self.rng.choice(keys if self.gentle else [*keys, "TÉ", "A-B"])
            config[key] = self.rng.choice([*ODD_STRINGS, 0, -7, True, 10**30])
        elif op == "duplicate":
            node.append(self.rng.choice(node))
        else:
            new = self.rng.choice(ODD_STRINGS) if op in ("odd", "text") else self.value()
            return _replace(data, path, new)
        return data

    def text(self, data: Any) -> str:
        out = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)
        for token, raw in self.raw.items():
            out = out.replace(token, raw)
        if isinstance(data, dict) and data and self.rng.random() < 0.1:
            key = self.rng.choice(list(data))  # a duplicate key: only text can say it
            out += yaml.safe_dump({key: self.value()}, allow_unicode=True, width=1_000_000)
            self.done.append(f"duplicate key {key}")
            for token, raw in self.raw.items():
                out = out.replace(token, raw)
        return out


def _free_text(path: tuple[Any, ...]) -> bool:
    """A description or a config value: text the catalog takes as it is written."""
    return bool(path) and (path[-1] == "description" or (len(path) > 1 and path[-2] == "config"))


def _places(node: Any, path: tuple[Any, ...]) -> Any:
    yield path, node
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _places(child, (*path, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _places(child, (*path, i))


def _replace(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return data


def _tree(*folders: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry under the folders: bytes (or link target) and mode, never followed."""
    state = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            info = path.lstat()
            body = os.readlink(path).encode() if path.is_symlink() else b""
            if path.is_file() and not path.is_symlink():
                body = path.read_bytes()
            state[str(path)] = (body, info.st_mode)
    return state


@pytest.mark.parametrize("batch", range(BATCHES))
@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_mutated_fixture_catalogs_render_or_exit_2_leaving_the_output_untouched(
    tmp_path: Path, fixture: str, batch: int
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURES / fixture, catalog)
    files = sorted(p.relative_to(catalog) for p in catalog.rglob("*.yaml"))
    originals = {f: (catalog / f).read_text() for f in files}
    out, flows = tmp_path / "rendered", tmp_path / "workflows"
    args = ["render", "--catalog", str(catalog), "--out", str(out), "--workflows-dir", str(flows)]
    assert run(args).exit_code == 0
    rng = random.Random(f"{fixture}/{batch}")  # seeded: the same cases on every run
    for case in range(CASES):
        for name, text in originals.items():
            (catalog / name).write_text(text)
        mutation = Mutation(rng, gentle=case % 2 == 0)
        choices = [f for f in files if f.parts[0] == "services"] if mutation.gentle else files
        for name in rng.sample(choices, k=rng.randint(1, min(2, len(choices)))):
            data = yaml.safe_load(originals[name])
            for _ in range(rng.randint(1, 3)):
                data = mutation.apply(data)
            (catalog / name).write_text(mutation.text(data))
        before = _tree(out, flows)
        result = CliRunner().invoke(main, args)
        where = f"{fixture} batch {batch} case {case}: {mutation.done}"
        assert result.exit_code in (0, 2), f"{where}: exit {result.exit_code}\n{result.output}"
        assert "Traceback" not in result.output and "internal error" not in result.output, where
        if result.exit_code == 2:
            lines = result.stderr.splitlines()
            assert lines and all(LOCATED.match(line) for line in lines), f"{where}\n{lines}"
            assert _tree(out, flows) == before, f"{where}: exit 2 changed the output"

"""The package's layers point one way: each module imports only its own layer and those below.

models/catalog -> templating -> parts -> backends -> families -> pipeline -> output -> review
-> commands -> cli. A piece two layers need moves down; it is never reached for upward. The
imports are read from the source (every `import`, also inside functions and under
TYPE_CHECKING), so a lazy import does not hide a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# lowest first; a module not named here is a failure (a new folder must take its place)
LAYERS: tuple[tuple[str, ...], ...] = (
    ("generator", "generator.errors", "generator.text"),
    ("generator.catalog",),
    ("generator.templating",),
    ("generator.parts",),
    ("generator.backends",),
    ("generator.families",),
    ("generator.pipeline",),
    ("generator.output",),
    ("generator.review",),
    ("generator.commands",),
    (
        "generator.cli",
        "generator.cli_errors",
        "generator.cli_options",
        "generator.cli_templates",
        "generator.process",
        "generator.__main__",
    ),
)


def layer_of(module: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, layer)
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), rank)
    if best[1] < 0:
        raise AssertionError(f"{module} belongs to no layer: add its folder to LAYERS")
    return best[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every generator module `path` imports (a `from pkg import name` names pkg.name when
    that is a module, else pkg)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("generator"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("generator"):
            assert node.module is not None
            for alias in node.names:
                sub = PACKAGE.parent / (node.module.replace(".", "/") + "/" + alias.name)
                is_module = sub.with_suffix(".py").is_file() or sub.is_dir()
                found.add(f"{node.module}.{alias.name}" if is_module else node.module)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def upward(edges: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in edges.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    )


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert upward(graph()) == []


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize(
    ("edges", "bad"),
    [
        ({"generator.catalog.load": {"generator.backends.vault"}}, "upward"),
        (
            {
                "generator.output.plan": {"generator.output.write"},
                "generator.output.write": {"generator.output.plan"},
            },
            "cycle",
        ),
    ],
)
def test_the_checks_catch_what_they_look_for(edges: dict[str, set[str]], bad: str) -> None:
    """Both checks fail on a made-up graph with the fault they exist for."""
    full = {**{t: set() for targets in edges.values() for t in targets}, **edges}
    if bad == "upward":
        assert upward(full) != []
    else:
        assert cycles(full) != []

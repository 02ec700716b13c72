"""Backend types are plug-ins: outside `generator/backends/`, the code knows only the registry.

Every module outside the backends folder may import `generator.backends` (the registry and
the interface it exports) and nothing under it, so the catalog, the families, the review and
the commands never reach for one type's helpers. The layers above the backends also never
name a backend model (`isinstance(backend, Vault)`): they ask the plug-in. Below them, the
catalog's rules never name one either: they ask the facts and hooks of `BackendModel`, which
each type's model implements in its own module. The imports are read from the source with
`tests/test_layers.py`'s reader (lazy and TYPE_CHECKING ones too).
"""

from __future__ import annotations

import ast

import pytest

from tests.test_layers import PACKAGE, graph, layer_of, module_name

REGISTRY = "generator.backends"
CATALOG = "generator.catalog"
# the models of the built-in types: only their own modules (and the package that registers
# them) may name them
BACKEND_MODELS = frozenset({"AwsBackendModel", "AwsParameterStore", "AwsSecretsManager", "Vault"})
BASE_MODEL = "BackendModel"
BUILT_IN_MODELS = "generator.catalog.models"  # registers the built-in types, re-exports them


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def reaching_in(edges: dict[str, set[str]]) -> list[str]:
    """Imports of one backend module from outside the backends folder."""
    return sorted(
        f"{module} imports {target}"
        for module, targets in edges.items()
        if not inside(module, REGISTRY)
        for target in targets
        if inside(target, REGISTRY) and target != REGISTRY
    )


def naming_models(sources: dict[str, str]) -> list[str]:
    """Lines above the backends' layer that name a backend model."""
    found = []
    for module, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if isinstance(node, ast.alias):
                name = node.name
            if name in BACKEND_MODELS:
                found.append(f"{module}:{getattr(node, 'lineno', '?')}: {name}")
    return sorted(set(found))


def above_backends() -> dict[str, str]:
    rank = layer_of(REGISTRY)
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if layer_of(module) > rank:
            sources[module] = path.read_text(encoding="utf-8")
    return sources


def defines_a_backend_model(text: str) -> bool:
    """The module is one type's catalog model: it declares a subclass of `BackendModel`."""
    return any(
        isinstance(base, ast.Name) and base.id in {BASE_MODEL, *BACKEND_MODELS}
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.ClassDef)
        for base in node.bases
    )


def catalog_rules(sources: dict[str, str]) -> dict[str, str]:
    """The catalog's modules but the backend types' own models and the list of built-ins."""
    return {
        module: text
        for module, text in sources.items()
        if inside(module, CATALOG)
        and module != BUILT_IN_MODELS
        and not defines_a_backend_model(text)
    }


def catalog_sources() -> dict[str, str]:
    return {
        module_name(path): path.read_text(encoding="utf-8")
        for path in sorted((PACKAGE / "catalog").rglob("*.py"))
    }


def test_only_the_registry_is_imported_from_outside_the_backends() -> None:
    assert reaching_in(graph()) == []


def test_no_layer_above_the_backends_names_a_backend_model() -> None:
    assert naming_models(above_backends()) == []


def test_the_catalog_rules_name_no_backend_model() -> None:
    """A rule for one type is a hook of that type's model (`BackendModel.problems`,
    `catalog_problems`) or a fact it states (`on_aws`, `shared_paths`, `refresh_field`)."""
    assert naming_models(catalog_rules(catalog_sources())) == []


def test_the_models_of_the_built_in_types_are_the_ones_left_out() -> None:
    left_out = set(catalog_sources()) - set(catalog_rules(catalog_sources()))
    assert left_out == {
        BUILT_IN_MODELS,
        "generator.catalog.models.aws_backends",
        "generator.catalog.models.vault",
    }


@pytest.mark.parametrize(
    ("module", "text", "bad"),
    [
        ("generator.catalog.rules_names", "from generator.catalog.models import Vault\n", True),
        ("generator.catalog.rotation", "def f(b):\n    return isinstance(b, Vault)\n", True),
        ("generator.catalog.models.toy", "class Toy(BackendModel):\n    pass\n", False),
        ("generator.catalog.models.toy", "class Toy(Vault):\n    x = Vault\n", False),
        ("generator.catalog.rules", "def f(b):\n    return b.on_aws\n", False),
    ],
)
def test_the_catalog_check_catches_a_rule_naming_a_model(module: str, text: str, bad: bool) -> None:
    assert bool(naming_models(catalog_rules({module: text}))) is bad


@pytest.mark.parametrize(
    ("edges", "bad"),
    [
        ({"generator.families.helm": {"generator.backends.vault_objects"}}, True),
        ({"generator.commands.push_secrets": {"generator.backends.aws_push"}}, True),
        ({"generator.families.runbook": {"generator.backends"}}, False),
        ({"generator.backends.aws": {"generator.backends.eso"}}, False),
    ],
)
def test_the_import_check_catches_a_reach_into_one_backend(
    edges: dict[str, set[str]], bad: bool
) -> None:
    assert bool(reaching_in(edges)) is bad


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("from generator.catalog.models import Vault\n", True),
        ("def f(b):\n    return isinstance(b, models.AwsSecretsManager)\n", True),
        ("def f(plugin):\n    return plugin.words\n", False),
    ],
)
def test_the_name_check_catches_a_branch_on_a_backend_model(text: str, bad: bool) -> None:
    assert bool(naming_models({"generator.families.toy": text})) is bad

"""Every backend model the catalog accepts has exactly one plug-in; anything else is refused."""

from __future__ import annotations

from typing import ClassVar, Literal, get_args

import pytest

from generator.backends import PLUGINS, SecretBackend, plugin_for, register
from generator.catalog.models import ESO, BackendModel, OperatorKey, Strict
from generator.catalog.models.platform import BACKEND_MODELS


def _models() -> list[type[Strict]]:
    return list(BACKEND_MODELS)  # the types the catalog's `secretBackends` accepts


def _type_of(model: type[Strict]) -> str:
    (literal,) = get_args(model.model_fields["type"].annotation)
    return str(literal)


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_backend_model_has_exactly_one_plugin(model: type[Strict]) -> None:
    owners = [p for p in PLUGINS.values() if p.model is model]
    assert len(owners) == 1, f"{model.__name__}: plug-ins {owners}"
    assert owners[0].type == _type_of(model)


def test_every_plugin_serves_a_model_of_the_union() -> None:
    assert sorted(p.model.__name__ for p in PLUGINS.values()) == sorted(
        m.__name__ for m in _models()
    )
    assert all(key == plugin.type for key, plugin in PLUGINS.items())


class Unplugged(Strict):
    """A model that passed no union: what a type added to models.py alone would look like."""

    type: Literal["unplugged"]
    key: str


def test_a_model_without_a_plugin_is_refused_loudly() -> None:
    with pytest.raises(LookupError, match="no secret backend plug-in for type 'unplugged'"):
        plugin_for(Unplugged(type="unplugged", key="{service}"))  # type: ignore[arg-type]


def test_a_model_of_another_class_under_a_known_type_is_refused() -> None:
    class Impostor(Strict):
        type: Literal["vault"]
        key: str

    with pytest.raises(LookupError):
        plugin_for(Impostor(type="vault", key="{service}"))  # type: ignore[arg-type]


def test_a_plugin_whose_model_has_no_key_is_refused_and_not_kept() -> None:
    """Every type says where a service's values live: the catalog's rules read `key`."""

    class Keyless(BackendModel):
        operator: ClassVar[OperatorKey] = ESO
        placeholders: ClassVar[frozenset[str]] = frozenset({"service"})
        type: Literal["keyless"]

    class KeylessBackend(SecretBackend):
        type = "keyless"
        model = Keyless
        words = "nowhere"

    with pytest.raises(TypeError, match="Keyless declares no `key`"):
        register(KeylessBackend())
    assert "keyless" not in PLUGINS and Keyless not in BACKEND_MODELS

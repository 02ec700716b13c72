"""Every backend model the catalog accepts has exactly one plug-in; anything else is refused."""

from __future__ import annotations

from typing import Literal, get_args

import pytest

from generator.backends import PLUGINS, plugin_for
from generator.catalog.models import Backend, Strict


def _models() -> list[type[Strict]]:
    union = get_args(Backend)[0]  # Annotated[A | B | C, discriminator]
    return list(get_args(union))


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

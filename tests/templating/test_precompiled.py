"""Templates compiled ahead by the early reader: used as they are, never stale."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import jinja2
import pytest

from generator.render.templates import templates_dir
from generator.templating import precompiled
from generator.templating.engine import Templates, precompile
from generator.templating.formats import format_of, is_template

BASE = "kustomize/base-kustomization.yaml.j2"
OVERLAY = "kustomize/overlay-kustomization.yaml.j2"


@pytest.fixture
def compiled_from_source(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Empty caches, and the names Jinja compiles from source meanwhile."""
    monkeypatch.setattr(precompiled, "CACHES", defaultdict(precompiled.Precompiled))
    names: list[str] = []
    real = jinja2.Environment.compile

    def counting(env: jinja2.Environment, source: str, name: str | None = None, *a: Any) -> Any:
        names.append(str(name))
        return real(env, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    yield names


def _fresh_process_with(ahead: precompiled.Compiled, monkeypatch: pytest.MonkeyPatch) -> None:
    """The main process: no cache but what the reader handed over."""
    monkeypatch.setattr(precompiled, "CACHES", defaultdict(precompiled.Precompiled))
    precompiled.install(ahead)


def test_every_builtin_template_is_compiled_ahead_then_loaded_not_compiled(
    compiled_from_source: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    builtins = [n for n in Templates(templates_dir(), None).names() if is_template(n)]
    ahead = precompile()
    assert sum(len(store) for store in ahead.values()) == len(builtins)
    assert sorted(compiled_from_source) == sorted(builtins)

    _fresh_process_with(ahead, monkeypatch)
    compiled_from_source.clear()
    run = Templates(templates_dir(), None)
    for name in builtins:
        run._compile(name)
    assert compiled_from_source == []


def test_bytecode_of_another_source_is_never_used(
    compiled_from_source: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja checks each entry against the template's source: a changed template compiles."""
    ahead = precompile()
    cache = precompiled.CACHES[format_of(BASE).name]
    key = cache.get_cache_key(BASE, str(templates_dir() / BASE))
    ahead["yaml"][key] = ahead["yaml"][cache.get_cache_key(OVERLAY, str(templates_dir() / OVERLAY))]

    _fresh_process_with(ahead, monkeypatch)
    compiled_from_source.clear()
    Templates(templates_dir(), None)._compile(BASE)
    assert compiled_from_source == [BASE]  # from its own source, not the overlay's bytecode

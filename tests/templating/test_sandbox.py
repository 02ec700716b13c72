"""Our sandbox renders as Jinja's own immutable sandbox does: its remembered attribute checks
and its templates' globals as one plain dict change the speed, not what a template sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.templating.sandbox import Sandbox

# Jinja's global functions, as an override may use them, and a template's own global
USES_GLOBALS = (
    "{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}"
    "{{ ns.n }} {{ dict(a=1) }} {% set c = cycler('x', 'y') %}{{ c.next() }}{{ c.next() }}"
    "{% set j = joiner('|') %}{{ j() }}a{{ j() }}b {{ own }}"
)


def test_a_template_sees_the_globals_jinjas_sandbox_gives_it() -> None:
    ours = Sandbox().from_string(USES_GLOBALS, globals={"own": "!"})
    stock = ImmutableSandboxedEnvironment().from_string(USES_GLOBALS, globals={"own": "!"})
    assert ours.render() == stock.render() == "6 {'a': 1} xya|b !"
    assert ours.render(own="?", range=lambda n: [n]) == stock.render(own="?", range=lambda n: [n])
    assert type(ours.globals) is dict, "one plain dict, copied fast at every render"


def test_a_templates_own_globals_stay_its_own() -> None:
    env = Sandbox()
    first = env.from_string("{{ own }}", globals={"own": "first"})
    second = env.from_string("{{ own | default('none') }}")
    first.globals["own"] = "changed"
    assert (first.render(), second.render()) == ("changed", "none")
    assert "own" not in env.globals


class View(NamedTuple):
    name: str
    fmt: Callable[..., str]  # a str's bound `format`: unsafe bare, whatever it is called


UNSAFE = [
    "{{ v.name }}{{ v.name.format.__globals__ }}",
    "{{ v.name }}{{ '{0.__class__.__mro__}'.format(v) }}",
    "{{ v.fmt(v) }}",  # `fmt` was read safely on another View: a remembered pair
    "{{ v.name }}{{ v._asdict() }}",
]


@pytest.mark.parametrize("text", UNSAFE)
def test_what_jinjas_sandbox_refuses_ours_refuses_after_the_same_type_was_read(
    text: str,
) -> None:
    view = View("svc", "{0.__class__.__mro__}".format)
    harmless = View("svc", "svc".upper)  # a method too, but no `format`
    outcomes = []
    for env in (Sandbox(), ImmutableSandboxedEnvironment()):
        env.from_string("{{ v.name }}{{ v.fmt() }}").render(v=harmless)  # pairs remembered
        try:
            outcomes.append(env.from_string(text).render(v=view))
        except SecurityError as exc:
            outcomes.append(f"refused: {exc}")
    assert outcomes[0] == outcomes[1]
    assert outcomes[0].startswith("refused") or "__" not in outcomes[0]

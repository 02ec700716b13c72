"""Our sandbox renders as Jinja's own immutable sandbox does: its remembered attribute checks
and its templates' globals as one plain dict change the speed, not what a template sees."""

from __future__ import annotations

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

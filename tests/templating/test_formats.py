"""Markdown inline code holds any value: judged by a CommonMark parser (markdown-it-py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.templating.formats import md_cell, md_code
from tests.templating.test_overrides import render

markdown_it = pytest.importorskip(
    "markdown_it", reason="markdown-it-py is not installed (run `make test` to install it)"
)
LINK = "a `` b [x](https://evil.example) ``"


def inline_tokens(text: str) -> list[tuple[str, str]]:
    (block,) = [t for t in markdown_it.MarkdownIt("commonmark").parse(text) if t.type == "inline"]
    return [(t.type, t.content) for t in block.children or []]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("`ab [](): \n|\\*_"), min_size=1))
def test_a_value_is_exactly_one_code_span(value: str) -> None:
    shown = value.replace("\n", "\\n")
    if not shown.strip(" "):
        return  # a run of spaces only: CommonMark keeps every space, nothing to strip
    assert inline_tokens(f"x {md_code(value)} y") == [
        ("text", "x "),
        ("code_inline", shown),
        ("text", " y"),
    ]


def test_a_backtick_pair_and_a_link_stay_inside_the_code_span() -> None:
    assert md_code(LINK) == f"``` {LINK} ```"
    assert inline_tokens(md_code(LINK)) == [("code_inline", LINK)]
    table = f"| k | v |\n| --- | --- |\n| k | {md_cell('x|' + LINK)} |\n"
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(table)
    assert "<a " not in html and "<code>x|a `` b" in html


def test_a_config_value_with_backticks_and_a_link_cannot_go_live_in_the_runbook(
    make_catalog: Callable[..., Path],
) -> None:
    service = (
        f"name: svc\nowner: team-a\nimage: {{repository: r, tag: v1}}\nconfig:\n  NOTE: '{LINK}'\n"
    )
    catalog = make_catalog({"svc": service})
    assert render(catalog) == (0, "")
    text = (catalog.parent / "rendered" / "runbooks" / "svc.md").read_text()
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert "evil.example" in text
    assert "<a " not in html
    assert f"<code>{LINK}</code>" in html

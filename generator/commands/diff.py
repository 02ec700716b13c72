"""`diff --base REF`: what the catalog change since REF does to the output."""

from __future__ import annotations

from pathlib import Path

from generator import console
from generator.review import change, change_report

FORMATS = {
    "text": change_report.text_change_report,
    "markdown": change_report.markdown_change_report,
    "json": change_report.json_change_report,
}


def diff(base: str, catalog: Path, fmt: str) -> int:
    """Print the report in `fmt`: 1 when the output changes."""
    with console.step(f"render {base} and the work tree, and compare") as step:
        report = change.diff_against(catalog, base)
        step.detail = f"{report.files_changed} files change"
    console.report(FORMATS[fmt](report))
    return 1 if report.files_changed else 0

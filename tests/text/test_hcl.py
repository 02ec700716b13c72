"""The one escaping path for catalog values that reach HCL (Terraform's inputs beside the
tfvars, Vault policies): judged by Terraform itself, each string reads back as exactly the
value it was given, and nothing in it interpolates (`${...}`, `%{...}`). Terraform keeps every
string in Unicode NFC, escaped or not (HCL's rule): a value reads back normalized, which no
name can notice (the catalog's patterns keep names ASCII)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.text.hcl import hcl_string
from tests.hardening.strategies import NASTY
from tests.tools import need

TRICKS = [
    "${var.secret}",
    "$${x}",
    "$$${x}",
    "%{ if true }x%{ endif }",
    "%%{x}",
    "$",
    "%",
    "a\\b",
    '"quoted"',
    "line\nbreak",
    "tab\there",
    "\u2028\u2029",
    "\x7f\x85",
    "",
]


def read_back(folder: Path, values: list[str]) -> list[str]:
    """What Terraform makes of each `hcl_string(value)`, through `terraform console`."""
    body = "".join(f"  v{i} = {hcl_string(v)}\n" for i, v in enumerate(values))
    (folder / "main.tf").write_text(f"locals {{\n{body}}}\n", encoding="utf-8")
    listed = ", ".join(f"local.v{i}" for i in range(len(values)))
    expression = f"base64encode(jsonencode([{listed}]))"
    done = subprocess.run(
        [need("terraform"), "console"],
        input=expression + "\n",
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # the console shows a string in its own escapes: base64 passes it through as plain ASCII
    return list(json.loads(base64.b64decode(done.stdout.strip().strip('"'))))


def test_terraform_reads_every_tricky_string_back_as_itself(tmp_path: Path) -> None:
    values = [*TRICKS, *NASTY]
    assert read_back(tmp_path, values) == values


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=40, max_size=40))
def test_terraform_reads_any_string_back_as_itself(tmp_path: Path, values: list[str]) -> None:
    assert read_back(tmp_path, values) == [unicodedata.normalize("NFC", v) for v in values]

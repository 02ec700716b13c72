"""The one escaping path for catalog values that reach HCL (Vault policies, Terraform)."""

from __future__ import annotations

import json


def hcl_string(text: str) -> str:
    """A quoted HCL string literal: JSON escapes, plus `${` and `%{` so nothing interpolates."""
    return json.dumps(text, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")

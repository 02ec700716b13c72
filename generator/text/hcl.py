"""The one escaping path for catalog values that reach HCL (Vault policies, Terraform)."""

from __future__ import annotations

# HCL's escapes are \n \r \t \" \\ and \uNNNN: JSON's \b and \f are not among them, so every
# other control character is written as \uNNNN (Terraform refuses "\f" outright)
_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x20)}
_ESCAPES |= {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_ESCAPES |= {ord('"'): '\\"', ord("\\"): "\\\\"}


def hcl_string(text: str) -> str:
    """A quoted HCL string literal: escaped as HCL reads it, plus `${` and `%{` doubled so
    nothing interpolates."""
    escaped = text.translate(_ESCAPES).replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'

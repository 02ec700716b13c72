"""Is a text a git ref name Argo CD can track? The rules of `git check-ref-format
--allow-onelevel` (a branch, a tag, a commit), no `$` and no leading `-`: the revision reaches
generated workflows and commands, where `$(...)` or `${{ ... }}` would be expanded and `-x`
read as an option."""

from __future__ import annotations

import re

_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\$]")


def ref_name_problem(ref: str) -> str | None:
    """Why `ref` is not a valid ref name, or None when it is one."""
    bad = _FORBIDDEN.search(ref)
    if bad:
        char = bad.group()
        if char == " ":
            return "it contains a space"
        if not char.isprintable():
            return f"it contains a control character (U+{ord(char):04X})"
        return f"it contains `{char}`"
    checks = (
        (ref == "@", "it is `@`"),
        (ref.startswith("-"), "it starts with `-`"),
        (ref.startswith("/") or ref.endswith("/"), "it starts or ends with `/`"),
        ("//" in ref, "it contains `//`"),
        (".." in ref, "it contains `..`"),
        ("@{" in ref, "it contains `@{`"),
        (ref.endswith("."), "it ends with `.`"),
        (any(part.startswith(".") for part in ref.split("/")), "a part starts with `.`"),
        (any(part.endswith(".lock") for part in ref.split("/")), "a part ends with `.lock`"),
    )
    return next((why for failed, why in checks if failed), None)

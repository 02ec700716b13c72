"""What `templates eject` copied, so an override knows when its built-in moved on.

`<templatesPath>/.gitops-gen-ejected.json` (a hidden file: never taken for a template) keeps,
per ejected name, the sha256 and the text of the built-in it copied: the base of the three-way
merge `templates update` does (`git merge-file` semantics: the override's edits and the
built-in's change since the eject, conflict markers where both touched the same lines).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from generator.errors import UserError

RECORD = ".gitops-gen-ejected.json"


def digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def records(folder: Path) -> dict[str, dict[str, str]]:
    """{name: {"sha256": ..., "text": ...}} of every ejected template; {} without the file."""
    path = folder / RECORD
    if not path.is_file() or path.is_symlink():
        return {}
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError.single(str(path), "", f"cannot read the eject record: {exc}") from None
    found = data.get("templates") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


def remember(folder: Path, name: str, builtin: bytes) -> None:
    """Record that `name` now stands on the built-in `builtin` (sorted, stable JSON)."""
    found = records(folder)
    found[name] = {"sha256": digest(builtin), "text": builtin.decode("utf-8")}
    data = {
        "comment": "Written by gitops-gen templates eject/update: the built-in each override "
        "started from. Keep it in git.",
        "templates": dict(sorted(found.items())),
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (folder / RECORD).write_text(text, encoding="utf-8")


def is_stale(folder: Path, name: str, builtin: bytes) -> bool:
    record = records(folder).get(name)
    return record is not None and record.get("sha256") != digest(builtin)


def base_text(folder: Path, name: str) -> str:
    record = records(folder).get(name)
    if record is None or not isinstance(record.get("text"), str):
        raise UserError.single(
            str(folder / name),
            "template",
            "no record of the built-in it was ejected from (eject it again to start one)",
        )
    return record["text"]


def change_since(folder: Path, name: str, builtin: bytes) -> str:
    """The built-in's change since the eject, as a unified diff ("" when unchanged)."""
    lines = difflib.unified_diff(
        base_text(folder, name).splitlines(keepends=True),
        builtin.decode("utf-8").splitlines(keepends=True),
        f"{name} (built-in when ejected)",
        f"{name} (built-in now)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def merge(folder: Path, name: str, builtin: bytes) -> bool:
    """Merge the built-in's change into the override; True when clean. Conflict markers are
    written into the file either way; the record moves on to the new built-in."""
    target = folder / name
    mine = target.read_bytes()
    with tempfile.TemporaryDirectory(prefix="gitops-gen-merge-") as tmp:
        files = []
        for label, data in (("base", base_text(folder, name).encode()), ("new", builtin)):
            path = Path(tmp) / label
            path.write_bytes(data)
            files.append(str(path))
        ours = Path(tmp) / "ours"
        ours.write_bytes(mine)
        labels = ["-L", f"{name} (override)", "-L", "built-in when ejected", "-L", "built-in now"]
        done = subprocess.run(
            ["git", "merge-file", "-p", *labels, str(ours), files[0], files[1]],
            capture_output=True,
            check=False,
        )
    if done.returncode < 0 or done.returncode > 127:
        message = done.stderr.decode(errors="replace").strip() or "git merge-file failed"
        raise UserError.single(str(target), "template", message)
    target.write_bytes(done.stdout)
    remember(folder, name, builtin)
    return done.returncode == 0

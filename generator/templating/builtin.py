"""Where the built-in templates live: the package `generator.builtin_templates`.

pyproject.toml builds that package from the repo's top-level `templates/` (the one copy), so
an editable install reads the checkout and a wheel reads its own copy, wherever it is installed
(venv, `--user`, `--target`, pipx).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

PACKAGE = "generator.builtin_templates"
NOT_TEMPLATES = frozenset({"__init__.py", "__pycache__"})  # what makes the folder a package


@cache
def templates_dir() -> Path:
    root = files(PACKAGE)
    if not isinstance(root, Path):  # pip never installs zipped; a zipapp would land here
        raise FileNotFoundError(f"gitops-gen templates are not a folder here: {root}")
    return root


@cache
def static_text(family: str, name: str) -> str:
    return (templates_dir() / family / name).read_text(encoding="utf-8")


def builtin_names() -> list[str]:
    """Every built-in template as a path relative to the templates folder, sorted."""
    root = templates_dir()
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not NOT_TEMPLATES & set(path.relative_to(root).parts)
    )


def is_copy(folder: Path) -> bool:
    """`folder` holds the built-in package itself, byte for byte: this repo's own `templates/`
    (which the wheel is built from) as an installed gitops-gen of the same version reads it.
    Nothing in it is then an override."""
    if not (folder / "__init__.py").is_file():
        return False
    root = templates_dir()
    names = builtin_names()
    found = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not NOT_TEMPLATES & set(path.relative_to(folder).parts)
    )
    return found == names and all(
        (folder / name).read_bytes() == (root / name).read_bytes() for name in names
    )

"""What rendered each file of a service's Kustomize tree, and what its overlay builder reads.

Where a template of the tree is overridden, every overlay is built as Argo CD builds it
(`kustomize_build.py`). The builder reads documents, not text: parsing each of a thousand
services' files back costs more than rendering them, and most are at hand already.
"""

from __future__ import annotations

from generator.parts.kube import Obj
from generator.templating.engine import Templates


class Made:
    """What rendered each file of a service's tree, and, when its overlays are built, the
    documents the builder reads instead of parsing the text back: an override's output from
    the parse that checked it, a built-in kustomization, or a resource whose family gives its
    document (`Parts.documents`), as its view says (tests prove the template writes exactly
    that), a patch file as the family's ops it dumps. The builder parses the rest."""

    def __init__(self, templates: Templates, building: bool) -> None:
        self.templates, self.building = templates, building
        self.by: dict[str, str] = {}  # file -> the override that rendered it
        self.documents: dict[str, list[Obj]] = {}
        self.patches: dict[str, list[Obj]] = {}  # patch file -> the family's ops it holds
        # did an override render a file of the tree? Only then are its overlays built: the
        # built-in templates alone are consistent by construction
        self.overridden = False

    def note(self, path: str, text: Obj | str, name: str = "", doc: Obj | None = None) -> None:
        """`text` rendered (from template `name`, when known), or a document to be dumped."""
        found = self.templates.made_by(text) if isinstance(text, str) else None
        if found:
            self.by[path] = found
        if not self.building or not isinstance(text, str):
            return
        if found or (name and self.templates.from_override(name)):
            self.overridden = True
            docs = self.templates.documents(text)  # the parse that checked it
            self.documents[path] = [d for d in docs if isinstance(d, dict)]
        elif doc is not None:
            self.documents[path] = [doc]

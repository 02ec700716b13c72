"""The `diff` report: each effect of a catalog change, removals first, as text, Markdown or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Change:
    area: str  # argocd | kubernetes | terraform | vault | access
    env: str
    action: str  # added | removed | changed | widened | narrowed | replaced
    what: str
    detail: str = ""

    @property
    def removal(self) -> bool:
        return self.action in {"removed", "replaced", "narrowed"}

    def line(self) -> str:
        mark = {"added": "+", "removed": "-", "replaced": "!", "widened": ">", "narrowed": "<"}
        detail = f": {self.detail}" if self.detail else ""
        return f"{mark.get(self.action, '~')} [{self.env}] {self.what} {self.action}{detail}"


@dataclass(frozen=True)
class ChangeReport:
    base: str
    changes: list[Change]
    files_changed: int

    notes: tuple[str, ...] = ()

    @property
    def removals(self) -> list[Change]:
        """What a reviewer must see first, most far-reaching first."""
        return sorted((c for c in self.changes if c.removal), key=lambda c: (_rank(c), c))


_REMOVAL_ORDER = (
    "Namespace ",
    "Argo CD app ",
    "secret ",
    "parameter ",
    "IAM role ",
    "Vault policy ",
    "access of ",
    "env var ",
)


def _rank(change: Change) -> int:
    found = (i for i, p in enumerate(_REMOVAL_ORDER) if change.what.startswith(p))
    return next(found, len(_REMOVAL_ORDER))


AREAS = {
    "argocd": "Argo CD apps",
    "kubernetes": "Kubernetes objects",
    "terraform": "Terraform",
    "vault": "Vault policies",
    "access": "Access (who reads which secret)",
}


def text_change_report(report: ChangeReport) -> str:
    if not report.files_changed:
        return f"gitops-gen diff: no change to the output against {report.base}\n"
    removals = report.removals
    lines = [
        f"gitops-gen diff against {report.base}: {report.files_changed} file(s) change, "
        f"{len(removals)} removal(s)"
    ]
    lines += [f"note: {n}" for n in report.notes]
    if removals:
        lines += ["", "!!! REMOVALS: review before merging !!!"]
        lines += [f"  {c.line()}" for c in removals]
    for area, title in AREAS.items():
        items = [c for c in report.changes if c.area == area and not c.removal]
        if items:
            lines += ["", f"{title}:"] + [f"  {c.line()}" for c in items]
    return "\n".join(lines) + "\n"


def markdown_change_report(report: ChangeReport) -> str:
    if not report.files_changed:
        return f"### gitops-gen diff\n\nNo change to the output against `{report.base}`.\n"
    out = [f"### gitops-gen diff against `{report.base}`", ""]
    out += [f"_Note: {n}_\n" for n in report.notes]
    removals = report.removals
    if removals:
        out += [
            f"> [!CAUTION]\n> **{len(removals)} removal(s)**: review before merging.",
            "",
            "| env | what | action | detail |",
            "| --- | --- | --- | --- |",
        ]
        out += [f"| {c.env} | {c.what} | **{c.action}** | {c.detail} |" for c in removals]
        out.append("")
    rest = [c for c in report.changes if not c.removal]
    if rest:
        out += ["| area | env | what | action | detail |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {AREAS[c.area]} | {c.env} | {c.what} | {c.action} | {c.detail} |" for c in rest]
    out += ["", f"{report.files_changed} rendered file(s) change."]
    return "\n".join(out) + "\n"


def json_change_report(report: ChangeReport) -> str:
    doc = {
        "base": report.base,
        "changed": bool(report.files_changed),
        "files_changed": report.files_changed,
        "notes": list(report.notes),
        "removals": [asdict(c) for c in report.removals],
        "changes": [asdict(c) for c in report.changes],
    }
    return json.dumps(doc, indent=2) + "\n"

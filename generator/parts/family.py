"""What the pipeline knows of an output family: a name, a render, roughly what it costs, and
the folders an Argo CD app syncs.

The built-in families are listed in `generator.families.registry`; a backend type brings its
own (`SecretBackend.families`, e.g. the ESO stores, the Vault policies). A family declares
the folders Argo CD syncs (`AppSource`: name, sync wave, destination) from the catalog alone,
so the Argo CD family renders beside the others, not after them. Everything else the tool
needs from a family it reads from the `FamilyResult` the family returns: its files, the
objects it produces and references, its cloud effects. So a new family is one module and one
entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.catalog.facts import Facts
    from generator.parts.result import AppSource, FamilyResult


@dataclass(frozen=True)
class Family:
    """A family rendered from the catalog alone."""

    name: str
    # Its result, or its result in pieces (Terraform: one per env): each piece goes through
    # the pipeline's sink as it comes, so a family's largest files are never held together;
    # the pieces merge into its result (`merge_results`).
    render: Callable[[Facts], FamilyResult | Iterator[FamilyResult]]
    # About how long it takes, relative to the others (`make profile`): how the pipeline
    # orders the tasks the processes take from either end (the costliest at the ends). A
    # figure, or one read from the catalog where the work depends on it (an overridden chart
    # is built by `helm template`). A stale figure only costs balance, never bytes.
    cost: int | Callable[[Facts], int] = 1
    # Each service's files come from that service (and the platform) alone, and nothing
    # else: the pipeline may render the services in slices, one task each, and merge the
    # results (`merge_results`); a large catalog's biggest family then never sits whole in
    # one process.
    per_service: bool = False
    # The folders of its output an Argo CD app syncs, from the catalog alone (the same
    # facts its render reads): the Argo CD family points its apps at them.
    apps: Callable[[Facts], Iterable[AppSource]] | None = None
    # The output folder its files go to: `out` (rendered/), or `workflows` (the repo's
    # workflows folder, beside the catalog; its files are kept, not streamed)
    root: str = "out"

    def cost_for(self, facts: Facts) -> int:
        return self.cost(facts) if callable(self.cost) else self.cost

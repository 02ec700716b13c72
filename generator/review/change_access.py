"""`diff --base`: access widened or narrowed, from the access model of each side.

Each side's rendered grants go through the model `gitops-gen access` prints; the report lists,
per env, every reader -> secret pair the change adds (widened) or removes (narrowed). A pair
is keyed by the principal and the secret, not by the route: a role renamed with the same
reach is no change in who reads what.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.review.access import Grant, applied_state, model
from generator.review.change_report import Change

Pair = tuple[str, str, str]  # env, reader, secret


def access_changes(
    base: dict[str, str], head: dict[str, str], envs: list[str], rendered_paths: tuple[str, ...]
) -> Iterator[Change]:
    old = _pairs(base, envs, rendered_paths[-1]) if base else {}
    new = _pairs(head, envs, rendered_paths[0])
    for key in sorted(new.keys() - old.keys()):
        yield _change("widened", key, new[key])
    for key in sorted(old.keys() - new.keys()):
        yield _change("narrowed", key, old[key])


def _pairs(tree: dict[str, str], envs: list[str], rendered_path: str) -> dict[Pair, str]:
    """(env, reader, secret) -> the route (role, store or auth mount) it reads through."""
    rendered = [e for e in envs if f"argocd/root-{e}.yaml" in tree]
    out: dict[Pair, str] = {}
    for grant in model(applied_state(tree, rendered, rendered_path)):
        out.setdefault(_key(grant), grant.via)
    return out


def _key(grant: Grant) -> Pair:
    p, s = grant.principal, grant.secret
    env = p.env or ",".join(s.envs)
    return env, str(p), f"{s.backend} {s.path} @ {s.store}"


def _change(action: str, key: Pair, via: str) -> Change:
    env, reader, secret = key
    verb = "reads" if action == "widened" else "no longer reads"
    return Change("access", env, action, f"access of {reader}", f"{verb} {secret} (via {via})")

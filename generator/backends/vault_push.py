"""`push-secrets` for a Vault backend: one kv-v2 secret per service and env, over Vault's HTTP API.

The path is the one the service's VaultStaticSecret reads in that env (`Facts.refs`), the
values pass the same checks as for AWS (every declared key, nothing else, none empty), and
every current value is read before anything is written. Each write carries kv-v2's
check-and-set version, so a value someone changed since the read is not overwritten.
Values live only in the request body: outcomes and errors carry the path and key names.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from generator.backends.commands import check_values, target
from generator.catalog.load import Catalog
from generator.catalog.models import Vault
from generator.catalog.models.vault import vault_address
from generator.errors import UserError

TIMEOUT = 30  # seconds per HTTP request


@dataclass(frozen=True)
class VaultWrite:
    """One kv-v2 secret to write. `data` is excluded from repr so it never reaches a log."""

    address: str
    mount: str
    path: str
    keys: tuple[str, ...]
    data: dict[str, str] = field(repr=False)

    @property
    def api_path(self) -> str:
        return f"{quote(self.mount)}/data/{quote(self.path)}"


@dataclass(frozen=True)
class VaultOutcome:
    write: VaultWrite
    status: str  # created | updated | unchanged

    def __str__(self) -> str:
        w = self.write
        keys = ", ".join(w.keys)
        return f"{self.status:9} {w.mount}/{w.path}  (Vault kv-v2 at {w.address}; {keys})"


def plan_writes(
    catalog: Catalog,
    env_name: str,
    service: str,
    values: Mapping[str, str],
    *,
    source: str,
    lines: Mapping[str, int] | None = None,
    endpoint_url: str | None = None,
) -> list[VaultWrite]:
    """Validate the env and every value first; nothing is written on any problem."""
    facts, env, plan = target(catalog, env_name, service)
    backend = plan.backend
    assert isinstance(backend, Vault)  # the Vault plug-in dispatches here for its services only
    svc = facts.service(service)
    keys = plan.keys
    check_values(keys, values, source, lines)
    address = (endpoint_url or vault_address(backend, env)).rstrip("/")
    if not address.startswith(("http://", "https://")):
        where = "--endpoint-url" if endpoint_url else catalog.source()
        raise UserError.single(where, "address", f"{address!r} is not an http(s) Vault address")
    return [
        VaultWrite(address, backend.mount, ref.key, keys, {k: values[k] for k in keys})
        for ref in facts.refs(svc, env.name)
    ]


class VaultStore:
    """kv-v2 reads and check-and-set writes with a token (VAULT_TOKEN)."""

    def __init__(self, token: str | None, namespace: str | None = None) -> None:
        if not token:
            msg = "VAULT_TOKEN is not set: export a token that may write this path"
            raise UserError.unlocated("VAULT_TOKEN", "", msg)
        self.headers = {"X-Vault-Token": token}
        if namespace:
            self.headers["X-Vault-Namespace"] = namespace

    def current(self, write: VaultWrite) -> tuple[dict[str, Any] | None, int]:
        """The stored data and its version; (None, 0) when the secret does not exist yet."""
        got = self._call(write, "GET", None, missing_ok=True)
        if got is None or got.get("data", {}).get("data") is None:  # absent or deleted
            version = (got or {}).get("data", {}).get("metadata", {}).get("version", 0)
            return None, int(version or 0)
        data = got["data"]
        return data["data"], int(data["metadata"]["version"])

    def put(self, write: VaultWrite, version: int) -> None:
        self._call(write, "POST", {"options": {"cas": version}, "data": write.data})

    def _call(self, write: VaultWrite, method: str, body: Any, *, missing_ok: bool = False) -> Any:
        url = f"{write.address}/v1/{write.api_path}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data, self.headers, method=method)  # noqa: S310
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and missing_ok:
                raw = exc.read()
                return json.loads(raw) if raw.strip().startswith(b"{") else None
            raise _refused(write, method, exc) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            msg = f"cannot reach Vault at {write.address}: {reason}"
            raise UserError.unlocated(write.address, "push-secrets", msg) from None
        return json.loads(raw) if raw else None


def _refused(write: VaultWrite, method: str, exc: urllib.error.HTTPError) -> UserError:
    """Vault's error list names paths and reasons, never a submitted value."""
    try:
        errors = "; ".join(json.loads(exc.read()).get("errors", []))
    except ValueError:
        errors = ""
    need = "read" if method == "GET" else "create and update"
    msg = f"Vault answered {exc.code} ({errors or exc.reason}) on {method} {write.api_path}"
    if exc.code == 403:
        msg += f": the token needs {need} on {write.api_path}"
    return UserError.unlocated(f"{write.address}/v1/{write.api_path}", "push-secrets", msg)


def push(writes: list[VaultWrite], store: VaultStore, *, dry_run: bool) -> list[VaultOutcome]:
    """Read every current value first, so an unreachable or refusing Vault fails before a write."""
    current = [store.current(w) for w in writes]
    outcomes = []
    for write, (data, version) in zip(writes, current, strict=True):
        status = "created" if data is None else "unchanged" if data == write.data else "updated"
        if status != "unchanged" and not dry_run:
            store.put(write, version)
        outcomes.append(VaultOutcome(write, status))
    return outcomes


def main(
    catalog: Catalog, env: str, service: str, values: Mapping[str, str], options: Mapping[str, Any]
) -> None:
    """`push-secrets` for a Vault service; `options`: source, lines, url, dry_run.

    The token (VAULT_TOKEN) and Vault Enterprise namespace (VAULT_NAMESPACE) come from the
    environment, as for the vault CLI.
    """
    import click

    dry_run = bool(options["dry_run"])
    writes = plan_writes(
        catalog,
        env,
        service,
        values,
        source=options["source"],
        lines=options["lines"],
        endpoint_url=options["url"],
    )
    store = VaultStore(os.environ.get("VAULT_TOKEN"), os.environ.get("VAULT_NAMESPACE"))
    for outcome in push(writes, store, dry_run=dry_run):
        click.echo(f"{'would be ' if dry_run and outcome.status != 'unchanged' else ''}{outcome}")

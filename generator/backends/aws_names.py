"""What an AWS secret or parameter is described and tagged with: the same text whether
Terraform creates it (the tfvars inputs) or `push-secrets` does (parameters Terraform cannot
create without a value)."""

from __future__ import annotations

from generator.catalog.facts import Deployed, RemoteRef


def description(deployed: Deployed, ref: RemoteRef) -> str:
    assert deployed.service.secrets is not None
    what = ref.secret_key or ", ".join(deployed.service.secrets.keys)
    return (
        f"{what} of {deployed.name} in {deployed.env.name} (gitops-gen; values are set outside Git)"
    )


def tags(system: str, env: str, name: str, service: str) -> dict[str, str]:
    """The tags the module puts on every secret (local.tags + Name + Service), for the
    parameters `push-secrets` creates where Terraform cannot."""
    return {
        "Environment": env,
        "ManagedBy": "gitops-gen",
        "Name": name,
        "Service": service,
        "System": system,
    }

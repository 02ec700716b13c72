"""Synthetic catalogs for the benchmark: N services over 3 envs, mixing every backend type."""

from __future__ import annotations

from pathlib import Path

PLATFORM = """\
system: bench
gitRepo: https://github.com/bench/gitops.git
environments:
  - {name: dev, refreshInterval: 1m, namespace: "{namespace}-dev"}
  - {name: stage, refreshInterval: 5m, namespace: "{namespace}-stage"}
  - {name: prod, refreshInterval: 1h}
aws:
  region: eu-west-1
  accountId: "111122223333"
  oidcProvider: oidc.eks.eu-west-1.amazonaws.com/id/BENCH
  secretStoreScope: service
secretBackends:
  sm: {type: aws-secrets-manager, key: "{env}/{service}"}
  sm-gh: {type: aws-secrets-manager, key: "gh/{env}/{service}", valuesFrom: github-actions}
  ssm: {type: aws-parameter-store, key: "/{system}/{env}/{service}/{key}", valuesFrom: pipeline}
  ssm-json: {type: aws-parameter-store, key: "/{system}/{service}/{env}/app"}
  vault: {type: vault, address: "http://vault.vault.svc:8200", key: "{env}/{service}"}
"""
BACKENDS = ["sm", "sm-gh", "ssm", "ssm-json", "vault"]
SERVICE = """\
name: {name}
owner: team-{team}
image: {{repository: ghcr.io/bench/{name}, tag: v{major}.{i}.0}}
port: 8080
replicas: 2
config: {{LOG_LEVEL: info, FEATURE_X: "on", REGION: eu-west-1}}
secrets:
  backend: {backend}
  keys: [DB_HOST, DB_USER, DB_PASSWORD, API_TOKEN]
environments:
  prod: {{replicas: 3, config: {{LOG_LEVEL: warn}}}}
"""


def write_catalog(root: Path, services: int, major: int = 1) -> Path:
    """`major`: the major version of every image tag (2: the same catalog, every tag bumped)."""
    (root / "services").mkdir(parents=True, exist_ok=True)
    (root / "platform.yaml").write_text(PLATFORM)
    for i in range(services):
        name = f"svc-{i:05d}"
        backend = BACKENDS[i % len(BACKENDS)]
        text = SERVICE.format(name=name, team=i % 17, i=i, backend=backend, major=major)
        (root / "services" / f"{name}.yaml").write_text(text)
    return root

"""`vault/<env>/bootstrap.sh`: bring a fresh Vault (or OpenBao) to working logins for one env.

The script first checks the token's rights on every path it may write and stops before
writing anything when one is missing; then it enables what is missing (kv-v2 at `mount`,
the kubernetes auth method at `authMount`), configures the auth method, and writes each
service's policy and per-env role. Mounts, the auth method and policies are compared before
they are written and roles are rewritten with the same values, so a second run changes
nothing. Catalog values reach the shell only through `shlex.quote`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from generator.render.facts import header

q = shlex.quote

# Static shell: no catalog value appears here, only in the quoted calls below it.
FUNCTIONS = r"""VAULT_CLI=${VAULT_CLI:-vault}  # or bao (OpenBao)
USER_VAULT_ADDR=${VAULT_ADDR:-}  # set VAULT_ADDR to override every address below
if [ -z "${KUBERNETES_HOST:-}" ]; then
  if [ -n "${KUBERNETES_SERVICE_HOST:-}" ]; then
    KUBERNETES_HOST="https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT:-443}"
  else
    KUBERNETES_HOST=https://kubernetes.default.svc  # the API as Vault's pod sees it
  fi
fi
KUBERNETES_CA_CERT=${KUBERNETES_CA_CERT:-}  # PEM text or a file; unset: Vault's pod CA
missing=0

use_vault() {
  VAULT_ADDR=${USER_VAULT_ADDR:-$1}
  export VAULT_ADDR
}

need() {  # need PATH CAPABILITY...: note what the token lacks, write nothing
  path=$1
  shift
  caps=", $("$VAULT_CLI" token capabilities "$path" 2>/dev/null || echo deny), "
  case "$caps" in *", root, "*) return 0 ;; esac
  for cap in "$@"; do
    case "$caps" in
      *", $cap, "*) ;;
      *) echo "bootstrap: token lacks '$cap' on $path at $VAULT_ADDR" >&2; missing=1 ;;
    esac
  done
}

rights_checked() {
  if [ "$missing" != 0 ]; then
    echo "bootstrap: nothing written; use a token with the rights above" >&2
    exit 1
  fi
}

read_field() {  # read_field FIELD PATH: empty when absent
  "$VAULT_CLI" read -field="$1" "$2" 2>/dev/null || true
}

ensure_kv2() {  # ensure_kv2 MOUNT
  if ! "$VAULT_CLI" read -field=type "sys/mounts/$1" >/dev/null 2>&1; then
    "$VAULT_CLI" secrets enable -path="$1" -version=2 kv
    return
  fi
  case "$("$VAULT_CLI" read -format=json -field=options "sys/mounts/$1" 2>/dev/null)" in
    *'"version": "2"'*) echo "unchanged: kv-v2 at $1/" ;;
    *) echo "bootstrap: $1/ is mounted but is not kv version 2" >&2; exit 1 ;;
  esac
}

ensure_kubernetes_auth() {  # ensure_kubernetes_auth MOUNT
  if ! kind=$("$VAULT_CLI" read -field=type "sys/auth/$1" 2>/dev/null); then
    "$VAULT_CLI" auth enable -path="$1" kubernetes
  elif [ "$kind" != kubernetes ]; then
    echo "bootstrap: auth/$1/ is a $kind auth method, not kubernetes" >&2
    exit 1
  else
    echo "unchanged: kubernetes auth at auth/$1/"
  fi
  ca=$KUBERNETES_CA_CERT
  if [ -n "$ca" ] && [ -f "$ca" ]; then
    ca=$(cat "$ca")
  fi
  host=$(read_field kubernetes_host "auth/$1/config")
  if [ "$host" = "$KUBERNETES_HOST" ]; then
    if [ -z "$ca" ] || [ "$(read_field kubernetes_ca_cert "auth/$1/config")" = "$ca" ]; then
      echo "unchanged: auth/$1/config"
      return
    fi
  fi
  if [ -n "$ca" ]; then
    "$VAULT_CLI" write "auth/$1/config" kubernetes_host="$KUBERNETES_HOST" kubernetes_ca_cert="$ca"
  else
    "$VAULT_CLI" write "auth/$1/config" kubernetes_host="$KUBERNETES_HOST"
  fi
}

ensure_policy() {  # ensure_policy NAME FILE
  if [ "$("$VAULT_CLI" policy read "$1" 2>/dev/null || true)" = "$(cat "$2")" ]; then
    echo "unchanged: policy $1"
  else
    "$VAULT_CLI" policy write "$1" "$2"
  fi
}

ensure_role() {  # ensure_role AUTH_MOUNT ROLE SERVICE_ACCOUNT NAMESPACE POLICY
  "$VAULT_CLI" write "auth/$1/role/$2" bound_service_account_names="$3" \
    bound_service_account_namespaces="$4" token_policies="$5" audience=vault ttl=1h
}
"""


@dataclass(frozen=True)
class Grant:
    """One service in one env: its policy file and the role its VaultAuth logs in with."""

    service: str
    address: str
    mount: str
    auth_mount: str
    policy: str
    policy_file: str
    role: str
    namespace: str
    paths: tuple[str, ...]


def script(source: str, env: str, grants: list[Grant]) -> str:
    """The whole bootstrap of one env; `grants` sorted by service."""
    addresses = sorted({g.address for g in grants})
    check, apply = [], []
    for addr in addresses:
        here = [g for g in grants if g.address == addr]
        check.append(f"use_vault {q(addr)}")
        apply += ["", f"use_vault {q(addr)}"]
        for mount in sorted({g.mount for g in here}):
            check.append(f"need {q(f'sys/mounts/{mount}')} read update")
            apply.append(f"ensure_kv2 {q(mount)}")
        for auth in sorted({g.auth_mount for g in here}):
            check.append(f"need {q(f'sys/auth/{auth}')} read update sudo")
            check.append(f"need {q(f'auth/{auth}/config')} read create update")
            apply.append(f"ensure_kubernetes_auth {q(auth)}")
        for g in here:
            check.append(f"need {q(f'sys/policies/acl/{g.policy}')} read create update")
            check.append(f"need {q(f'auth/{g.auth_mount}/role/{g.role}')} create update")
            apply += [
                f"# {g.service}: reads {', '.join(g.paths)}",
                f"ensure_policy {q(g.policy)} {q(g.policy_file)}",
                f"ensure_role {q(g.auth_mount)} {q(g.role)} {q(g.service)} {q(g.namespace)} "
                + q(g.policy),
            ]
    lines = [
        "#!/bin/sh",
        header(source).rstrip("\n"),
        f"# Vault bootstrap of env {env}: run by a Vault admin, as often as needed (idempotent).",
        "set -eu",
        'cd "$(dirname "$0")"',
        FUNCTIONS.rstrip("\n"),
        "",
        "# 1. The token's rights on every path this script may write: nothing is written without.",
        *check,
        "rights_checked",
        "",
        "# 2. Secrets engine, auth method, then each service's policy and role.",
        *apply[1:],
    ]
    return "\n".join(lines) + "\n"

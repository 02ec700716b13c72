"""Per service a secrets runbook (seed 003's guide, exact for that service): where its values
live in each env, how to add, rotate and force-sync them, how to check the synced Secret
and the pod, and its non-secret config per env. Names and paths only, never a value.
"""

from __future__ import annotations

from generator.catalog.models import AwsParameterStore, AwsSecretsManager, Service, Vault
from generator.render.facts import MANAGED_LABEL, Facts, header, secret_name
from generator.render.secret_commands import fill
from generator.render.vault import SHARED_PREFIX, refresh_after, shared_secret_name

ROOT = "runbooks"
Backend = AwsSecretsManager | AwsParameterStore | Vault
_INJECT = {"envFrom": "(all keys through `envFrom`).", "env": "(one `secretKeyRef` per key)."}
KEY_NAMES = "'{{range $k, $v := .data}}{{println $k}}{{end}}'"
BACKEND_WORDS = {
    "aws-secrets-manager": "AWS Secrets Manager",
    "aws-parameter-store": "AWS SSM Parameter Store (SecureString)",
    "vault": "HashiCorp Vault (kv-v2) via Vault Secrets Operator",
}


def runbook_path(service: str) -> str:
    return f"{ROOT}/{service}.md"


def _md(text: str) -> str:
    """Inline code for a catalog value: backticks cannot be closed by the value."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if text else "(empty)"


def render(facts: Facts) -> dict[str, str]:
    return {runbook_path(s.name): runbook(facts, s) for s in facts.services}


def runbook(facts: Facts, svc: Service) -> str:
    comment = header(facts.source(svc)).removeprefix("# ").rstrip("\n")
    out = [f"<!-- {comment} -->", f"# {svc.name}: secrets and configuration runbook", ""]
    out += [f"Owner: {_md(svc.owner)}. Catalog entry: `{facts.source(svc)}`.", ""]
    out += _secrets(facts, svc)
    out += _config(facts, svc)
    return "\n".join(out).rstrip("\n") + "\n"


def _secrets(facts: Facts, svc: Service) -> list[str]:
    plan = facts.secret_plan(svc)
    if plan is None or svc.secrets is None:
        return ["This service declares no secrets.", ""]
    name = secret_name(svc)
    out = [
        "## Secrets",
        "",
        f"Backend `{plan.backend_name}`: {BACKEND_WORDS[plan.backend.type]}. Keys: "
        + ", ".join(f"`{k}`" for k in plan.keys)
        + f". They reach the pod as the Kubernetes Secret `{name}` "
        + _INJECT[svc.secrets.inject],
        "",
        "Values never go in Git: not in the catalog, not in `rendered/`, not in a commit.",
        "",
        *_lifecycle(svc, plan.backend, plan.per_key),
        *_shared(svc, plan.backend),
        "| env | namespace | where the values live |",
        "| --- | --- | --- |",
    ]
    fills = [(env, fill(facts, svc, env)) for env in facts.envs]  # once per env, used twice
    for env, f in fills:
        assert f is not None
        ns = facts.deployed(svc, env).namespace
        out.append(f"| {env.name} | `{ns}` | " + "<br>".join(_md(p) for p in f.paths) + " |")
    out += ["", "## Add, update or rotate values", ""]
    for env, f in fills:
        assert f is not None
        out += [f"### {env.name}", ""]
        if f.note:
            out += [f"Values: {f.note}.", ""]
        out += ["```sh", *f.commands, "```", ""]
    out += _sync_and_check(facts, svc, plan.backend)
    return out


def _lifecycle(svc: Service, backend: Backend, per_key: bool) -> list[str]:
    """How each value comes to exist, and what the pod sees before it does (fail closed)."""
    if isinstance(backend, Vault):
        return []
    if backend.extractAllKeys and not per_key:
        keys = (
            "The ExternalSecret copies every key of the JSON document (`extractAllKeys`), "
            "declared or not; a declared key missing from it is not noticed."
        )
    else:
        keys = (
            "The ExternalSecret reads exactly the declared keys: keys nobody declared are not "
            "copied, and one missing key fails the whole sync."
        )
    wait = (
        "Until every declared key has a value, the ExternalSecret is not Ready "
        f"(`SecretSyncedError`), Secret `{secret_name(svc)}` does not exist and the pod does "
        "not start: there is no stand-in value."
    )
    return [_how_created(svc, backend), "", keys, wait, ""]


def _how_created(svc: Service, backend: AwsSecretsManager | AwsParameterStore) -> str:
    if isinstance(backend, AwsSecretsManager):
        if backend.valuesFrom == "github-actions":
            return (
                "Terraform (`rendered/terraform/envs/<env>`) creates the secret and writes its "
                "value from the GitHub environment secrets on every apply; a missing GitHub "
                "secret fails the plan, so no empty value is written."
            )
        return (
            "Terraform (`rendered/terraform/envs/<env>`) creates the secret with no value. "
            "The first command below writes its first version."
        )
    pushed = backend.valuesFrom == "pipeline"
    command = (
        "The command below (`gitops-gen push-secrets`)"
        if pushed
        else f"`gitops-gen push-secrets --env ENV --service {svc.name} --from-env-file FILE`"
    )
    return (
        "Terraform creates no parameter (a parameter cannot exist without a value); it only "
        f"grants the IRSA role their exact names. {command} creates each missing parameter "
        "with its first value: SecureString, the tags Terraform sets on secrets, the "
        "platform's KMS key." + ("" if pushed else " The `aws` commands below work too, untagged.")
    )


def _shared(svc: Service, backend: Backend) -> list[str]:
    if not isinstance(backend, Vault) or svc.secrets is None or not svc.secrets.shared:
        return []
    items = [
        f"`{backend.mount}/{SHARED_PREFIX}/{s}` -> Secret `{shared_secret_name(svc, s)}`"
        for s in svc.secrets.shared
    ]
    return ["Shared Vault paths it also reads (kept by the platform team): " + "; ".join(items), ""]


def _sync_and_check(facts: Facts, svc: Service, backend: Backend) -> list[str]:
    name = secret_name(svc)
    out = ["## Sync now and check", ""]
    for env in facts.envs:
        d = facts.deployed(svc, env)
        if not d.enabled:
            out += [f"### {env.name}", "", "Not deployed in this env.", ""]
            continue
        ns = d.namespace
        out += [f"### {env.name}", "", "```sh"]
        if isinstance(backend, Vault):
            out += [
                f"# VSO re-reads every {refresh_after(backend, env)} and restarts the "
                "Deployment itself (rolloutRestartTargets)",
                f"kubectl -n {ns} get vaultstaticsecret {name}",
            ]
        else:
            out += [
                f"kubectl -n {ns} annotate externalsecret {name} "
                "force-sync=$(date +%s) --overwrite",
                f"kubectl -n {ns} wait externalsecret {name} --for=condition=Ready --timeout=120s",
                f"# every managed ExternalSecret of the namespace: -l {MANAGED_LABEL}=true",
                f"kubectl -n {ns} rollout restart deployment/{svc.name}  # env vars load at start",
            ]
        out += [
            f"kubectl -n {ns} get secret {name} -o go-template={KEY_NAMES}  # key names only",
            f"kubectl -n {ns} exec deploy/{svc.name} -- printenv | cut -d= -f1 | sort"
            "  # names only",
            "```",
            "",
        ]
    return out


def _config(facts: Facts, svc: Service) -> list[str]:
    envs = [e for e in facts.envs if facts.deployed(svc, e).enabled]
    keys = sorted({k for e in envs for k in facts.deployed(svc, e).config})
    out = ["## Non-secret configuration (ConfigMap `" + f"{svc.name}-config`)", ""]
    if not keys:
        return [*out, "No config entries.", ""]
    out += ["| key | " + " | ".join(e.name for e in envs) + " |"]
    out += ["| --- |" + " --- |" * len(envs)]
    for key in keys:
        values = [facts.deployed(svc, e).config.get(key, "") for e in envs]
        cells = [_md(v.replace("\n", "\\n")).replace("|", "\\|") for v in values]
        out.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return [*out, ""]

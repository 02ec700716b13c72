"""External Secrets Operator as the AWS backend types install it: under the ServiceAccount
the Terraform role trusts, carrying that role in `cluster` store scope (seeds 000, 003)."""

from __future__ import annotations

from generator.backends.eso import IRSA_ANNOTATION, role_arn
from generator.catalog.facts import Facts
from generator.catalog.models import ESO
from generator.parts.kube import Obj
from generator.parts.operator import Operator, switched

ESO_ROLE = "external-secrets"  # the per-env role Terraform creates in `cluster` scope


def eso_service_account(facts: Facts) -> tuple[str, str]:
    """(namespace, name): what the Terraform role trusts, so also where ESO must run."""
    account = facts.platform.aws.esoServiceAccount if facts.platform.aws else ""
    namespace, _, name = (account or "external-secrets/external-secrets").partition("/")
    return namespace, name


def external_secrets(facts: Facts, used: bool) -> Operator | None:
    """ESO, where a backend syncs through it and the `aws` section gives its AWS provider
    something to read (unless `operators.externalSecrets.enabled` says otherwise)."""
    chart = facts.platform.operators.externalSecrets
    aws = facts.platform.aws
    if not switched(chart, aws is not None and used):
        return None
    namespace, name = eso_service_account(facts)
    values: dict[str, Obj] = {}
    for env in facts.envs:
        account: Obj = {"name": name}
        if aws is not None and aws.secretStoreScope == "cluster":
            arn = role_arn(aws, facts.system, env.name, ESO_ROLE)
            account["annotations"] = {IRSA_ANNOTATION: arn}
        values[env.name] = {"installCRDs": True, "serviceAccount": account}
    return Operator(ESO, chart, namespace, True, values)

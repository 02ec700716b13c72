"""How CI reaches each env's cluster: a fact of the platform's cloud, not of a backend type.

A platform with an `aws` section runs its clusters on EKS: the job assumes
`ci.deployRoleSecret` through OIDC and `aws eks update-kubeconfig` names the cluster from
`ci.clusterNameSecret`. Without one, the cluster is reached with the kubeconfig the env's
GitHub environment holds in `ci.kubeconfigSecret`: no cloud login, nothing of AWS.
A new cloud section would be one more function here; the workflows read only `ClusterAccess`.
"""

from __future__ import annotations

import shlex

from generator.backends.base import CloudLogin, ClusterAccess
from generator.catalog.models import Aws, Ci, Platform
from generator.text.yamlout import Block

KUBECONFIG_VARIABLE = "KUBECONFIG_TEXT"


def github_secret(name: str) -> str:
    return "${{ secrets." + name + " }}"


def cluster_access(platform: Platform) -> ClusterAccess:
    aws = platform.aws
    return eks_access(platform.ci, aws) if aws is not None else kubeconfig_access(platform.ci)


def eks_access(ci: Ci, aws: Aws) -> ClusterAccess:
    role = github_secret(ci.deployRoleSecret)
    login = CloudLogin(
        "Assume the AWS role (OIDC)",
        "aws-actions/configure-aws-credentials",
        (("role-to-assume", role), ("aws-region", aws.region)),
    )
    return ClusterAccess(
        secrets=(
            (ci.deployRoleSecret, "ARN of the AWS role the force-sync assumes (OIDC)"),
            (ci.clusterNameSecret, "name of the env's EKS cluster"),
        ),
        login=login,
        kubeconfig=Block(
            f'aws eks update-kubeconfig --name "$CLUSTER" --region {shlex.quote(aws.region)}'
        ),
        kubeconfig_env=(("CLUSTER", github_secret(ci.clusterNameSecret)),),
    )


def kubeconfig_access(ci: Ci) -> ClusterAccess:
    """The kubeconfig text from a GitHub secret, written where kubectl looks, readable by the
    job's user only."""
    return ClusterAccess(
        secrets=((ci.kubeconfigSecret, "kubeconfig of the env's cluster"),),
        login=None,
        kubeconfig=Block(
            "umask 077\n"
            'mkdir -p "$HOME/.kube"\n'
            f'printf \'%s\\n\' "${KUBECONFIG_VARIABLE}" > "$HOME/.kube/config"\n'
        ),
        kubeconfig_env=((KUBECONFIG_VARIABLE, github_secret(ci.kubeconfigSecret)),),
    )

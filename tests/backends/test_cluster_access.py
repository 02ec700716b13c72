"""How CI reaches a cluster: EKS through the deploy role where the platform has an `aws`
section, else the kubeconfig a GitHub secret holds (written by a script bash runs here)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from generator.backends import cluster_access
from generator.catalog.models import Platform

BASE = {
    "system": "acme",
    "gitRepo": "https://github.com/acme/gitops.git",
    "environments": [{"name": "dev"}],
}


def test_a_platform_on_aws_logs_in_with_the_deploy_role_and_names_the_eks_cluster() -> None:
    aws = {"region": "eu-west-1", "accountId": "123456789012"}
    access = cluster_access(Platform.model_validate({**BASE, "aws": aws}))
    assert access.login is not None
    assert access.login.action == "aws-actions/configure-aws-credentials"
    assert dict(access.login.inputs) == {
        "role-to-assume": "${{ secrets.AWS_DEPLOY_ROLE_ARN }}",
        "aws-region": "eu-west-1",
    }
    assert [name for name, _ in access.secrets] == ["AWS_DEPLOY_ROLE_ARN", "EKS_CLUSTER_NAME"]
    assert access.kubeconfig == 'aws eks update-kubeconfig --name "$CLUSTER" --region eu-west-1'
    assert access.kubeconfig_env == (("CLUSTER", "${{ secrets.EKS_CLUSTER_NAME }}"),)


def test_without_aws_the_kubeconfig_comes_from_the_named_secret(tmp_path: Path) -> None:
    platform = Platform.model_validate({**BASE, "ci": {"kubeconfigSecret": "DEV_KUBE"}})
    access = cluster_access(platform)
    assert access.login is None
    assert [name for name, _ in access.secrets] == ["DEV_KUBE"]
    ((variable, value),) = access.kubeconfig_env
    assert value == "${{ secrets.DEV_KUBE }}"
    text = "apiVersion: v1\nkind: Config\nclusters: []  # 'quotes' $HOME `ticks`\n"
    env = {**os.environ, "HOME": str(tmp_path), variable: text}
    subprocess.run(["bash", "-c", str(access.kubeconfig)], env=env, check=True)
    written = tmp_path / ".kube" / "config"
    assert written.read_text() == text + "\n"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600

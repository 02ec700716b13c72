"""The PR experience: drift that names its cause, `diff --base` with removals first, hooks."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.review.report import STRAY_FIX
from tests.conftest import FIXTURES, SERVICE, SERVICE_SCOPE_PLATFORM, run
from tests.tools import diff_tools

ROOT = Path(__file__).resolve().parents[2]


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def committed_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: str) -> Path:
    """A GitOps repo (the working directory) whose catalog is `fixture`, rendered and
    committed."""
    shutil.copytree(FIXTURES / fixture, tmp_path / "catalog")
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    assert run(["render"]).exit_code == 0
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A GitOps repo whose catalog is the zerotouch fixture, rendered and committed."""
    return committed_repo(tmp_path, monkeypatch, "zerotouch")


def diff(fmt: str = "text") -> tuple[int, str]:
    diff_tools()
    result = run(["diff", "--base", "HEAD", "--format", fmt])
    return result.exit_code, result.output


def test_no_change_exits_0(repo: Path) -> None:
    assert diff() == (0, "gitops-gen diff: no change to the output against HEAD\n")


def test_adding_a_service_lists_what_it_creates(repo: Path) -> None:
    text = (
        (repo / "catalog/services/service.yaml")
        .read_text()
        .replace("name: service", "name: billing")
    )
    (repo / "catalog/services/billing.yaml").write_text(text)
    code, out = diff()
    assert code == 1 and "REMOVALS" not in out
    for env in ("dev", "stg", "prod"):
        assert f"+ [{env}] Argo CD app billing-{env} added" in out
        assert f"+ [{env}] parameter /zerotouch/{env}/billing/database_url added: created" in out


def test_removing_a_service_puts_the_removal_plan_first(repo: Path) -> None:
    (repo / "catalog/services/payment-service.yaml").unlink()
    code, out = diff()
    assert code == 1
    lines = out.splitlines()
    assert lines[2] == "!!! REMOVALS: review before merging !!!"
    removals = [
        line.strip() for line in (lines[3 : lines.index("", 3)] if "" in lines[3:] else lines[3:])
    ]
    assert (
        "- [prod] Argo CD app payment-service-prod removed: Argo CD prunes everything this app deployed"
        in removals
    )
    assert (
        "- [prod] secret prod/payment-service removed: DESTROYED: deleted after 7 days" in removals
    )
    data = json.loads(diff("json")[1])
    assert data["changed"] and len(data["removals"]) == len(removals)
    markdown = diff("markdown")[1]
    assert "> [!CAUTION]" in markdown.split("| area |")[0]


def test_changing_a_key_template_touches_every_env(repo: Path) -> None:
    platform = repo / "catalog/platform.yaml"
    platform.write_text(
        platform.read_text().replace('key: "{env}/{service}"', 'key: "apps/{env}/{service}"')
    )
    code, out = diff()
    assert code == 1
    for env in ("dev", "stg", "prod"):
        assert (
            f"! [{env}] secret apps/{env}/payment-service replaced: renamed from {env}/payment-service: destroyed and created"
            in out
        )
        assert f"> [{env}] IAM role zerotouch-{env}-payment-service widened" in out
        assert f"< [{env}] IAM role zerotouch-{env}-payment-service narrowed" in out


def test_changing_one_env_config_touches_only_that_env(repo: Path) -> None:
    svc = repo / "catalog/services/payment-service.yaml"
    data = yaml.safe_load(svc.read_text())
    data.setdefault("environments", {})["stg"] = {"config": {"LOG_LEVEL": "trace"}}
    svc.write_text(yaml.safe_dump(data))
    code, out = diff()
    assert code == 1
    changes = [line for line in out.splitlines() if line.startswith("  ")]
    assert changes == [
        "  ~ [stg] ConfigMap payment/payment-service-config changed",
        "  ~ [stg] Deployment payment/payment-service changed",
    ]


def test_removal_plan_names_the_namespace_first(repo: Path) -> None:
    (repo / "catalog/services/payment-service.yaml").unlink()
    code, out = diff()
    removals = out.split("!!! REMOVALS: review before merging !!!\n")[1].splitlines()
    assert code == 1 and removals[0] == (
        "  - [dev] Namespace payment removed: Prune=false: Argo CD leaves it in place; delete "
        "it by hand once nothing runs in it"
    )
    assert "  - [stg] Deployment payment/payment-service removed: Argo CD prunes it" in removals


def test_a_key_in_a_json_secret_changes_only_its_external_secrets(repo: Path) -> None:
    """The ExternalSecret asks for each declared key (fail closed); the workloads do not change."""
    svc = repo / "catalog/services/payment-service.yaml"
    svc.write_text(svc.read_text().replace("API_KEY]", "API_KEY, WEBHOOK_SECRET]"))
    code, out = diff()
    objects = out.split("Kubernetes objects:\n")[1].split("\n\n")[0].splitlines()
    assert code == 1 and objects
    assert all(" ExternalSecret payment/payment-secrets changed" in o for o in objects)
    assert not [line for line in out.splitlines() if "Deployment" in line or "ConfigMap" in line]


def test_removing_an_env_var_is_a_removal(repo: Path) -> None:
    svc = repo / "catalog/services/service.yaml"
    svc.write_text(svc.read_text().replace("keys: [DATABASE_URL, REDIS_URL]", "keys: [REDIS_URL]"))
    code, out = diff()
    removals = out.split("!!! REMOVALS: review before merging !!!\n")[1].splitlines()
    assert code == 1
    assert (
        "  - [dev] env var DATABASE_URL (ExternalSecret service/service-db) removed: pods "
        "restart without it"
    ) in removals
    payment = repo / "catalog/services/payment-service.yaml"
    payment.write_text(payment.read_text().replace("config: {LOG_LEVEL: info}", ""))
    out = diff()[1]
    assert (
        "  - [stg] env var LOG_LEVEL (ConfigMap payment/payment-service-config) removed: pods "
        "restart without it"
    ) in out.splitlines()


def test_bad_ref_is_a_user_error(repo: Path) -> None:
    result = run(["diff", "--base", "no-such-ref"])
    assert result.exit_code == 2
    assert result.output == "--base: 'no-such-ref' is not a commit in this repository\n"


def test_check_names_service_env_and_fix(repo: Path) -> None:
    svc = repo / "catalog/services/payment-service.yaml"
    data = yaml.safe_load(svc.read_text())
    data.setdefault("environments", {})["prod"] = {"replicas": 9}
    svc.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["fix"] == "gitops-gen render"
    values = "rendered/helm/zerotouch-services/values-prod.yaml"
    assert [
        (f["source"], f["service"], f["env"], f["status"])
        for f in report["files"]
        if f["path"] == values
    ] == [("services/payment-service.yaml", "payment-service", "prod", "changed")]
    (blamed,) = [f["diff"] for f in report["files"] if f["path"] == values]
    assert "-    replicas: 3\n+    replicas: 9\n" in blamed and blamed.count("@@ -") == 1
    markdown = run(["check", "--format", "markdown"]).output
    assert (
        f"| service payment-service, env prod | `services/payment-service.yaml` | changed | `{values}` |"
        in markdown
    )
    text = run(["check", "--out", "rendered"]).output
    assert text.splitlines()[0].endswith("fix: `gitops-gen render`")
    other = run(["check", "--workflows-dir", "ci flows"]).output
    assert "fix: `gitops-gen render --workflows-dir 'ci flows'`" in other.splitlines()[0]


STRAY = "rendered/argocd/prod/extra-app.yaml"  # a folder Argo CD syncs whole


def test_a_stray_file_alone_names_its_own_fix_and_not_render(repo: Path) -> None:
    (repo / STRAY).write_text("kind: Application\n")
    text = run(["check"])
    assert text.exit_code == 1
    assert text.output.splitlines()[0] == (
        "gitops-gen: 1 stray file(s) Argo CD would deploy; fix: delete each stray file, or move"
        " it out of the output: `render` leaves it alone"
    )
    assert "gitops-gen render" not in text.output
    report = json.loads(run(["check", "--format", "json"]).output)
    assert (report["fix"], report["stray_fix"]) == ("", STRAY_FIX)
    markdown = run(["check", "--format", "markdown"]).output
    assert "- 1 stray file(s) Argo CD would deploy; fix: delete each" in markdown
    assert "gitops-gen render" not in markdown


def test_drift_and_a_stray_file_get_one_fix_each(repo: Path) -> None:
    (repo / STRAY).write_text("kind: Application\n")
    target = repo / "rendered/kustomize/payment-service/overlays/stg/kustomization.yaml"
    target.write_text(target.read_text() + "# edited\n")
    head = run(["check"]).output.splitlines()[:2]
    assert head == [
        "gitops-gen: 1 file(s) drift from the catalog; fix: `gitops-gen render`",
        f"gitops-gen: 1 stray file(s) Argo CD would deploy; fix: {STRAY_FIX}",
    ]
    assert json.loads(run(["check", "--format", "json"]).output)["fix"] == "gitops-gen render"


def test_render_dry_run_lists_what_check_lists_without_the_diffs(repo: Path) -> None:
    svc = repo / "catalog/services/payment-service.yaml"
    data = yaml.safe_load(svc.read_text())
    data.setdefault("environments", {})["prod"] = {"replicas": 9}
    svc.write_text(yaml.safe_dump(data))
    check = run(["check"]).output
    listing = check.split("--- a/", 1)[0]
    assert "+    replicas: 9" in check and "+    replicas: 9" not in listing
    dry = run(["render", "--dry-run"])
    assert (dry.exit_code, dry.output) == (0, listing)
    assert "values-prod.yaml" in listing


def test_check_names_the_service_of_a_service_file(repo: Path) -> None:
    target = repo / "rendered/kustomize/payment-service/overlays/stg/kustomization.yaml"
    target.write_text(target.read_text() + "# edited\n")
    report = json.loads(run(["check", "--format", "json"]).output)
    assert [(f["source"], f["service"], f["env"]) for f in report["files"]] == [
        ("services/payment-service.yaml", "payment-service", "stg")
    ]


def test_a_hunk_outside_every_service_keeps_the_platform_cause(repo: Path) -> None:
    values = repo / "rendered/helm/zerotouch-services/values.yaml"
    values.write_text(values.read_text().replace("system: zerotouch", "system: other"))
    report = json.loads(run(["check", "--format", "json"]).output)
    assert [(f["source"], f["service"]) for f in report["files"]] == [("platform.yaml", "")]


def test_markdown_is_truncated_for_huge_drift(repo: Path) -> None:
    shutil.rmtree(repo / "rendered")
    markdown = run(["check", "--format", "markdown"]).output
    assert "_Diffs truncated" in markdown and len(markdown.splitlines()) < 1200


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"gitops-gen-check", "gitops-gen-render"}
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["pass_filenames"] is True
        program, command = hook["entry"].split()
        assert program == "gitops-gen" and command in main.commands


def test_without_helm_the_report_says_how_it_compared(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generator.review.applied.missing_tools", lambda: "helm")
    svc = repo / "catalog/services/payment-service.yaml"
    svc.write_text(svc.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    code, out = diff()
    assert code == 1 and out.splitlines()[1] == (
        "note: helm not found: Kubernetes objects compared from rendered files, not as Argo CD "
        "would build them (install it for a per-object report)"
    )


def test_without_helm_a_dropped_namespace_is_still_a_removal(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generator.review.applied.missing_tools", lambda: "helm")
    (repo / "catalog/services/payment-service.yaml").unlink()
    out = diff()[1]
    removals = out.split("!!! REMOVALS: review before merging !!!\n")[1].splitlines()
    assert removals[0].startswith("  - [dev] Namespace payment removed: Prune=false")


WIDE = [f"svc-{n:02d}" for n in range(12)]
VALUES = "rendered/helm/acme-services/values{}.yaml"


@pytest.fixture
def wide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_catalog: Callable[..., Path]
) -> Path:
    """A rendered repo of twelve services whose chart blocks read alike but for their names."""
    services = {name: SERVICE.format(name=name) for name in WIDE}
    catalog = make_catalog(services, platform=SERVICE_SCOPE_PLATFORM)
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    assert run(["render"]).exit_code == 0
    return catalog / "services"


def blamed(path: str) -> dict[str, dict[str, str]]:
    """The `check` report's entries for one file, by service."""
    result = run(["check", "--format", "json"])
    assert result.exit_code == 1
    files = json.loads(result.output)["files"]
    return {f["service"]: f for f in files if f["path"] == path}


def edits(diff: str) -> tuple[list[str], list[str]]:
    """The lines a diff removes and adds (its `---`/`+++` header left out)."""
    body = diff.splitlines()[2:]
    return [x for x in body if x[:1] == "-"], [x for x in body if x[:1] == "+"]


def test_check_blames_every_service_of_a_wide_tag_bump(wide: Path) -> None:
    for name in WIDE:
        svc = wide / f"{name}.yaml"
        svc.write_text(svc.read_text().replace("tag: v1", f"tag: v2-{name}"))
    for env in ("dev", "prod"):
        found = blamed(VALUES.format(f"-{env}"))
        assert sorted(found) == WIDE
        for name, item in found.items():
            assert (item["source"], item["env"], item["status"]) == (
                f"services/{name}.yaml",
                env,
                "changed",
            )
            own = f"       repository: ghcr.io/acme/{name}\n-      tag: v1\n+      tag: v2-{name}\n"
            assert own in item["diff"] and item["diff"].count("@@ -") == 1
            assert edits(item["diff"]) == (["-      tag: v1"], [f"+      tag: v2-{name}"])
    check = run(["check"]).output
    assert run(["render", "--dry-run"]).output == check.split("--- a/", 1)[0]


def test_check_blames_services_added_and_removed_in_the_middle_on_themselves(wide: Path) -> None:
    """svc-05 bumped, svc-05-b added after it (a block like it), svc-08 removed."""
    svc = wide / "svc-05.yaml"
    (wide / "svc-05-b.yaml").write_text(SERVICE.format(name="svc-05-b"))
    svc.write_text(svc.read_text().replace("tag: v1", "tag: v2"))
    (wide / "svc-08.yaml").unlink()
    for suffix in ("", "-dev", "-prod"):
        found = blamed(VALUES.format(suffix))
        assert sorted(found) == (
            ["svc-05", "svc-05-b", "svc-08"] if suffix else ["svc-05-b", "svc-08"]
        )
        added, gone = found["svc-05-b"]["diff"], found["svc-08"]["diff"]
        assert edits(added)[1][0] == "+  svc-05-b:" and not edits(added)[0]
        assert edits(gone)[0][0] == "-  svc-08:" and not edits(gone)[1]
        assert found["svc-08"]["source"] == "services/svc-08.yaml"
    bumped = blamed(VALUES.format("-dev"))["svc-05"]["diff"]
    assert "-      tag: v1\n+      tag: v2\n" in bumped and "svc-05-b" not in bumped

"""Fail closed: no pod starts on an undeclared, missing or blank value.

Vault: the rendered VaultStaticSecret templates run in a real Go text/template with sprig
(Helm's engine: the one VSO uses, with `fail`, `hasKey`, `get`, `trim`), and VSO's own filter
rules (excludes, includes, `_raw`) are applied to the result, as VSO applies them.
Terraform (seed 002): a real `terraform plan` refuses an empty or blank GitHub value.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, REPO_CATALOG, render_tree
from tests.families.test_kustomize_real import write_out
from tests.families.test_terraform import MOCK_PROVIDER
from tests.tools import need, terraform_plugin_dir

pytestmark = pytest.mark.tools

VAULT_CATALOGS = [REPO_CATALOG, FIXTURES / "vault"]


def static_secrets(catalog: Path) -> list[dict[str, Any]]:
    """Every VaultStaticSecret of the catalog's Kustomize bases."""
    docs = []
    for path, text in render_tree(catalog).items():
        if path.startswith("kustomize/") and "/base/vaultstaticsecret-" in path:
            docs += [d for d in yaml.safe_load_all(text) if d]
    assert docs
    return docs


VSO_ROOT = '(dict "Secrets" .Values.secrets)'  # VSO's templates see `.Secrets`


def run_templates(
    chart: Path, templates: dict[str, str], data: dict[str, Any], root: str = VSO_ROOT
) -> dict[str, str]:
    """Each template's output for data `data` (seen as `root`), from Go's text/template +
    sprig (helm)."""
    out = "".join(
        f'  {json.dumps(key)}: {{{{ include "t{i}" {root} | b64enc }}}}\n'
        for i, key in enumerate(templates)
    )
    texts = list(templates.values())
    defines = "".join(
        f'{{{{- define "t{i}" }}}}{text}{{{{- end }}}}\n' for i, text in enumerate(texts)
    )
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: vso\nversion: 0.1.0\n")
    (chart / "templates" / "_t.tpl").write_text(defines)
    (chart / "templates" / "out.yaml").write_text(f"kind: Out\ndata:\n{out}")
    (chart / "values.yaml").write_text(json.dumps({"secrets": data}))
    done = subprocess.run(
        [need("helm"), "template", "x", str(chart)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    rendered = next(d for d in yaml.safe_load_all(done.stdout) if d)
    return {k: base64.b64decode(v or "").decode() for k, v in rendered["data"].items()}


def vso_secret_data(vss: dict[str, Any], chart: Path, kv: dict[str, Any]) -> dict[str, str]:
    """The Secret data VSO writes from kv-v2 data `kv`: filters, then templates, then `_raw`."""
    shape = vss["spec"]["destination"].get("transformation", {})
    kept = {
        k: str(v)
        for k, v in kv.items()
        if not any(re.search(p, k) for p in shape.get("excludes", []))
    }
    if shape.get("includes"):
        kept = {k: v for k, v in kept.items() if any(re.search(p, k) for p in shape["includes"])}
    templates = {k: t["text"] for k, t in shape.get("templates", {}).items()}
    if templates:
        kept.update(run_templates(chart, templates, kv))
    if not shape.get("excludeRaw"):
        kept["_raw"] = json.dumps({"data": kv})
    return kept


@pytest.mark.parametrize("catalog", VAULT_CATALOGS, ids=lambda p: p.name)
def test_a_vault_synced_secret_holds_exactly_the_declared_keys(
    catalog: Path, tmp_path: Path
) -> None:
    checked = 0
    for i, vss in enumerate(static_secrets(catalog)):
        shape = vss["spec"]["destination"]["transformation"]
        assert shape["excludeRaw"] is True, vss["metadata"]["name"]
        declared = list(shape.get("templates", {}))
        if not declared:  # a shared path: whatever the platform keeps there, never `_raw`
            assert "_raw" not in vso_secret_data(vss, tmp_path / f"c{i}", {"A": "1"})
            continue
        values = {k: f"{k.lower()} 'v' $HOME" for k in declared}
        admin_added = {**values, "AWS_ROOT_KEY": "root", "_raw": "x"}
        got = vso_secret_data(vss, tmp_path / f"c{i}", admin_added)
        assert got == values, vss["metadata"]["name"]
        checked += 1
    assert checked


@pytest.mark.parametrize("catalog", VAULT_CATALOGS, ids=lambda p: p.name)
def test_a_missing_or_blank_declared_key_fails_the_vault_sync(
    catalog: Path, tmp_path: Path
) -> None:
    vss = next(
        d
        for d in static_secrets(catalog)
        if d["spec"]["destination"]["transformation"].get("templates")
    )
    declared = list(vss["spec"]["destination"]["transformation"]["templates"])
    full = dict.fromkeys(declared, "s3cr3t-v")
    for n, (key, broken) in enumerate(
        [(declared[0], None), (declared[-1], ""), (declared[-1], " \t\n")]
    ):
        kv = {k: v for k, v in full.items() if k != key}
        if broken is not None:
            kv[key] = broken
        with pytest.raises(RuntimeError) as failed:
            vso_secret_data(vss, tmp_path / f"c{n}", kv)
        what = "missing" if broken is None else "blank"
        assert f"declared key {key} is {what} " in str(failed.value), str(failed.value)
        assert "s3cr3t" not in str(failed.value)  # names, never values


def test_the_pods_need_their_secrets_to_exist() -> None:
    """No `optional: true`: a Secret VSO or ESO did not write keeps the pod from starting."""
    for catalog in VAULT_CATALOGS:
        tree = render_tree(catalog)
        chart = [t for p, t in tree.items() if p.startswith("helm/") and "/templates/" in p]
        assert chart
        assert not any(re.search(r"optional:\s*true", t) for t in chart)


def test_terraform_refuses_empty_or_blank_github_values(tmp_path: Path) -> None:
    plugins = terraform_plugin_dir()
    out = write_out(REPO_CATALOG, tmp_path)
    folder = out / "terraform" / "envs" / "dev"
    (folder / "mock_override.tf").write_text(MOCK_PROVIDER)
    env = {"TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1", "PATH": "/usr/bin:/bin"}
    terraform = need("terraform")

    def tf(*args: str, values: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        tf_vars = {f"TF_VAR_{k}": v for k, v in (values or {}).items()}
        return subprocess.run(
            [terraform, *args, "-no-color"],
            cwd=folder,
            env={**env, **tf_vars},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    init = tf("init", "-backend=false", f"-plugin-dir={plugins}", "-input=false")
    assert init.returncode == 0, init.stderr
    good = {"lornu_ai__resend_api_key": "re_x", "lornu_ai__openai_api_key": "sk_x"}
    ok = tf("plan", "-refresh=false", "-input=false", values=good)
    assert ok.returncode == 0, ok.stderr
    for bad in ("", "   ", "\t\n"):
        done = tf(
            "plan",
            "-refresh=false",
            "-input=false",
            values={**good, "lornu_ai__openai_api_key": bad},
        )
        assert done.returncode != 0, bad
        text = " ".join(done.stderr.split())
        assert "GitHub secret LORNU_AI__OPENAI_API_KEY is empty or blank" in text, done.stderr
        assert "RESEND_API_KEY is empty" not in text

"""`gitops-gen init`: start a GitOps repo whose catalog validates as written.

Every file comes from a template under `templates/init/`; the workflows are what `render`
itself produces for the new catalog, so the first `render` finds them unchanged. A folder that
already holds any of these files is refused before anything is written.
"""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.catalog.git_url import parse_git_url
from generator.catalog.install import parse_install, unpinned_message
from generator.catalog.load import PLATFORM_FILE, SERVICES_DIR, load_catalog
from generator.catalog.models import DNS_LABEL, Ci, Platform
from generator.catalog.placeholders import placeholder_warnings
from generator.errors import CatalogError, Problem, UserError, unlocated
from generator.pipeline.render import WORKFLOWS, render_catalog
from generator.templating.builtin import templates_dir

if TYPE_CHECKING:
    import jinja2

DEFAULT_ENVS = ("dev", "stage", "prod")
RENDERED = str(Platform.model_fields["renderedPath"].default)
PLACEHOLDER_HOST = "git.invalid"  # RFC 2606: a name that never resolves
PLACEHOLDER_REPO = f"https://{PLACEHOLDER_HOST}/{{system}}/gitops.git"
# Envs sharing a cluster read AWS through per-service IRSA roles, which trust the cluster's issuer.
PLACEHOLDER_OIDC = "oidc.eks.{region}.amazonaws.com/id/REPLACE-WITH-YOUR-CLUSTER-OIDC-ID"

FILES = {  # template under templates/init/ -> file in the new repo
    "platform.yaml": f"catalog/{PLATFORM_FILE}",
    "gitkeep": f"catalog/{SERVICES_DIR}/.gitkeep",
    "Makefile": "Makefile",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "README.md": "README.md",
}
# A repository created on GitHub may start with a README (and a LICENSE and a .gitignore, which
# init never writes): init keeps it instead of refusing the folder.
KEEP = ("README.md",)


@dataclass(frozen=True)
class InitSpec:
    system: str
    environments: tuple[str, ...] = DEFAULT_ENVS
    aws_account_id: str | None = None
    region: str | None = None
    install: str | None = None
    git_repo: str | None = None


@dataclass(frozen=True)
class InitResult:
    written: list[str]
    install: str | None  # ci.install as written (None: the repo's checkout)
    placeholder_repo: bool
    placeholder_oidc: bool = False
    kept: tuple[str, ...] = ()  # files of a new GitHub repository init left as they were


def init_repo(target: Path, spec: InitSpec) -> InitResult:
    """Write the new repo into `target`, or refuse (exit 2) and write nothing."""
    _refuse_bad_spec(spec)
    install = spec.install or installed_from() or released(target)
    files = {dest: _render(name, target, spec, install) for name, dest in FILES.items()}
    files.update(_workflows(files[FILES["platform.yaml"]]))
    kept = sorted(p for p in KEEP if (target / p).is_file() and not (target / p).is_symlink())
    for path in kept:  # GitHub's own README of a new repository: the team's, left as it is
        del files[path]
    taken = sorted(p for p in files if (target / p).exists() or (target / p).is_symlink())
    folders = {str(parent) for p in files for parent in Path(p).parents if parent != Path()}
    taken += sorted(f for f in folders if _exists_as_file(target / f))
    if taken:
        exists = "already exists: init writes nothing into a folder that holds its files"
        raise UserError([unlocated(str(target / p), "", exists) for p in taken])
    for path, text in sorted(files.items()):
        dest = target / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    platform = files[FILES["platform.yaml"]]
    return InitResult(
        sorted(files),
        install,
        PLACEHOLDER_HOST in platform,
        "REPLACE-WITH-YOUR" in platform,
        tuple(kept),
    )


def _exists_as_file(path: Path) -> bool:
    """A file (or a link) where init needs a folder: refused like a file it would write."""
    return path.is_symlink() or (path.exists() and not path.is_dir())


def _refuse_bad_spec(spec: InitSpec) -> None:
    problems = []  # a flag's error names the flag: it has no file, line or column
    if (spec.aws_account_id is None) != (spec.region is None):
        flag = "--region" if spec.region is None else "--aws-account-id"
        other = "--aws-account-id" if spec.region is None else "--region"
        problems.append(unlocated(flag, "", f"missing: {other} needs it"))
    if spec.install is not None and parse_install(spec.install) is None:
        problems.append(unlocated("--install", "", unpinned_message(spec.install)))
    if not re.match(DNS_LABEL, spec.system):
        problems.append(unlocated("--system", "", f"{spec.system!r} is not a DNS label"))
    for name in spec.environments:
        if not re.match(DNS_LABEL, name):
            problems.append(unlocated("--env", "", f"{name!r} is not a DNS label"))
    if len(set(spec.environments)) != len(spec.environments):
        problems.append(unlocated("--env", "", "an environment is named twice"))
    if problems:
        raise UserError(problems)


def installed_from() -> str | None:
    """`NAME @ git+URL@COMMIT` when this gitops-gen was installed from a VCS commit (PEP 610)."""
    try:
        dist = metadata.distribution("gitops-gen")
    except metadata.PackageNotFoundError:
        return None
    info = json.loads(dist.read_text("direct_url.json") or "{}")
    vcs = info.get("vcs_info", {})
    if vcs.get("vcs") != "git" or not str(info.get("url", "")).startswith("https://"):
        return None
    spec = f"gitops-gen @ git+{info['url']}@{vcs.get('commit_id', '')}"
    return spec if parse_install(spec) is not None else None


def released(target: Path) -> str | None:
    """`gitops-gen==<this version>` unless `target` can install itself (`pip install .` needs
    a pyproject.toml or setup.py): a new GitOps repo holds a catalog, not the generator."""
    if (target / "pyproject.toml").is_file() or (target / "setup.py").is_file():
        return None
    return f"gitops-gen=={__version__}"


@cache
def _environment() -> jinja2.Environment:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(  # as every template renders (engine.py)
        loader=jinja2.FileSystemLoader(templates_dir() / "init"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # YAML and text; every value goes through `dump`
    )
    env.filters["dump"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


def _render(name: str, target: Path, spec: InitSpec, install: str | None) -> str:
    ci = Ci()
    aws = None
    if spec.region:
        oidc = PLACEHOLDER_OIDC.format(region=spec.region)
        aws = {"region": spec.region, "account_id": spec.aws_account_id, "oidc_provider": oidc}
    return (
        _environment()
        .get_template(name)
        .render(
            system=spec.system,
            git_repo=spec.git_repo
            or _origin(target)
            or PLACEHOLDER_REPO.format(system=spec.system),
            environments=list(spec.environments),
            aws=aws,
            install=install,
            schema_path=posixpath.relpath(
                posixpath.join(RENDERED, "schema", "platform.schema.json"), ci.catalogPath
            ),
        )
    )


def _origin(target: Path) -> str | None:
    """The `origin` remote when `target` is already a git repo: what Argo CD will clone."""
    if not target.is_dir():
        return None
    command = ["git", "-C", str(target), "remote", "get-url", "origin"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    url = done.stdout.strip() if done.returncode == 0 else ""
    return url if parse_git_url(url) is not None else None  # https, scp-like or ssh://


def _workflows(platform_text: str) -> dict[str, str]:
    """The workflows `render` writes for the new catalog, at `ci.workflowsPath`."""
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp)
        (catalog / PLATFORM_FILE).write_text(platform_text, encoding="utf-8")
        (catalog / SERVICES_DIR).mkdir()
        try:
            loaded = load_catalog(catalog)
        except CatalogError as exc:  # the flag the value came from: no file was written
            raise UserError([_as_flag(p.field, p.message) for p in exc.problems]) from None
    folder = loaded.platform.ci.workflowsPath
    tree = render_catalog(loaded)[WORKFLOWS]
    return {f"{folder}/{path}": text for path, text in tree.items()}


FLAGS = {  # platform.yaml field init writes -> the flag its value came from
    "system": "--system",
    "gitRepo": "--git-repo",
    "environments": "--env",
    "aws.accountId": "--aws-account-id",
    "aws.region": "--region",
    "ci.install": "--install",
}


def _as_flag(field: str, message: str) -> Problem:
    flag = next((f for name, f in FLAGS.items() if field.partition("[")[0].startswith(name)), None)
    return unlocated(flag, "", message) if flag else unlocated("init", field, message)


def next_steps(target: Path, result: InitResult) -> str:
    lines = [f"gitops-gen: wrote {len(result.written)} files in {target}"]
    lines += [f"  {path}" for path in result.written]
    lines += [f"kept your {path} as it was" for path in result.kept]
    if result.install == released(target) and result.install is not None:
        lines.append(
            f"note: ci.install pins {result.install} (this gitops-gen) for the workflows: "
            "change it in catalog/platform.yaml when you upgrade, or to a private index "
            "(`--index-url URL`), a wheel URL with its sha256 or a VCS URL at a commit"
        )
    if result.install is None:
        lines.append(
            "note: ci.install is unset, so the workflows run `pip install .`, which needs "
            "gitops-gen's source in this repo: set ci.install in catalog/platform.yaml to a "
            "pinned source (`gitops-gen==VERSION`, optionally with `--index-url URL`, or "
            "`git+https://HOST/REPO@<40 hex>`)"
        )
    platform = (target / FILES["platform.yaml"]).as_posix()
    lines += placeholder_warnings(Path(platform), platform)
    if result.placeholder_repo:
        lines.append("next: set gitRepo in catalog/platform.yaml to the URL Argo CD clones")
    if result.placeholder_oidc:
        lines.append(
            "next: set aws.oidcProvider in catalog/platform.yaml to your EKS cluster's OIDC "
            "issuer (`aws eks describe-cluster --name CLUSTER --query "
            "cluster.identity.oidc.issuer --output text`, without https://)"
        )
    lines.append("next: gitops-gen new-service NAME --owner TEAM, then make render")
    return "\n".join(lines) + "\n"

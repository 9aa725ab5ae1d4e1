"""The deployment record: which commit a real `pulumi up` deployed, kept as a stack output.

The next deploy's reviewed change set starts at that commit (docs/pipeline.md). Every successful
update writes it, a hand-run one included, so the record can never fall behind what is deployed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

RECORD_OUTPUT = "cfinfra_deployed"
"""The stack output holding the record (``pulumi stack output --json cfinfra_deployed``)."""


def deployment_record(root: Path) -> dict[str, Any]:
    """``{"commit", "dirty", "run"}`` for the checkout at ``root``.

    ``dirty`` is true when the working tree differs from the commit (a hand-run `up` of uncommitted
    changes) or git cannot tell: the next deploy then does not trust the record and nothing counts
    as reviewed until a reviewer names a base (docs/runbooks/deploy.md).
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit,
        "dirty": commit is None or status is None or bool(status),
        "run": os.environ.get("GITHUB_RUN_ID"),
    }

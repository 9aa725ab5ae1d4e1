"""The base of a diff: the stack's data files as of a git revision, planned with the current code.

Only data is taken from the revision (``Pulumi.yaml``, ``Pulumi.*.yaml``, ``secrets/``,
``data/``), so the diff shows what the *data* change does; code changes are reviewed as code.
``git archive`` writes them to a temporary directory; the working tree and the index are never
touched.
"""

from __future__ import annotations

import fnmatch
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.plan.model import Plan

DATA_NAMES = ("Pulumi.yaml", "secrets", "data")
DATA_PATTERNS = ("Pulumi.*.yaml",)


class RevisionError(Exception):
    """The revision cannot be read (not a git checkout, unknown revision, git failed)."""


@dataclass(frozen=True)
class BasePlan:
    plan: Plan
    commit: str
    """The full commit id the revision resolved to."""
    stack_missing: bool = False
    """The stack did not exist at that revision: the base is empty and everything is new."""


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise RevisionError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        msg = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
        raise RevisionError(f"git {args[0]}: {msg}")
    return done.stdout


def _is_data(name: str) -> bool:
    return name in DATA_NAMES or any(fnmatch.fnmatchcase(name, p) for p in DATA_PATTERNS)


def _toplevel(root: Path) -> Path:
    return Path(_git(root, "rev-parse", "--show-toplevel").decode().strip()).resolve()


def resolve_commit(root: Path, rev: str) -> str:
    """The full commit id ``rev`` names in the repository holding ``root``."""
    top = _toplevel(root.resolve())
    try:
        out = _git(top, "rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"unknown revision `{rev}`") from None
    return out.decode().strip()


def extract_revision(root: Path, commit: str, dest: Path) -> list[str]:
    """Write ``root``'s data files as of ``commit`` into ``dest``; returns the names taken."""
    root = root.resolve()
    top = _toplevel(root)
    prefix = root.relative_to(top).as_posix()
    # A tree-ish rooted at the project keeps paths relative to it, wherever the repository starts.
    tree = f"{commit}^{{tree}}" if prefix == "." else f"{commit}:{prefix}"
    try:
        listing = _git(top, "ls-tree", "--name-only", tree).decode().splitlines()
    except RevisionError:
        # Only when the project folder itself did not exist yet at that commit.
        _git(top, "cat-file", "-e", f"{commit}^{{commit}}")
        listing = []
    names = [n for n in listing if _is_data(n)]
    if names:
        archive = _git(top, "archive", "--format=tar", tree, "--", *names)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    return names


def plan_revision(root: Path, stack: str, commit: str) -> BasePlan:
    """The offline plan of ``stack``'s data as of ``commit``. Raises ``ConfigError`` if invalid."""
    from infra.config.loader import stack_file_name
    from infra.plan.engine import plan_stack

    with tempfile.TemporaryDirectory(prefix="cfinfra-diff-base-") as tmp:
        names = extract_revision(root, commit, Path(tmp))
        if stack_file_name(stack) not in names:
            return BasePlan(Plan(stack=stack), commit, stack_missing=True)
        return BasePlan(plan_stack(Path(tmp), stack), commit)

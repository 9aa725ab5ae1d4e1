"""The base of a diff: the stack as of a git revision, planned with *that revision's* code and lock.

A pull request changes data *and* code. Planning the base's data with the head's code would let a
PR that deletes ``declare_heroku()`` show "no changes": both sides would lack Heroku. So the base
is planned the way it was written:

1. ``git archive`` writes the revision's project tree (code, ``uv.lock``, data) to a temporary
   directory; the working tree, the index and the repository's worktree list are never touched.
2. If the revision's ``uv.lock`` is byte-identical to the running environment's (the usual case:
   most PRs do not touch dependencies), the base's own code runs on this interpreter, with the
   base tree first on ``sys.path``: the same locked packages, the base's ``infra`` package.
3. Otherwise ``uv run --locked --offline --project <tree> cfinfra plan ...`` builds the base's
   own environment from uv's cache; if something is not cached, it is tried once more online,
   and if that fails too the error says so and names ``--base-plan`` as the way out.

The base's ``cfinfra plan --json`` writes the plan; its exit code keeps its meaning (2 invalid
configuration, 3 a secret would leak). A revision without project code of its own (a repository of
data files only) is planned with the running code, and the report says so.
"""

from __future__ import annotations

import fnmatch
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.plan.model import Plan

DATA_NAMES = ("Pulumi.yaml", "secrets", "data")
DATA_PATTERNS = ("Pulumi.*.yaml",)
CODE_MARKERS = ("pyproject.toml", "uv.lock", "infra")
"""A tree holding all three plans itself; one without them is a data-only tree."""
PLAN_TIMEOUT = 900
"""Seconds for the base's plan, environment set-up included (a cold uv cache is slow)."""

# Runs the tree's own CLI: ``sys.path[0]`` is the working directory (the tree) with ``-c``.
_BOOT = "import sys; sys.argv[0] = 'cfinfra'; from infra.cli import main; main()"


class RevisionError(Exception):
    """The revision cannot be read or planned (not a git checkout, unknown revision, git, uv or
    the base's own ``cfinfra`` failed)."""


class BaseRefused(Exception):
    """The base's own ``cfinfra plan`` refused its configuration (exit 2) or a leak (exit 3)."""

    def __init__(self, report: str, *, leak: bool):
        super().__init__(report)
        self.report = report
        self.leak = leak


@dataclass(frozen=True)
class BasePlan:
    plan: Plan
    commit: str
    """The full commit id the revision resolved to."""
    stack_missing: bool = False
    """The stack did not exist at that revision: the base is empty and everything is new."""
    how: str = "its own code"
    """How the base was planned, for the report's header."""


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


def _tree(root: Path, commit: str) -> tuple[Path, str]:
    root = root.resolve()
    top = _toplevel(root)
    prefix = root.relative_to(top).as_posix()
    # A tree-ish rooted at the project keeps paths relative to it, wherever the repository starts.
    return top, f"{commit}^{{tree}}" if prefix == "." else f"{commit}:{prefix}"


def _listing(top: Path, tree: str, commit: str) -> list[str]:
    try:
        return _git(top, "ls-tree", "--name-only", tree).decode().splitlines()
    except RevisionError:
        # Only when the project folder itself did not exist yet at that commit.
        _git(top, "cat-file", "-e", f"{commit}^{{commit}}")
        return []


def _extract(top: Path, tree: str, names: list[str], dest: Path) -> None:
    if names:
        archive = _git(top, "archive", "--format=tar", tree, "--", *names)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")


def extract_revision(root: Path, commit: str, dest: Path) -> list[str]:
    """Write ``root``'s data files as of ``commit`` into ``dest``; returns the names taken."""
    top, tree = _tree(root, commit)
    names = [n for n in _listing(top, tree, commit) if _is_data(n)]
    _extract(top, tree, names, dest)
    return names


def has_own_code(names: list[str] | Path) -> bool:
    """Whether a tree (its top-level names, or a directory) carries its own code and lock."""
    if isinstance(names, Path):
        return all((names / m).exists() for m in CODE_MARKERS)
    return all(m in names for m in CODE_MARKERS)


def running_lock() -> Path | None:
    """The ``uv.lock`` of the code running now (a source checkout), if there is one."""
    here = Path(__file__).resolve().parents[2]
    lock = here / "uv.lock"
    return lock if lock.is_file() and (here / "infra").is_dir() else None


def same_code(tree: Path) -> bool:
    """Whether ``tree`` is the checkout the running code was imported from."""
    return Path(__file__).resolve().parents[2] == tree.resolve()


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=PLAN_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise RevisionError(f"planning timed out after {PLAN_TIMEOUT} s: {' '.join(cmd)}") from None
    except OSError as exc:
        raise RevisionError(f"cannot run {cmd[0]}: {exc}") from None


def plan_tree(tree: Path, stack: str, *, label: str) -> tuple[Plan, str]:
    """Plan ``stack`` in ``tree`` with ``tree``'s own code and lock; returns the plan and how.

    Raises ``BaseRefused`` when that code refuses the configuration (its exit 2 or 3), and
    ``RevisionError`` when it cannot be run at all.
    """
    with tempfile.TemporaryDirectory(prefix="cfinfra-diff-plan-") as tmp:
        return _plan_tree(tree, stack, label, Path(tmp) / "plan.json")


def _plan_tree(tree: Path, stack: str, label: str, out: Path) -> tuple[Plan, str]:
    args = ["plan", "--stack", stack, "--root", str(tree), "--json", str(out)]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    lock = running_lock()
    if lock is not None and lock.read_bytes() == (tree / "uv.lock").read_bytes():
        how = f"{label}'s own code (same `uv.lock` as this environment)"
        done = _run([sys.executable, "-c", _BOOT, *args], tree, {**env, "PYTHONPATH": str(tree)})
    else:
        how = f"{label}'s own code and `uv.lock` (`uv run --locked`)"
        base_cmd = [*_uv(), "run", "--locked", "--no-dev", "--project", str(tree), "--"]
        done = _run([*base_cmd[:2], "--offline", *base_cmd[2:], "cfinfra", *args], tree, env)
        if done.returncode != 0 and not out.exists() and _env_failure(done):
            offline = _tail(done.stderr, 4)
            done = _run([*base_cmd, "cfinfra", *args], tree, env)
            if done.returncode != 0 and _env_failure(done):
                raise RevisionError(
                    f"cannot build the {label}'s environment from its uv.lock, offline from uv's "
                    f"cache nor online:\n{offline}\n{_tail(done.stderr, 4)}\n"
                    "Plan it yourself and compare plan files: "
                    "cfinfra diff --base-plan base.json --head-plan head.json"
                )
    if done.returncode in (2, 3) and not out.exists():
        raise BaseRefused(_tail(done.stderr + done.stdout, 200), leak=done.returncode == 3)
    if done.returncode != 0 or not out.exists():
        raise RevisionError(
            f"the {label}'s own `cfinfra plan` failed (exit {done.returncode}):\n"
            f"{_tail(done.stderr or done.stdout)}"
        )
    try:
        return Plan.read(out), how
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RevisionError(f"the {label}'s plan JSON cannot be read by this code: {exc}") from None


def _env_failure(done: subprocess.CompletedProcess[str]) -> bool:
    """uv could not set the environment up (as opposed to the base's program failing in it)."""
    text = done.stderr
    return done.returncode not in (1, 2, 3) or any(
        m in text
        for m in (
            "error: Failed to",
            "network",
            "offline",
            "not found in the cache",
            "wasn't found in the cache",
            "Network connectivity is disabled",
            "lockfile",
            "No solution found",
        )
    )


def plan_revision(root: Path, stack: str, commit: str) -> BasePlan:
    """The offline plan of ``stack`` as of ``commit``, with that commit's own code when it has it.

    Raises ``BaseRefused`` if that code refuses the configuration, ``RevisionError`` if it cannot
    be planned at all, and (data-only trees) ``ConfigError`` from the running code.
    """
    from infra.config.loader import stack_file_name
    from infra.plan.engine import plan_stack

    top, tree = _tree(root, commit)
    listing = _listing(top, tree, commit)
    with tempfile.TemporaryDirectory(prefix="cfinfra-diff-base-") as tmp:
        dest = Path(tmp)
        if stack_file_name(stack) not in listing:
            return BasePlan(Plan(stack=stack), commit, stack_missing=True, how="nothing to plan")
        if not has_own_code(listing):
            _extract(top, tree, [n for n in listing if _is_data(n)], dest)
            how = "this code (the revision holds data files only)"
            return BasePlan(plan_stack(dest, stack), commit, how=how)
        _extract(top, tree, listing, dest)
        plan, how = plan_tree(dest, stack, label="base")
        return BasePlan(plan, commit, how=how)

"""Shared fixtures: the repository's real stack, a disposable copy of it, and its offline plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.snapshots import json_snapshot, md_snapshot, text_snapshot, yaml_snapshot

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_DATA = ("Pulumi.yaml", "Pulumi.prod.yaml", "secrets", "data")
FIXTURE_ROOT = REPO_ROOT / "tests" / "fixtures" / "stack"
"""The fixture stack: every domain, a few entities each (tests/fixtures/README.md)."""
FIXTURE_STACK = "fixture"

__all__ = ["json_snapshot", "md_snapshot", "text_snapshot", "yaml_snapshot"]


def copy_stack(dest: Path) -> Path:
    """Copy the stack's files (not the code) so a test can break them without touching the repo."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in STACK_DATA:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throw-away copy of the prod stack's data files, to mutate."""
    return copy_stack(tmp_path / "project")


@pytest.fixture(scope="session")
def prod_plan():
    """The offline plan of the real prod stack (computed once per test session)."""
    from infra.plan.engine import plan_stack

    return plan_stack(REPO_ROOT, "prod")


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    """A throw-away copy of the fixture stack, to mutate."""
    dest = tmp_path / "fixture"
    shutil.copytree(FIXTURE_ROOT, dest)
    return dest


@pytest.fixture(scope="session")
def fixture_plan():
    """The offline plan of the fixture stack (computed once per test session)."""
    from infra.plan.engine import plan_stack

    return plan_stack(FIXTURE_ROOT, FIXTURE_STACK)

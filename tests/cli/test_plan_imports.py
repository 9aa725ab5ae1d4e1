"""A command pays for itself only: no other sub-command's module is imported (``LAZY``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.cli import LAZY

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROOT = REPO_ROOT / "tests" / "fixtures" / "stack"
LAZY_MODULES = {lazy.module for lazy in LAZY.values()}
RICH_ENV = ("COLUMNS", "LINES", "TERM", "TTY_COMPATIBLE", "FORCE_COLOR", "CI")


def modules_loaded_by(args: list[str]) -> set[str]:
    """Every module a fresh interpreter holds after running ``cfinfra ARGS`` (which must pass)."""
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from infra.cli import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    # Output into pipes, no terminal anywhere, rich's environment variables unset: what CI and
    # `cfinfra plan > file` see (a terminal is rich's to style).
    env = {k: v for k, v in os.environ.items() if k not in RICH_ENV}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


@pytest.fixture(scope="module")
def plan_loads(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The modules of one fresh ``cfinfra plan`` of the fixture stack into a file (what CI runs).

    The fixture stack's plan prints a warning (a Heroku app id left as set by hand) too.
    """
    json_path = tmp_path_factory.mktemp("plan") / "plan.json"
    args = ["plan", "--stack", "fixture", "--root", str(FIXTURE_ROOT), "--json", str(json_path)]
    return modules_loaded_by(args)


def test_plan_imports_no_other_sub_command_module(plan_loads):
    assert "infra.plan.engine" in plan_loads
    assert not plan_loads & LAZY_MODULES, plan_loads & LAZY_MODULES
    assert not any(m == "infra.adopt" or m.startswith("infra.adopt.") for m in plan_loads)


def test_validate_imports_no_other_sub_command_module_and_no_pulumi():
    loaded = modules_loaded_by(["validate"])
    assert "infra.config.loader" in loaded
    assert not loaded & LAZY_MODULES, loaded & LAZY_MODULES
    assert not any(m.startswith("pulumi") for m in loaded), "validate must not import Pulumi"


def test_plan_prints_its_summary_warnings_and_paths_without_importing_rich(plan_loads):
    assert "infra.plan.summary" in plan_loads
    assert not any(m == "rich" or m.startswith("rich.") for m in plan_loads)

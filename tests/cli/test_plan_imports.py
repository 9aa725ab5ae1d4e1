"""A command pays for itself only: no other sub-command's module is imported (``LAZY``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.cli import LAZY

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROOT = REPO_ROOT / "tests" / "fixtures" / "stack"
LAZY_MODULES = {lazy.module for lazy in LAZY.values()}


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
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


@pytest.fixture(scope="module")
def plan_loads(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The modules of one fresh ``cfinfra plan`` of the fixture stack into a file (what CI runs)."""
    json_path = tmp_path_factory.mktemp("plan") / "plan.json"
    args = ["plan", "--stack", "fixture", "--root", str(FIXTURE_ROOT), "--json", str(json_path)]
    return modules_loaded_by(args)


def test_plan_imports_no_other_sub_command_module(plan_loads):
    assert "infra.plan.engine" in plan_loads
    assert not plan_loads & LAZY_MODULES, plan_loads & LAZY_MODULES
    assert not any(
        m == "infra.switchover.yaml_import" or m.startswith("infra.switchover.yaml_import.")
        for m in plan_loads
    )


def test_validate_imports_no_other_sub_command_module_and_no_pulumi():
    loaded = modules_loaded_by(["validate"])
    assert "infra.config.loader" in loaded
    assert not loaded & LAZY_MODULES, loaded & LAZY_MODULES
    assert not any(m.startswith("pulumi") for m in loaded), "validate must not import Pulumi"

"""``cfinfra plan`` pays for the plan only: no other sub-command's module is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from infra.cli import LAZY

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROOT = REPO_ROOT / "tests" / "fixtures" / "stack"


def test_plan_imports_no_other_sub_command_module():
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from infra.cli import app\n"
        f"args = ['plan', '--stack', 'fixture', '--root', {str(FIXTURE_ROOT)!r}]\n"
        "result = CliRunner().invoke(app, args)\n"
        "assert result.exit_code == 0, result.output\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    assert "infra.plan.engine" in loaded
    lazy_modules = {lazy.module for lazy in LAZY.values()}
    assert not loaded & lazy_modules, loaded & lazy_modules
    assert not any(m == "infra.adopt" or m.startswith("infra.adopt.") for m in loaded)

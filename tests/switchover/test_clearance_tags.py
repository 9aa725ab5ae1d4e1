"""`cfinfra clearance-tags`: the one-time `op` commands that tag every 1Password item with the
clearance the manifest gives it today (real runs' check: tests/foundation/test_clearance.py)."""

from __future__ import annotations

from typer.testing import CliRunner

from infra.cli import app
from infra.config.loader import load_project
from infra.switchover.clearance_cli import tagging_commands
from tests.conftest import REPO_ROOT


def test_the_tagging_commands_tag_each_item_once_with_its_widest_clearance():
    project = load_project(REPO_ROOT, "prod")
    lines = tagging_commands(project.secrets)
    items = {e.secret.onepassword.item for e in project.secrets}
    assert len(lines) == len(items)
    assert (
        "op item edit 'prod-binstar-token' --vault 'pulumi' --tags 'cfinfra:cleared-for=core'"
        in lines
    )


def test_the_clearance_tags_command_prints_them_offline():
    result = CliRunner().invoke(app, ["clearance-tags", "--root", str(REPO_ROOT)])
    assert result.exit_code == 0, result.output
    assert "op item edit 'staging-binstar-token' --vault 'pulumi'" in result.output

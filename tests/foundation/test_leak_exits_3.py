"""A leak exits 3 from every command that loads the stack, as the README's exit-code table says.

The leak guard's verdict is one contract (``ExitCode.SECRETS``), not a per-command choice: a
workflow that treats 2 as "fix your YAML" must never see a leak as a typo. The incident is planted
in the fixture stack (its production upload token added to the variable group every feedstock
reads) and each command that loads that stack is run in-process, as an admin would type it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.exitcodes import ExitCode
from tests.conftest import FIXTURE_STACK

LEAK = "LEAK: secret `prod-upload-token` is cleared for `core`"


def plant_the_incident(root: Path) -> None:
    """The 2025 mistake: the production token in feedstock-builds' `anaconda-org` group."""
    token = root / "secrets" / "prod-upload-token.yaml"
    token.write_text(
        token.read_text().rstrip("\n")
        + "\n- {kind: azure-variable, project: feedstock-builds, group: anaconda-org,"
        " variable: PROD_TOKEN}\n"
    )


def commands(root: Path, scratch: Path) -> dict[str, list[str]]:
    stack = ["--root", str(root), "--stack", FIXTURE_STACK]
    workflows = scratch / "workflows"
    workflows.mkdir()
    deployed = scratch / "deployed.json"
    deployed.write_text(json.dumps({"version": 3, "deployment": {"resources": []}}))
    return {
        "validate": ["validate", *stack],
        "plan": ["plan", *stack],
        "who-can read": ["who-can", "read", "prod-upload-token", *stack],
        "who-can use": ["who-can", "use", "cirun-gpu", *stack],
        "access": ["access", "someone", *stack],
        "snapshot": ["snapshot", "--output", str(scratch / "snap.json"), *stack],
        "actions-audit": ["actions-audit", str(workflows), *stack],
        "rotation plan": ["rotation", "plan", "prod-upload-token", *stack],
        "import-plan": ["import-plan", "--output", str(scratch / "import.json"), *stack],
        "deploy-guard": ["deploy-guard", "--deployed", str(deployed), *stack],
        "diff": ["diff", "--base", "HEAD", *stack],
    }


@pytest.fixture
def incident(fixture_copy: Path) -> Path:
    # `diff` compares against a git revision: the clean fixture is the base, the incident the head.
    git = ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci", "-C", str(fixture_copy)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    plant_the_incident(fixture_copy)
    return fixture_copy


def test_every_command_that_loads_the_stack_exits_3_on_a_leak_and_names_it(
    incident: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(incident)  # `diff` reads the repository it is run in
    monkeypatch.setenv("GITHUB_TOKEN", "")  # `snapshot` must fail on the leak, not on the token
    wrong = {}
    for name, args in commands(incident, tmp_path).items():
        result = CliRunner().invoke(app, args)
        if result.exit_code != ExitCode.SECRETS or LEAK not in result.output:
            wrong[name] = (result.exit_code, result.output[-300:])
    assert wrong == {}


def test_the_same_commands_pass_the_guard_on_the_clean_fixture(
    fixture_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proof the table above tests the leak: without it, no command exits 3 or names one."""
    monkeypatch.chdir(fixture_copy)
    monkeypatch.setenv("GITHUB_TOKEN", "")
    for name, args in commands(fixture_copy, tmp_path).items():
        if name == "diff":
            continue  # the copy is not a git repository here; `diff` is covered above
        result = CliRunner().invoke(app, args)
        assert result.exit_code != ExitCode.SECRETS, (name, result.output[-300:])
        assert "LEAK" not in result.output, name

"""`cfinfra rotation plan`: what a rotation delivers, said once and truthfully."""

from __future__ import annotations

from typer.testing import CliRunner

from infra.cli import app
from infra.config.loader import load_project
from infra.rotation.plan import render, rotation_plan
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT

runner = CliRunner()


def _cirun_plan(by_hand: list[str]) -> str:
    project = load_project(FIXTURE_ROOT, FIXTURE_STACK)
    entry = next(e for e in project.secrets if e.id == "cirun-aws-access-key")
    rotation = entry.secret.rotation.model_copy(update={"by_hand": by_hand})
    entry = entry.model_copy(
        update={"secret": entry.secret.model_copy(update={"rotation": rotation})}
    )
    return render(rotation_plan(project, entry, []))


def test_a_key_without_targets_is_not_said_to_be_delivered_by_pulumi_up() -> None:
    text = _cirun_plan(["Paste the new key into cirun.io's dashboard"])
    assert "Deliver: `pulumi up`" not in text
    assert "nothing is delivered; its consumer reads 1Password" not in text
    assert "`pulumi up` delivers nothing; the [person] steps deliver it" in " ".join(text.split())
    steps = text.split("Steps:")[1]
    # The paste comes right after the key is stored, before the old key is deactivated.
    assert steps.index("Paste the new key") < steps.index("Deactivate the old key")
    assert steps.index("Create an access key") < steps.index("Paste the new key")


def test_a_key_without_targets_or_steps_by_hand_is_read_from_1password() -> None:
    text = _cirun_plan([])
    assert "Deliver: `pulumi up`" not in text
    assert "its consumer reads 1Password directly" in " ".join(text.split())


def test_the_heroku_deploy_key_plan_checks_the_deploy_before_the_old_key_goes() -> None:
    result = runner.invoke(
        app, ["rotation", "plan", "heroku-api-key", "--root", str(REPO_ROOT)], terminal_width=80
    )
    assert result.exit_code == 0, result.output
    steps = " ".join(result.stdout.split("Steps:")[1].split())
    assert "release.yml" in steps
    assert "HEROKU_EMAIL" in steps
    assert steps.index("Deliver") < steps.index("release.yml") < steps.index("revoke the old")
    assert max(len(line) for line in result.stdout.splitlines() if "urn:" not in line) <= 80


def test_a_targeted_up_names_the_urns_the_plan_and_the_engine_give(fixture_plan) -> None:
    """``pulumi up --target`` matches URNs exactly: each carrier's is the plan's URN of the
    same resource (the engine's: the whole parent type chain, nothing for the root stack)."""
    from infra.rotation.targets import carriers

    found = carriers(load_project(FIXTURE_ROOT, FIXTURE_STACK))
    planned = {(r.type, r.name): r.urn for r in fixture_plan.resources}
    assert found.resources
    assert all(planned[(r.type, r.name)] == r.urn for r in found.resources)
    assert any("$" in r.urn for r in found.resources)  # some carriers are children

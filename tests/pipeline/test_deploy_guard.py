"""The removal guard before a deploy compares with what is deployed, so it can never wedge."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.diff.guard import GuardPolicy, check_against_deployed
from infra.pipeline.deployed import StateError, deployed_plan
from infra.plan.model import Plan
from tests.conftest import FIXTURE_STACK
from tests.pipeline.helpers import HOOK_T, WEBHOOKS, hook, member, plan, repo, stack_export, urn

APPROVED = GuardPolicy(allow_removals=True)


def _deploy(head: Plan) -> Plan:
    """`pulumi up` of ``head``: what `pulumi stack export` shows afterwards, read back."""
    return deployed_plan(stack_export(head))


def test_remove_on_purpose_approve_deploy_then_the_next_commit_is_not_blocked() -> None:
    deployed = _deploy(plan(hook("a"), hook("b"), repo("x")))

    # 1. A commit removes one of two webhooks on purpose: the guard refuses it.
    removal = plan(hook("a"), repo("x"))
    assert check_against_deployed(deployed, removal, GuardPolicy()).tripped

    # 2. The production reviewers approve a run with `allow-removals`: it passes, still reported.
    approved = check_against_deployed(deployed, removal, APPROVED)
    assert approved.violated
    assert not approved.tripped

    # 3. `up` succeeds: the deployed state now lacks the webhook.
    deployed = _deploy(removal)

    # 4. The next, unrelated commit is compared with that state: nothing is removed, no block.
    unrelated = plan(hook("a"), repo("x", description="new"), repo("y"))
    assert not check_against_deployed(deployed, unrelated, GuardPolicy()).violated


def test_a_removal_never_deployed_still_trips_the_next_commit() -> None:
    """Without the approved run, a later commit cannot smuggle the removal through."""
    deployed = _deploy(plan(hook("a"), hook("b")))
    later = plan(hook("a"), repo("unrelated"))
    assert check_against_deployed(deployed, later, GuardPolicy()).tripped


def test_a_hand_run_up_advances_the_guard_too() -> None:
    deployed = _deploy(plan(hook("a"), hook("b")))
    by_hand = plan(hook("a"))  # an admin's `pulumi up` removed it
    assert not check_against_deployed(_deploy(by_hand), by_hand, GuardPolicy()).violated
    assert check_against_deployed(deployed, by_hand, GuardPolicy()).tripped


def test_removing_an_owner_from_what_is_deployed_trips() -> None:
    people = [member(f"m{i:03}") for i in range(30)]
    deployed = _deploy(plan(*people, member("boss", "admin")))
    result = check_against_deployed(deployed, plan(*people, member("boss")), GuardPolicy())
    assert result.owners_removed == ("boss",)


def test_providers_and_the_root_stack_are_never_counted_as_removed() -> None:
    deployed = _deploy(plan(hook("a")))
    assert {r.type for r in deployed.resources} == {
        "cfinfra:github:Webhooks",
        "github:index/organizationWebhook:OrganizationWebhook",
    }
    assert not check_against_deployed(deployed, plan(hook("a")), GuardPolicy()).violated


@pytest.mark.parametrize(
    "doc", [[], {"deployment": []}, {"deployment": {"resources": [{"urn": "nope"}]}}]
)
def test_a_document_that_is_no_stack_export_is_refused(doc: object) -> None:
    with pytest.raises(StateError):
        deployed_plan(doc)


def test_a_schema_change_never_blocks_the_guard(
    fixture_plan: Plan, fixture_copy: Path, tmp_path: Path
) -> None:
    """The guard reads the deployed state, never an old commit: the project copy is not even a
    git repository, and the state was written by an older program whose inputs had another shape
    (here: every input renamed, an unknown field per resource, a future export version)."""
    export = stack_export(fixture_plan)
    export["version"] = 4
    for r in export["deployment"]["resources"]:
        r["inputs"] = {f"old_{k}": v for k, v in r.get("inputs", {}).items()}
        r["someFutureField"] = True
    state = tmp_path / "state.json"
    state.write_text(json.dumps(export))
    result = CliRunner().invoke(
        app,
        [
            "deploy-guard",
            "--deployed",
            str(state),
            "--stack",
            FIXTURE_STACK,
            "--root",
            str(fixture_copy),
            "-o",
            str(tmp_path / "g.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "removal guard: ok" in result.stderr
    assert "Nothing is removed" in (tmp_path / "g.md").read_text()


def test_the_cli_trips_on_a_removal_and_passes_it_once_approved(
    fixture_plan: Plan, fixture_copy: Path, tmp_path: Path
) -> None:
    # Deployed: the head's plan plus one webhook that the head no longer declares.
    extra = replace(hook("retired"), urn=urn(HOOK_T, "retired", WEBHOOKS, stack=FIXTURE_STACK))
    deployed = Plan(fixture_plan.stack, [*fixture_plan.resources, extra])
    state = tmp_path / "state.json"
    state.write_text(json.dumps(stack_export(deployed)))
    root = ["--stack", FIXTURE_STACK, "--root", str(fixture_copy)]
    args = ["deploy-guard", "--deployed", str(state), *root]
    tripped = CliRunner().invoke(app, args)
    assert tripped.exit_code == 1, tripped.output
    assert "OrganizationWebhook" in tripped.stdout
    # The approver is told which resource goes, not only how many.
    assert ": `retired`" in tripped.stdout
    assert "allow-removals" in tripped.stdout
    approved = CliRunner().invoke(app, [*args, "--allow-removals"])
    assert approved.exit_code == 0, approved.output
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    unreadable = CliRunner().invoke(app, ["deploy-guard", "--deployed", str(bad), *root])
    assert unreadable.exit_code == 2
    assert "Traceback" not in unreadable.output


def test_the_deployment_record_names_the_commit_and_whether_the_tree_was_clean(
    tmp_path: Path,
) -> None:
    import subprocess

    from infra.deployment import deployment_record

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "f").write_text("1")
    git("add", "f")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    record = deployment_record(tmp_path)
    assert record["commit"] == git("rev-parse", "HEAD")
    assert record["dirty"] is False
    (tmp_path / "f").write_text("2")
    assert deployment_record(tmp_path)["dirty"] is True
    assert deployment_record(tmp_path / "nowhere")["dirty"] is True


def test_a_resource_pending_replacement_is_deployed_and_its_removal_counts() -> None:
    """apitype ResourceV3: `pendingReplacement` is deleted by a delete-before-replace and not yet
    re-created; the program still owns it, so a head that drops it removes it (issue 27.10)."""
    hooks = [hook(n) for n in "abcd"]
    export = stack_export(plan(*hooks))
    for res in export["deployment"]["resources"]:
        if res["urn"].endswith("::a") or res["urn"].endswith("::b"):
            res["pendingReplacement"] = True
    deployed = deployed_plan(export)
    assert {r.name for r in deployed.resources} >= {"a", "b", "c", "d"}
    assert check_against_deployed(deployed, plan(hooks[2], hooks[3]), GuardPolicy()).tripped


def test_a_resource_marked_delete_is_already_going_away() -> None:
    export = stack_export(plan(hook("a"), hook("b")))
    for res in export["deployment"]["resources"]:
        if res["urn"].endswith("::b"):
            res["delete"] = True
    assert "b" not in {r.name for r in deployed_plan(export).resources}

"""Runner grants in the pull-request diff: per person, with `pull_request` and `users_from_json`
spelled out, a GPU grant labelled, and whether the grant is applied at all."""

from __future__ import annotations

from pathlib import Path

from infra.diff.access import FROM_JSON, NOT_APPLIED, REPOSITORY_FILE, person_changes
from infra.diff.markdown import render_markdown
from infra.diff.risks import build_report, risks
from infra.plan.engine import plan_stack
from infra.plan.model import Plan, PlannedResource
from tests.conftest import FIXTURE_STACK
from tests.runners.runner_helpers import DATA
from tests.stack_edits import edit_yaml

SCIPY = f"{DATA}/access/scipy.yaml"  # grants cirun-aws-gpu-t4 to `ada-owner`, pushes only


def _per_person(md: str) -> str:
    return md.split("### Access per person", 1)[1].split("\n### ", 1)[0]


def _diff(root: Path, edit) -> tuple[str, list]:
    base = plan_stack(root, FIXTURE_STACK)
    edit()
    report = build_report(base, plan_stack(root, FIXTURE_STACK))
    return render_markdown(report), risks(report)


def test_a_person_added_to_a_runner_grant_is_named_under_access_per_person(fixture_copy):
    md, found = _diff(
        fixture_copy,
        lambda: edit_yaml(fixture_copy / SCIPY, lambda d: d["cirun"][0]["users"].append("zoe")),
    )
    section = _per_person(md)
    assert "`zoe`" in section
    assert "+runner cirun-aws-gpu-t4 on scipy-feedstock, pushes only" in section
    assert NOT_APPLIED in section  # the fixture, like prod, has admin-requests write `.cirun`
    (gpu,) = [r for r in found if r.label == "gpu-runner"]
    assert "`zoe`" in gpu.detail


def test_opening_a_gpu_grant_to_pull_requests_is_a_promotion_and_a_gpu_risk(fixture_copy):
    md, found = _diff(
        fixture_copy,
        lambda: edit_yaml(fixture_copy / SCIPY, lambda d: d["cirun"][0].update(pull_request=True)),
    )
    assert "pull requests too" in _per_person(md)
    assert "`ada-owner`" in _per_person(md)
    assert "gpu-runner" in {r.label for r in found}


def test_a_users_from_json_grant_names_the_list_everyone_in_it_comes_from(fixture_copy):
    url = "https://example.org/tos-accepted.json"

    def edit() -> None:
        edit_yaml(
            fixture_copy / SCIPY,
            lambda d: d["cirun"][0].pop("users") and d["cirun"][0].update(users_from_json=url),
        )

    md, _ = _diff(fixture_copy, edit)
    section = _per_person(md)
    assert f"everyone listed in `{url}` (`users_from_json`)" in section
    assert "`ada-owner`" in section  # and the one user it replaces loses the grant
    assert FROM_JSON.strip() not in section.replace("(`users_from_json`)", "")


def _access_file(user: str) -> PlannedResource:
    content = (
        "version: 1\npolicies:\n- id: scipy-feedstock-policy\n  repo: scipy-feedstock\n"
        f"  pull_request: false\n  users: [{user}]\naccess_control:\n"
        "- resource: cirun-gpu-box\n  policies: [scipy-feedstock-policy]\n"
    )
    return PlannedResource(REPOSITORY_FILE, "access", {"file": ".access.yml", "content": content})


def test_a_runner_grant_respelled_only_in_case_is_one_person_and_no_change():
    # Validation refuses the respelling; a plan file made elsewhere may still carry it.
    base = Plan("s", [_access_file("Ada-Owner")])
    head = Plan("s", [_access_file("ada-owner")])
    assert not [p for p in person_changes(base, head) if p.added or p.removed]
    zoe = person_changes(base, Plan("s", [_access_file("zoe")]))
    assert {p.person for p in zoe} == {"ada-owner", "zoe"}

"""`cfinfra actions-audit`: every `uses:` a proposed policy would block, by repository."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from typer.testing import CliRunner

from infra.cli import app
from infra.config.github_org import ActionsPolicy
from infra.switchover.workflows import Use, audit, uses_of, verdict
from tests.conftest import REPO_ROOT

PROPOSED = REPO_ROOT / "data/github/actions-policy.proposed.yaml"
SHA = "0123456789abcdef0123456789abcdef01234567"

# Synthetic workflows shaped like conda-forge's own (the actions issue 13 names).
WEBSERVICES = f"""
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{SHA}
      - uses: AkhileshNS/heroku-deploy@{SHA}
      - uses: redhat-actions/buildah-build@{SHA}
      - uses: bcgov/action-get-pr@{SHA}
      - uses: ./.github/actions/local
      - uses: conda-forge/some-action@main
  reusable:
    uses: Quansight-Labs/hackmd-meeting-notes-action/.github/workflows/x.yml@{SHA}
"""
MINIFORGE = """
jobs:
  build:
    steps:
      - name: checkout
        uses: actions/checkout@v7
      - uses: "svenstaro/upload-release-action@v2"
"""
SMITHY_COMPOSITE = f"""
runs:
  using: composite
  steps:
    - uses: coverallsapp/github-action@{SHA}
"""


def write_tree(root: Path) -> Path:
    files = {
        "conda-forge-webservices/.github/workflows/deploy.yml": WEBSERVICES,
        "miniforge/.github/workflows/ci.yaml": MINIFORGE,
        "conda-smithy/.github/actions/cov/action.yml": SMITHY_COMPOSITE,
        "conda-smithy/docs/not-a-workflow.yml": "uses: evil/thing@v1\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def strict(**extra) -> ActionsPolicy:
    return ActionsPolicy.model_validate(
        {"allowed_actions": "selected", "sha_pinning_required": True, **extra}
    )


def test_uses_are_found_in_steps_reusable_jobs_and_composite_actions_with_lines():
    uses = uses_of("r", ".github/workflows/deploy.yml", WEBSERVICES)
    assert [u.ref.split("@")[0] for u in uses] == [
        "actions/checkout",
        "AkhileshNS/heroku-deploy",
        "redhat-actions/buildah-build",
        "bcgov/action-get-pr",
        "./.github/actions/local",
        "conda-forge/some-action",
        "Quansight-Labs/hackmd-meeting-notes-action/.github/workflows/x.yml",
    ]
    assert uses[1].line == 8
    assert [u.ref for u in uses_of("r", "action.yml", SMITHY_COMPOSITE)] == [
        f"coverallsapp/github-action@{SHA}"
    ]


def test_selected_allows_own_github_owned_and_patterned_actions_only():
    policy = strict(patterns_allowed=["akhileshns/heroku-deploy@*", "redhat-actions/*"])
    uses = uses_of("conda-forge-webservices", "w.yml", WEBSERVICES)
    blocked = {b.use.name: b.reason for b in audit(policy, "conda-forge", uses)}
    assert blocked == {
        "bcgov/action-get-pr": "not in the allow-list",
        "quansight-labs/hackmd-meeting-notes-action/.github/workflows/x.yml": (
            "not in the allow-list"
        ),
        "conda-forge/some-action": "referenced by `main`, not by a full commit SHA",
    }


def test_sha_pinning_blocks_tags_and_local_only_blocks_everyone_else():
    tag = Use("miniforge", "ci.yaml", 5, "actions/checkout@v7")
    assert verdict(strict(), "conda-forge", tag) == ("referenced by `v7`, not by a full commit SHA")
    assert verdict(strict(sha_pinning_required=False), "conda-forge", tag) is None
    local_only = ActionsPolicy.model_validate(
        {"allowed_actions": "local_only", "sha_pinning_required": False}
    )
    assert verdict(local_only, "conda-forge", tag) == (
        "only actions of conda-forge may run (`local_only`)"
    )
    pattern_ref = strict(sha_pinning_required=False, patterns_allowed=["svenstaro/*@v1"])
    assert verdict(pattern_ref, "x", Use("m", "f", 1, "svenstaro/upload-release-action@v2"))


def test_the_cli_lists_blocked_uses_by_repository_and_exits_1(tmp_path):
    tree = write_tree(tmp_path / "wf")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "allowed_actions: selected\nsha_pinning_required: true\n"
        "patterns_allowed: [mamba-org/setup-micromamba@*]\n"
    )
    result = CliRunner().invoke(app, ["actions-audit", str(tree), "--policy", str(policy)])
    assert result.exit_code == 1, result.output
    assert "3 files of 3 repositories" in result.output
    assert "\nminiforge\n  .github/workflows/ci.yaml:6  actions/checkout@v7\n" in result.output
    assert "evil/thing" not in result.output  # not a workflow file
    for line in result.output.splitlines():
        assert len(line) <= 80 or "@" in line, line


def test_the_proposed_policy_blocks_none_of_the_actions_conda_forge_uses(tmp_path):
    tree = write_tree(tmp_path / "wf")
    result = CliRunner().invoke(app, ["actions-audit", str(tree), "--policy", str(PROPOSED)])
    assert result.exit_code == 0, result.output
    assert "0 blocked" in result.output
    proposed = ActionsPolicy.model_validate(__import__("yaml").safe_load(PROPOSED.read_text()))
    assert proposed.sha_pinning_required is False


def test_a_snapshot_is_audited_from_its_recorded_workflow_files(tmp_path):
    def body(text: str) -> dict:
        return {"encoding": "base64", "content": base64.b64encode(text.encode()).decode()}

    snap = tmp_path / "snap.json"
    snap.write_text(
        json.dumps(
            {
                "GET /repos/conda-forge/miniforge/contents/.github/workflows/ci.yaml": body(
                    MINIFORGE
                ),
                "GET /orgs/conda-forge": {"login": "conda-forge"},
            }
        )
    )
    result = CliRunner().invoke(
        app, ["actions-audit", str(snap), "--policy", str(PROPOSED), "--org", "conda-forge"]
    )
    assert result.exit_code == 0, result.output
    assert "2 `uses:` in 1 files of 1 repositories; 0 blocked" in result.output


def test_unreadable_input_and_an_unmanaged_stack_policy_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert (
        CliRunner().invoke(app, ["actions-audit", str(bad), "--policy", str(PROPOSED)]).exit_code
        == 2
    )
    result = CliRunner().invoke(app, ["actions-audit", str(tmp_path), "--root", str(REPO_ROOT)])
    assert result.exit_code == 2
    assert "declares no Actions policy" in result.output

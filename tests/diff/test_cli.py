"""``cfinfra diff`` end to end: plan files, a throw-away git history, exit codes, no secrets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.diff.markdown import MINUS
from infra.sources.offline import PLACEHOLDER_PREFIX
from tests.conftest import FIXTURE_STACK
from tests.diff.helpers import git, widened_and_owner_removed

runner = CliRunner()


def cfinfra(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def diff(repo: Path, *args: str | Path):
    """``cfinfra diff`` of the fixture stack in ``repo``."""
    return cfinfra("diff", "--stack", FIXTURE_STACK, "--root", repo, *args)


@pytest.fixture
def plan_files(tmp_path: Path) -> tuple[Path, Path]:
    base, head = widened_and_owner_removed()
    base.write(tmp_path / "base.json")
    head.write(tmp_path / "head.json")
    return tmp_path / "base.json", tmp_path / "head.json"


@pytest.fixture
def repo(fixture_copy: Path) -> Path:
    """A git repository holding the fixture stack in a sub-folder (as a monorepo would), one
    commit."""
    top = fixture_copy.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    return fixture_copy


def _edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


# --- plan files ----------------------------------------------------------------------------------


def test_plan_files_with_a_widened_secret_and_a_removed_owner_fail_the_guard(
    plan_files: tuple[Path, Path], tmp_path: Path
) -> None:
    base, head = plan_files
    out = tmp_path / "comment.md"
    result = cfinfra("diff", "--base-plan", base, "--head-plan", head, "--output", out)
    assert result.exit_code == 1
    assert "removal guard:" in result.stderr
    assert "--allow-removals" in result.stderr
    md = out.read_text(encoding="utf-8")
    assert "`prod-binstar-token`" in md
    assert "now also reachable by `feedstocks`" in md
    assert f"`carol`: {MINUS}owner" in md
    assert "risks: `removal-guard` `owner-change` `secret-audience-widened`" in md


def test_the_override_passes_the_guard_and_says_so(plan_files: tuple[Path, Path]) -> None:
    base, head = plan_files
    result = cfinfra("diff", "--base-plan", base, "--head-plan", head, "--allow-removals")
    assert result.exit_code == 0
    assert "Removal guard overridden" in result.stdout
    assert "`owner-change`" in result.stdout


def test_a_higher_share_does_not_excuse_removing_an_owner(plan_files: tuple[Path, Path]) -> None:
    base, head = plan_files
    result = cfinfra("diff", "--base-plan", base, "--head-plan", head, "--max-removal-share", "1")
    assert result.exit_code == 1
    assert "org owner `carol` removed or demoted" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--base", "HEAD", "--base-plan", "a.json", "--head-plan", "b.json"],
        ["--base-plan", "a.json"],
    ],
)
def test_exactly_one_kind_of_base_is_required(args: list[str]) -> None:
    result = cfinfra("diff", *args)
    assert result.exit_code == 2
    assert "--base REV, or both --base-plan and --head-plan" in result.stderr


def test_an_unreadable_plan_file_exits_2(tmp_path: Path, plan_files: tuple[Path, Path]) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    result = cfinfra("diff", "--base-plan", tmp_path / "bad.json", "--head-plan", plan_files[1])
    assert result.exit_code == 2
    assert "cannot read plan" in result.stderr


# --- git revisions -------------------------------------------------------------------------------


def test_an_unchanged_tree_against_head_has_no_changes(repo: Path) -> None:
    result = diff(repo, "--base", "HEAD")
    assert result.exit_code == 0, result.stderr
    assert "no changes" in result.stderr
    assert "**No changes.**" in result.stdout


def _demote_first_owner(repo: Path) -> str:
    """Move the first owner from owners.csv to members.csv, out of core; returns their login."""
    folder = repo / "data" / "github"
    header, first, *rest = (folder / "owners.csv").read_text(encoding="utf-8").splitlines()
    login = first.rsplit(",", 1)[1]
    (folder / "owners.csv").write_text("\n".join([header, *rest]) + "\n", encoding="utf-8")
    members = folder / "members.csv"
    members.write_text(members.read_text(encoding="utf-8") + first + "\n", encoding="utf-8")
    # Core members must be owners (a validation rule), so the demoted owner leaves core too.
    core = folder / "teams" / "core.csv"
    rows = core.read_text(encoding="utf-8").splitlines()
    kept = [r for r in rows if r.split(",")[1:2] != [login]]
    core.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return login


def test_a_widened_secret_and_a_demoted_owner_are_named_guarded_and_never_show_a_value(
    repo: Path,
) -> None:
    # The fixture org has the minimum of two owners: a third one in the base can be demoted.
    folder = repo / "data" / "github"
    (folder / "owners.csv").write_text(
        (folder / "owners.csv").read_text(encoding="utf-8") + "Third Owner,third-owner\n",
        encoding="utf-8",
    )
    git(repo.parent, "commit", "-qam", "a third owner")

    def widen(doc: dict) -> None:
        doc["sensitivity"] = "confidential"  # a `critical` one may reach `core` only
        doc["cleared_for"] = "infra-maintainers"
        # Another field of the same item: re-pointing at another item needs a rename (the id
        # names its item), which the diff shows as a removed and an added secret.
        doc["onepassword"]["field"] = "credential-2026"
        doc["targets"][0]["repositories"].append("staged-recipes")

    def drop_labeler_target(doc: dict) -> None:
        doc["targets"] = [t for t in doc["targets"] if t.get("webhook") != "staged-recipes-labeler"]

    _edit_yaml(repo / "secrets" / "prod-upload-token.yaml", widen)
    _edit_yaml(repo / "secrets" / "webservices-token.yaml", drop_labeler_target)
    (repo / "data/github/webhooks/staged-recipes-labeler.yaml").unlink()
    owner = _demote_first_owner(repo)

    result = diff(repo, "--base", "main")
    md = result.stdout
    assert result.exit_code == 1, result.stderr
    assert f"org owner `{owner.lower()}` removed or demoted" in result.stderr
    assert PLACEHOLDER_PREFIX not in md + result.stderr
    # A secret never appears as an old → new pair, masked or not.
    assert not re.search(r"\[secret\][`\s]*→|→[`\s]*\S*\[secret\]", md)
    assert re.search(rf"^- `{owner.lower()}`: .*{MINUS}owner \(now org member\)", md, re.MULTILINE)
    assert "`prod-upload-token`" in md
    assert "audience `core` → `infra-maintainers` (**wider**)" in md
    assert "1Password reference: `op://pulumi/prod-upload-token/credential` → " in md
    for label in (
        "owner-change",
        "secret-audience-widened",
        "leak-guard",
        "secret-reference-changed",
    ):
        assert f"`{label}`" in md
    assert "github:index/repositoryWebhook:RepositoryWebhook`: 1 of 1 deleted" in md


def test_an_invalid_head_writes_the_error_report_and_exits_2(repo: Path, tmp_path: Path) -> None:
    _edit_yaml(
        repo / "secrets" / "prod-upload-token.yaml",
        lambda doc: doc.update(sensitivity="sky-high"),
    )
    out = tmp_path / "comment.md"
    result = diff(repo, "--base", "HEAD", "--output", out)
    assert result.exit_code == 2
    md = out.read_text(encoding="utf-8")
    assert "The head does not validate" in md
    assert "`invalid-config`" in md
    assert "secrets/prod-upload-token.yaml" in md
    assert re.search(r"\d+ validation errors? found", md)


def test_a_leaking_head_is_labelled_leak_guard_and_exits_3(repo: Path, tmp_path: Path) -> None:
    _edit_yaml(
        repo / "secrets" / "prod-upload-token.yaml",
        lambda doc: doc["targets"][0]["repositories"].append("staged-recipes"),
    )
    out = tmp_path / "comment.md"
    result = diff(repo, "--base", "HEAD", "--output", out)
    assert result.exit_code == 3, "a leak exits 3 from diff as from validate"
    md = out.read_text(encoding="utf-8")
    assert "The head gives a secret to an audience wider than it is cleared for" in md
    assert "`leak-guard`" in md
    assert "LEAK: secret `prod-upload-token`" in md


def test_an_unknown_revision_exits_2(repo: Path) -> None:
    result = diff(repo, "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown revision `no-such-branch`" in result.stderr


def test_a_stack_missing_at_the_base_shows_everything_as_added(repo: Path) -> None:
    top = repo.parent
    git(top, "checkout", "-q", "--orphan", "empty")
    git(top, "rm", "-rq", "--cached", ".")
    git(top, "commit", "-q", "--allow-empty", "-m", "nothing yet")
    result = diff(repo, "--base", "empty")
    assert result.exit_code == 0, result.stderr
    assert "where the stack does not exist yet" in result.stdout
    assert re.search(r"\*\*\+\d+ ~0 -0\*\*", result.stdout)

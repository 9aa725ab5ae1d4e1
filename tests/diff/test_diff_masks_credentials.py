"""The PR diff's comment is public: a credential planted anywhere in its input never reaches it.

Plan files may come from anywhere (``--base-plan``/``--head-plan``), and an error report quotes
what it refuses: the values are scanned by the renderer, and the finished comment passes the one
masking pass (``infra.markdown.document``), which catches names, property paths, logins,
1Password references and diagnostics. Production's own names pass it untouched.
"""

from __future__ import annotations

import copy
import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.diff import build_report, render_markdown
from infra.markdown import MASK, code
from infra.plan.model import Plan
from tests.conftest import FIXTURE_STACK
from tests.diff.helpers import MEMBERSHIP, TEAM, TEAM_MEMBERSHIP, git, repository, res

runner = CliRunner()
TOKEN = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eR4"  # GitHub's token format, not a real one


def _resource_name(plan: Plan) -> None:
    plan.resources[0] = dataclasses.replace(plan.resources[0], name=f"leak-{TOKEN}")


def _property_path(plan: Plan) -> None:
    """A new resource: its inputs are listed as `path=value`, the path being the keys."""
    plan.resources.append(repository("new-repo", template={"owner": {TOKEN: "x"}}))


def _login(plan: Plan) -> None:
    plan.resources.append(res(MEMBERSHIP, "member-x", {"role": "admin", "username": TOKEN}))


def _team(plan: Plan) -> None:
    plan.resources.append(res(TEAM, f"team-{TOKEN}", {"name": TOKEN, "privacy": "closed"}))
    plan.resources.append(
        res(
            TEAM_MEMBERSHIP,
            f"team-{TOKEN}-ada-owner",
            {"role": "member", "teamId": f"<id:team-{TOKEN}>", "username": "ada-owner"},
        )
    )


def _onepassword_reference(plan: Plan) -> None:
    plan.lineage[0] = dataclasses.replace(
        plan.lineage[0], onepassword=f"op://pulumi/{TOKEN}/credential"
    )


@pytest.mark.parametrize(
    "plant",
    [_resource_name, _property_path, _login, _team, _onepassword_reference],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_credential_planted_in_a_plan_file_never_reaches_the_comment(
    plant: Callable[[Plan], None], fixture_plan: Plan, tmp_path: Path
) -> None:
    head = copy.deepcopy(fixture_plan)
    plant(head)
    fixture_plan.write(tmp_path / "base.json")
    head.write(tmp_path / "head.json")
    args = ["--base-plan", str(tmp_path / "base.json"), "--head-plan", str(tmp_path / "head.json")]
    result = runner.invoke(app, ["diff", *args, "--allow-removals"])
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "cfinfra diff · stack" in md  # the comment was written
    assert "zq8rt2vw9x" not in md.lower()  # no part of it, in any case (logins are lower-cased)
    assert MASK in md


def test_an_error_report_naming_a_credential_never_reaches_the_comment(
    fixture_copy: Path,
) -> None:
    """The head refuses a team file named like a token: the comment quotes the report, masked."""
    top = fixture_copy.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    teams = fixture_copy / "data" / "github" / "teams"
    shutil.copy2(teams / "bot.csv", teams / f"{TOKEN}.csv")
    result = runner.invoke(
        app, ["diff", "--base", "HEAD", "--stack", FIXTURE_STACK, "--root", str(fixture_copy)]
    )
    assert result.exit_code == 2, result.output
    md = result.stdout
    assert "`invalid-config`" in md
    assert f"data/github/teams/{MASK}.csv: the file name is the team's id" in md
    assert "zq8rt2vw9x" not in md.lower()


def test_no_name_of_production_is_masked(prod_plan: Plan) -> None:
    """The whole production stack as a new one: every resource name, 1Password reference and
    delivery target survives the pass (long joined names look random to the scanner)."""
    md = render_markdown(build_report(Plan(prod_plan.stack), prod_plan), budget=10**9)
    assert [r.name for r in prod_plan.resources if code(r.name) not in md] == []
    assert [s.onepassword for s in prod_plan.lineage if code(s.onepassword) not in md] == []
    assert MASK not in md.replace("`[secret]`", "").replace("=[secret]`", "")

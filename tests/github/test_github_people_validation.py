"""Bad people data is refused before anything is declared: every problem, with its file and row.

Code tests: each breaks a copy of the fixture stack's `data/github/` (tests/fixtures/stack), whose
files are, row by row (the header is row 1):

- owners.csv: ada-owner (2), bo-owner (3); members.csv: cy-member (2), dee-bot (3), eve-emeritus (4)
- teams/core.csv: ada-owner (2), bo-owner (3); teams/emeritus-core.csv: eve-emeritus (2)
- teams/bot.csv: ada-owner (2, maintainer), dee-bot (3); teams/help-python.csv: cy-member (2)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.config.loader import load_project
from infra.errors import ConfigError
from tests.conftest import FIXTURE_STACK

DATA = Path("data/github")


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_project(root, FIXTURE_STACK)
    return [str(p) for p in info.value.problems]


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, row: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), path
    path.write_text(text + row + "\n", encoding="utf-8")


def keep_rows(path: Path, n: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[: 1 + n]) + "\n", encoding="utf-8")


def test_a_bad_handle_core_and_emeritus_and_a_single_owner_are_reported_together(fixture_copy):
    base = fixture_copy / DATA
    # Row 4 of core.csv has an impossible login; a core member is put in emeritus-core too; and
    # owners.csv keeps only its first owner (core's other member then stops being an owner).
    append(base / "teams" / "core.csv", "Mallory,-mallory,maintainer")
    append(base / "teams" / "emeritus-core.csv", "Ada Owner,ada-owner")
    keep_rows(base / "owners.csv", 1)
    problems = problems_of(fixture_copy)
    assert "data/github/teams/core.csv: row 4, column github: not a GitHub login" in "\n".join(
        problems
    )
    assert (
        "data/github/teams/emeritus-core.csv: row 3, column github: `ada-owner` is also in core "
        "(data/github/teams/core.csv row 2): a person is core or emeritus-core, not both"
    ) in problems
    assert any(
        p.startswith("data/github/owners.csv: the organisation needs at least 2 owners, found 1")
        for p in problems
    )
    # Every rule ran: the demoted core member is reported too, at its own row.
    assert any(
        p.startswith(
            "data/github/teams/core.csv: row 3, column github: `bo-owner` is core but not in"
        )
        for p in problems
    )


def test_the_cli_lists_every_people_problem_and_exits_2(fixture_copy):
    base = fixture_copy / DATA
    rewrite(base / "teams" / "core.csv", "Bo Owner,bo-owner", "Bo Owner,bo_owner")
    keep_rows(base / "owners.csv", 1)
    result = CliRunner().invoke(
        app, ["validate", "--stack", FIXTURE_STACK, "--root", str(fixture_copy)]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"{len(lines) - 1} validation errors found"
    assert any("data/github/teams/core.csv: row 3, column github" in line for line in lines)
    assert any(
        "data/github/owners.csv: the organisation needs at least 2 owners" in line for line in lines
    )


def test_a_duplicate_row_is_refused_even_with_other_capitalisation(fixture_copy):
    append(fixture_copy / DATA / "teams" / "help-python.csv", "Cy Member,Cy-Member")
    assert (
        "data/github/teams/help-python.csv: row 3, column github: "
        "`Cy-Member` is already listed in row 2" in problems_of(fixture_copy)
    )


def test_a_team_member_must_be_an_org_member(fixture_copy):
    append(fixture_copy / DATA / "teams" / "help-python.csv", "Somebody New,somebody-new")
    (problem,) = [p for p in problems_of(fixture_copy) if "somebody-new" in p]
    assert problem.startswith(
        "data/github/teams/help-python.csv: row 3, column github: "
        "`somebody-new` is not an org member"
    )


def test_a_misspelt_team_member_is_told_the_login_it_probably_means(fixture_copy):
    append(fixture_copy / DATA / "teams" / "help-python.csv", "Eve,Eve-Emeritsu")
    (problem,) = [p for p in problems_of(fixture_copy) if "Eve-Emeritsu" in p]
    assert problem.startswith(
        "data/github/teams/help-python.csv: row 3, column github: "
        "`Eve-Emeritsu` is not an org member (did you mean `eve-emeritus`?): add them to"
    )


def test_a_team_member_spelt_in_another_case_is_the_org_member(fixture_copy):
    rewrite(fixture_copy / DATA / "teams" / "help-python.csv", "cy-member", "Cy-Member")
    load_project(fixture_copy, FIXTURE_STACK)  # valid: one account, whatever the case


def test_an_owner_listed_as_member_too_is_refused(fixture_copy):
    append(fixture_copy / DATA / "members.csv", "Bo Owner,bo-owner")
    assert any(
        p.startswith(
            "data/github/members.csv: row 5, column github: `bo-owner` is an owner "
            "(data/github/owners.csv row 3)"
        )
        for p in problems_of(fixture_copy)
    )


def test_team_file_names_are_the_declared_team_slugs(fixture_copy):
    teams = fixture_copy / DATA / "teams"
    (teams / "help-python.csv").rename(teams / "help-py.csv")
    (teams / "Help_R.csv").write_text("name,github\n", encoding="utf-8")
    problems = problems_of(fixture_copy)
    assert (
        "data/github/teams/help-py.csv: "
        "team `help-py` is not declared in data/github/teams.yaml" in problems
    )
    assert (
        "data/github/teams.yaml: help-python: no member file teams/help-python.csv for this team"
        in problems
    )
    assert (
        "data/github/teams/Help_R.csv: "
        "the file name is the team's id: lower-case words and dashes" in problems
    )


def test_teams_yaml_is_strict_and_its_references_resolve(fixture_copy):
    path = fixture_copy / DATA / "teams.yaml"
    teams = yaml.safe_load(path.read_text(encoding="utf-8"))
    teams["help-python"]["parent"] = "bott"
    teams["bot"]["privacy"] = "hidden"
    teams["core"]["protect"] = False
    teams["emeritus-core"]["colour"] = "blue"
    path.write_text(yaml.safe_dump(teams, sort_keys=False), encoding="utf-8")
    problems = problems_of(fixture_copy)
    assert "data/github/teams.yaml: help-python.parent: `bott` is not a declared team" in problems
    assert any(
        p.startswith("data/github/teams.yaml: bot.privacy: Input should be") for p in problems
    )
    assert (
        "data/github/teams.yaml: emeritus-core.colour: Extra inputs are not permitted" in problems
    )
    assert any(
        p.startswith("data/github/teams.yaml: core.protect: the review team guards")
        for p in problems
    )


def test_a_broken_header_or_row_shape_is_a_problem_not_a_traceback(fixture_copy):
    base = fixture_copy / DATA
    (base / "teams" / "help-python.csv").write_text("github,name\ncy-member,Cy\n", encoding="utf-8")
    rewrite(
        base / "teams" / "core.csv",
        "Bo Owner,bo-owner,maintainer",
        "Bo Owner,bo-owner,owner,extra",
    )
    rewrite(base / "teams" / "bot.csv", "Dee Bot,dee-bot,", "Dee Bot,dee-bot,boss")
    problems = problems_of(fixture_copy)
    assert any(
        p.startswith("data/github/teams/help-python.csv: row 1: the header must be")
        for p in problems
    )
    assert "data/github/teams/core.csv: row 3: expected 3 columns, found 4" in problems
    assert any(
        p.startswith("data/github/teams/bot.csv: row 3, column role: Input should be")
        for p in problems
    )


def test_a_missing_people_folder_is_refused(fixture_copy):
    import shutil

    shutil.rmtree(fixture_copy / DATA)
    assert "data/github: missing: org owners, members and teams live here" in problems_of(
        fixture_copy
    )


def test_an_owner_listed_as_a_plain_team_member_is_refused(fixture_copy):
    # GitHub reports owners as `maintainer` in every team: `member` would be drift forever.
    rewrite(
        fixture_copy / DATA / "teams" / "bot.csv",
        "Ada Owner,ada-owner,maintainer",
        "Ada Owner,ada-owner,member",
    )
    (problem,) = problems_of(fixture_copy)
    assert problem.startswith("data/github/teams/bot.csv: row 2, column role: `ada-owner` owns")
    assert "write `maintainer`" in problem

"""Bad people data is refused before anything is declared: every problem, with its file and row."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.config.loader import load_project
from infra.errors import ConfigError

DATA = Path("data/github")


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_project(root, "prod")
    return [str(p) for p in info.value.problems]


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def keep_rows(path: Path, n: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[: 1 + n]) + "\n", encoding="utf-8")


def test_a_bad_handle_core_and_emeritus_and_a_single_owner_are_reported_together(project_copy):
    base = project_copy / DATA
    # Row 3 of core.csv gets an impossible login; one person is put in emeritus-core too; and
    # owners.csv keeps only its first owner (core's other members then stop being owners as well).
    rewrite(base / "teams" / "core.csv", "Chris Burr,chrisburr", "Chris Burr,-chrisburr")
    with (base / "teams" / "emeritus-core.csv").open("a", encoding="utf-8") as f:
        f.write("Isuru Fernando,isuruf\n")
    keep_rows(base / "owners.csv", 1)
    problems = problems_of(project_copy)
    assert "data/github/teams/core.csv: row 4, column github: not a GitHub login" in "\n".join(
        problems
    )
    assert (
        "data/github/teams/emeritus-core.csv: row 13, column github: `isuruf` is also in core "
        "(data/github/teams/core.csv row 9): a person is core or emeritus-core, not both"
    ) in problems
    assert any(
        p.startswith("data/github/owners.csv: the organisation needs at least 2 owners, found 1")
        for p in problems
    )
    # Every rule ran: the demoted core members are reported too, each at its own row.
    assert any(
        p.startswith(
            "data/github/teams/core.csv: row 3, column github: `chenghlee` is core but not in"
        )
        for p in problems
    )


def test_the_cli_lists_every_people_problem_and_exits_2(project_copy):
    import subprocess
    import sys

    base = project_copy / DATA
    rewrite(base / "teams" / "core.csv", "Chris Burr,chrisburr", "Chris Burr,chris_burr")
    keep_rows(base / "owners.csv", 1)
    done = subprocess.run(
        [sys.executable, "-m", "infra.cli", "validate", "--root", str(project_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == f"{len(lines) - 1} validation errors found"
    assert any("data/github/teams/core.csv: row 4, column github" in line for line in lines)
    assert any(
        "data/github/owners.csv: the organisation needs at least 2 owners" in line for line in lines
    )


def test_a_duplicate_row_is_refused_even_with_other_capitalisation(project_copy):
    with (project_copy / DATA / "teams" / "help-perl.csv").open("a", encoding="utf-8") as f:
        f.write("Daniel Nachun,DanielNachun,maintainer\n")
    assert (
        "data/github/teams/help-perl.csv: row 3, column github: "
        "`DanielNachun` is already listed in row 2" in problems_of(project_copy)
    )


def test_a_team_member_must_be_an_org_member(project_copy):
    with (project_copy / DATA / "teams" / "help-go.csv").open("a", encoding="utf-8") as f:
        f.write("Somebody New,somebody-new,\n")
    (problem,) = [p for p in problems_of(project_copy) if "somebody-new" in p]
    assert problem.startswith(
        "data/github/teams/help-go.csv: row 5, column github: `somebody-new` is not an org member"
    )


def test_an_owner_listed_as_member_too_is_refused(project_copy):
    with (project_copy / DATA / "members.csv").open("a", encoding="utf-8") as f:
        f.write("Isuru Fernando,isuruf\n")
    assert any(
        p.startswith("data/github/members.csv: row 24, column github: `isuruf` is an owner")
        for p in problems_of(project_copy)
    )


def test_team_file_names_are_the_declared_team_slugs(project_copy):
    teams = project_copy / DATA / "teams"
    (teams / "help-go.csv").rename(teams / "help-golang.csv")
    (teams / "Help_R.csv").write_text("name,github\n", encoding="utf-8")
    problems = problems_of(project_copy)
    assert (
        "data/github/teams/help-golang.csv: "
        "team `help-golang` is not declared in data/github/teams.yaml" in problems
    )
    assert (
        "data/github/teams.yaml: help-go: no member file teams/help-go.csv for this team"
        in problems
    )
    assert (
        "data/github/teams/Help_R.csv: "
        "the file name is the team's id: lower-case words and dashes" in problems
    )


def test_teams_yaml_is_strict_and_its_references_resolve(project_copy):
    path = project_copy / DATA / "teams.yaml"
    teams = yaml.safe_load(path.read_text(encoding="utf-8"))
    teams["help-python-c"]["parent"] = "help-pythn"
    teams["help-r"]["privacy"] = "hidden"
    teams["core"]["protect"] = False
    teams["miniforge"]["colour"] = "blue"
    path.write_text(yaml.safe_dump(teams, sort_keys=False), encoding="utf-8")
    problems = problems_of(project_copy)
    assert (
        "data/github/teams.yaml: help-python-c.parent: `help-pythn` is not a declared team"
        in problems
    )
    assert any(
        p.startswith("data/github/teams.yaml: help-r.privacy: Input should be") for p in problems
    )
    assert "data/github/teams.yaml: miniforge.colour: Extra inputs are not permitted" in problems
    assert any(
        p.startswith("data/github/teams.yaml: core.protect: the review team guards")
        for p in problems
    )


def test_a_broken_header_or_row_shape_is_a_problem_not_a_traceback(project_copy):
    base = project_copy / DATA
    (base / "teams" / "bot.csv").write_text("github,name\nbeckermr,Matthew\n", encoding="utf-8")
    rewrite(
        base / "teams" / "miniforge.csv",
        "Uwe L. Korn,xhochy,maintainer",
        "Uwe L. Korn,xhochy,owner,extra",
    )
    rewrite(
        base / "teams" / "help-java.csv", "Uwe L. Korn,xhochy,maintainer", "Uwe L. Korn,xhochy,boss"
    )
    problems = problems_of(project_copy)
    assert any(
        p.startswith("data/github/teams/bot.csv: row 1: the header must be") for p in problems
    )
    assert "data/github/teams/miniforge.csv: row 4: expected 3 columns, found 4" in problems
    assert any(
        p.startswith("data/github/teams/help-java.csv: row 4, column role: Input should be")
        for p in problems
    )


def test_a_missing_people_folder_is_refused(project_copy):
    import shutil

    shutil.rmtree(project_copy / DATA)
    assert "data/github: missing: org owners, members and teams live here" in problems_of(
        project_copy
    )


def test_an_owner_listed_as_a_plain_team_member_is_refused(project_copy):
    # GitHub reports owners as `maintainer` in every team: `member` would be drift forever.
    rewrite(
        project_copy / DATA / "teams" / "bot.csv",
        "Chris Burr,chrisburr,maintainer",
        "Chris Burr,chrisburr,member",
    )
    (problem,) = problems_of(project_copy)
    assert problem.startswith("data/github/teams/bot.csv: row 3, column role: `chrisburr` owns")
    assert "write `maintainer`" in problem

"""A login's case is an identity, not a name: respelling it in one data file is no change.

Through the real `cfinfra diff` path on the fixture stack (base = the committed data, head = the
working tree): GitHub compares logins ignoring case, so `cy-member` and `Cy-Member` are one
account. Were the respelling a new URN, the diff would plan a delete + create of the membership,
and on `up` the delete (run after the create) would remove the person.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_STACK
from tests.diff.helpers import git

runner = CliRunner()


@pytest.fixture
def data_repo(fixture_copy: Path) -> Path:
    top = fixture_copy.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    return fixture_copy


def _respell(path: Path, login: str, spelled: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert f",{login}" in text, path
    path.write_text(text.replace(f",{login}", f",{spelled}"), encoding="utf-8")


@pytest.mark.parametrize(
    "files",
    [
        ("teams/help-python.csv",),  # a team file only: the org members' spelling wins
        ("members.csv",),  # the canonical spelling itself
        ("members.csv", "teams/help-python.csv"),  # everywhere
    ],
)
def test_respelling_a_login_s_case_changes_nothing_in_the_diff(
    data_repo: Path, tmp_path: Path, files: tuple[str, ...]
) -> None:
    for file in files:
        _respell(data_repo / "data" / "github" / file, "cy-member", "Cy-Member")
    changes = tmp_path / "changes.json"
    result = runner.invoke(
        app,
        [
            *("diff", "--base", "HEAD", "-s", FIXTURE_STACK, "--root", str(data_repo)),
            *("-o", str(tmp_path / "diff.md"), "--json", str(changes)),
        ],
    )
    assert result.exit_code == 0, result.output  # the removal guard is not tripped
    assert "no changes" in result.stderr
    reviewed = json.loads(changes.read_text(encoding="utf-8"))
    assert not [c for c in reviewed["changes"] if "cy-member" in json.dumps(c).lower()], reviewed
    md = (tmp_path / "diff.md").read_text(encoding="utf-8")
    assert "at risk" not in md

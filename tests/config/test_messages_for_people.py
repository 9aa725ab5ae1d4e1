"""Validation messages a person can act on: a did-you-mean for every misspelt name or key, and
rules in words instead of regular expressions."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.config.base import pattern_in_words
from tests.conftest import FIXTURE_STACK
from tests.stack_edits import edit_yaml, problems_of

SECRET = "secrets/prod-upload-token.yaml"


def _edit_target(root: Path, **changes: object) -> None:
    edit_yaml(root / SECRET, lambda d: d["targets"][0].update(changes))


def test_an_unknown_repository_is_told_the_declared_one_it_resembles(fixture_copy: Path):
    _edit_target(fixture_copy, repositories=["webservices", "admin-request"])
    assert (
        f"{SECRET}: targets[0].repositories[1]: `admin-request` is not a repository of "
        "data/github/repositories/; did you mean `admin-requests`?"
    ) in problems_of(fixture_copy)


def test_a_misspelt_key_inside_a_secret_target_gets_a_suggestion(fixture_copy: Path):
    edit_yaml(
        fixture_copy / SECRET,
        lambda d: d["targets"][0].update(repositoriess=d["targets"][0].pop("repositories")),
    )
    assert any(
        p.endswith("repositoriess: Extra inputs are not permitted; did you mean `repositories`?")
        for p in problems_of(fixture_copy)
    )


def test_a_name_that_breaks_its_pattern_is_told_the_rule_in_words(fixture_copy: Path):
    _edit_target(fixture_copy, name="prod-upload token")
    found = [p for p in problems_of(fixture_copy) if ".name:" in p]
    assert found
    assert found[0].endswith("use upper-case letters, digits and `_`, starting with a letter")
    assert "should match pattern" not in "".join(problems_of(fixture_copy))


def test_an_unknown_secret_id_on_the_command_line_gets_a_suggestion(fixture_copy: Path):
    result = CliRunner().invoke(
        app,
        [
            "rotation",
            "plan",
            "prod-upload-tokn",
            "--stack",
            FIXTURE_STACK,
            "--root",
            str(fixture_copy),
        ],
    )
    assert result.exit_code == 2
    assert "did you mean `prod-upload-token`" in result.output


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"^[A-Za-z0-9._-]+$", "use only letters, digits, `.`, `_` and `-`"),
        (r"^alias/[A-Za-z0-9/_-]{1,250}$", "starts with `alias/`; use only letters, digits"),
        (r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", "an AWS region"),
    ],
)
def test_patterns_read_as_rules(pattern: str, words: str):
    assert pattern_in_words(pattern).startswith(words)


def test_a_pattern_words_cannot_describe_keeps_the_pattern_rather_than_say_less():
    assert "`^(a|b)-[0-9]$`" in pattern_in_words(r"^(a|b)-[0-9]$")

"""The GitHub provider's retargeting variables must agree with the stack (PB-7)."""

from __future__ import annotations

from infra.github.ambient import ambient_problems


def test_variables_naming_the_stacks_org_or_githubcom_are_accepted():
    env = {
        "GITHUB_OWNER": "Conda-Forge",
        "GITHUB_ORGANIZATION": "conda-forge",
        "GITHUB_BASE_URL": "https://api.github.com/",
    }
    assert ambient_problems("conda-forge", env) == []


def test_empty_variables_are_unset_for_the_provider():
    assert ambient_problems("conda-forge", {"GITHUB_OWNER": "", "GITHUB_BASE_URL": ""}) == []


def test_every_disagreeing_variable_is_named():
    env = {"GITHUB_OWNER": "regro", "GITHUB_ORGANIZATION": "x", "GITHUB_BASE_URL": "https://e"}
    assert [p.path for p in ambient_problems("conda-forge", env)] == [
        "GITHUB_OWNER",
        "GITHUB_ORGANIZATION",
        "GITHUB_BASE_URL",
    ]

"""Translation of single resources: what is understood, what is reported, what is never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.switchover.yaml_import.translate import Translation, kebab, translate
from infra.switchover.yaml_import.yaml_project import canonical_token, load_yaml_project, parse_ref
from tests.switchover.adopt_helpers import write_project

ITEM = """variables:
  tok:
    fn::invoke:
      function: onepassword:getItem
      arguments: {title: some-token, vault: pulumi}
  repo-x:
    fn::invoke:
      function: github:getRepository
      arguments: {fullName: conda-forge/x}
"""


def translated(tmp_path: Path, resources: str, variables: str = ITEM) -> Translation:
    folder = write_project(tmp_path / "proj", variables + "resources:\n" + resources)
    project, problems = load_yaml_project(folder)
    assert project is not None
    assert not problems
    return translate([project])


@pytest.mark.parametrize(
    ("short", "full"),
    [
        (
            "github:ActionsOrganizationSecret",
            "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
        ),
        ("heroku:app:ConfigAssociation", "heroku:app/configAssociation:ConfigAssociation"),
        ("onepassword:getItem", "onepassword:index/getItem:getItem"),
        ("heroku:app/getApp:getApp", "heroku:app/getApp:getApp"),
        ("pulumi:providers:onepassword", "pulumi:providers:onepassword"),
    ],
)
def test_short_type_tokens_expand_to_full_ones(short, full):
    assert canonical_token(short) == full


def test_interpolations_parse_only_when_they_are_the_whole_value():
    assert parse_ref("${tok.credential}") is not None
    assert parse_ref("${tok.credential}").path == ("credential",)  # type: ignore[union-attr]
    assert parse_ref({"fn::secret": "${tok.credential}"}) is not None
    assert parse_ref("prefix-${tok.credential}") is None
    assert parse_ref("plain") is None


def test_kebab_makes_manifest_ids():
    assert kebab("privateKey") == "private-key"
    assert kebab("My Item_2") == "my-item-2"


def test_an_org_secret_with_its_repositories_becomes_one_target(tmp_path):
    result = translated(
        tmp_path,
        """  s:
    type: github:ActionsOrganizationSecret
    properties: {secretName: SOME_TOKEN, value: "${tok.credential}", visibility: selected}
  s-repos:
    type: github:ActionsOrganizationSecretRepositories
    properties:
      secretName: ${s.secretName}
      selectedRepositoryIds: ["${repo-x.repoId}"]
""",
    )
    assert result.secrets["some-token"]["targets"] == [
        {
            "kind": "github-org-secret",
            "name": "SOME_TOKEN",
            "visibility": "selected",
            "repositories": ["x"],
        }
    ]
    assert not result.untranslated


def test_unknown_resource_types_are_listed_not_guessed(tmp_path):
    result = translated(tmp_path, "  bucket:\n    type: aws:s3:Bucket\n    properties: {}\n")
    assert [str(f) for f in result.untranslated] == [
        "proj: resources.bucket: resource type `aws:s3/bucket:Bucket` is not translated"
    ]


def test_the_onepassword_provider_is_expected_and_ignored(tmp_path):
    result = translated(
        tmp_path, "  op:\n    type: pulumi:providers:onepassword\n    options: {version: 1.1.4}\n"
    )
    assert not result.untranslated


def test_a_literal_secret_value_is_reported_without_echoing_it(tmp_path):
    result = translated(
        tmp_path,
        """  s:
    type: github:ActionsOrganizationSecret
    properties: {secretName: SOME_TOKEN, value: hunter2-literal, visibility: all}
""",
    )
    messages = " ".join(str(f) for f in result.untranslated)
    assert "a literal value" in messages
    assert "hunter2" not in messages
    assert result.secrets == {}


def test_an_interpolation_it_cannot_follow_is_reported(tmp_path):
    result = translated(
        tmp_path,
        """  s:
    type: github:ActionsOrganizationSecret
    properties: {secretName: SOME_TOKEN, value: "${tok.credential}-suffix", visibility: all}
""",
    )
    assert any("cannot follow" in f.message for f in result.untranslated)


def test_options_and_properties_it_does_not_carry_over_are_reported(tmp_path):
    result = translated(
        tmp_path,
        """  s:
    type: github:ActionsOrganizationSecret
    options: {retainOnDelete: true, ignoreChanges: [value]}
    properties:
      {secretName: SOME_TOKEN, value: "${tok.credential}", visibility: all, encryptedValue: x}
""",
    )
    wheres = sorted(f.where for f in result.untranslated)
    assert wheres == [
        "proj: resources.s.options.ignoreChanges",
        "proj: resources.s.properties.encryptedValue",
    ]


def test_a_plain_variable_group_value_is_reported_not_dropped(tmp_path):
    variables = (
        ITEM
        + """  pid:
    fn::invoke:
      function: onepassword:getItem
      arguments: {title: azure-x-project-id, vault: pulumi}
"""
    )
    folder = write_project(
        tmp_path / "proj",
        variables
        + """resources:
  g:
    type: azuredevops:VariableGroup
    properties:
      projectId: ${pid.credential}
      name: grp
      allowAccess: true
      variables:
        - {name: PLAIN, value: visible}
        - {name: TOKEN, secretValue: "${tok.credential}", isSecret: true}
""",
    )
    project, _ = load_yaml_project(folder)
    assert project is not None
    result = translate([project], azure_projects={"azure-x-project-id": "x"})
    assert any("`PLAIN` is not a secret variable" in f.message for f in result.untranslated)
    assert result.secrets["some-token"]["targets"] == [
        {"kind": "azure-variable", "project": "x", "group": "grp", "variable": "TOKEN"}
    ]


def test_two_fields_of_one_item_get_two_ids(tmp_path):
    result = translated(
        tmp_path,
        """  a:
    type: github:ActionsOrganizationSecret
    properties: {secretName: A_USER, value: "${tok.username}", visibility: all}
  b:
    type: github:ActionsOrganizationSecret
    properties: {secretName: A_PASS, value: "${tok.credential}", visibility: all}
""",
    )
    assert sorted(result.secrets) == ["some-token-credential", "some-token-username"]


def test_a_project_that_is_not_yaml_is_refused(tmp_path):
    folder = tmp_path / "py"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: py\nruntime: python\n", encoding="utf-8")
    project, problems = load_yaml_project(folder)
    assert project is None
    assert "not a Pulumi YAML project" in problems[0].message

"""A `selected` org secret keeps its repositories through every write the provider makes.

The provider's Update of an org secret (v6.13.0) PUTs `selected_repository_ids` only when the
secret itself carries them, and GitHub reads a PUT without them as "no repositories" (PB-1). So
each test builds the body the provider would PUT from the program's planned inputs
(``tests.github.provider_model``, written from the Go source) and applies it as GitHub does.
"""

from __future__ import annotations

from infra.plan.engine import plan_stack
from infra.rotation.targets import carriers
from tests.conftest import FIXTURE_STACK
from tests.github import provider_model as provider
from tests.rotation.anaconda_world import prod_project
from tests.stack_edits import edit_yaml

SECRET_T = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
SELECTION_T = (
    "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories"
)


def ids(org: str, *repos: str) -> set[str]:
    """The offline plan's stand-ins for GitHub's repository ids."""
    return {f"<repo_id:{org}/{r}>" for r in repos}


SELECTED = sorted(
    t.name
    for e in prod_project().secrets
    for t in e.secret.targets
    if t.kind == "github-org-secret" and t.visibility.value == "selected"
)
"""The prod manifest's `selected` org secrets."""


def test_the_model_empties_a_selection_when_the_secret_does_not_carry_it():
    """The control: the old shape (selection on a second resource) loses it on a value write."""
    live = ids("conda-forge", "admin-requests")
    state = provider.import_state("X", "selected", sorted(live))
    inputs = {"secretName": "X", "value": "new", "visibility": "selected"}
    body = provider.update_body(provider.planned(state, inputs))
    assert "selected_repository_ids" not in body
    assert provider.github_put(live, body) == set()


def test_every_selected_prod_secret_carries_its_own_selection(prod_plan):
    secrets = prod_plan.of_type(SECRET_T)
    selected = [s for s in secrets if s.inputs["visibility"] == "selected"]
    assert sorted(s.inputs["secretName"] for s in selected) == SELECTED
    for s in selected:
        assert s.inputs.get("selectedRepositoryIds"), s.name
    for s in secrets:
        if s.inputs["visibility"] != "selected":
            assert "selectedRepositoryIds" not in s.inputs, s.name


def test_no_second_resource_writes_a_selection(prod_plan, fixture_plan):
    assert prod_plan.of_type(SELECTION_T) == []
    assert fixture_plan.of_type(SELECTION_T) == []
    writers = [
        r.name
        for r in prod_plan.resources
        if "selectedRepositoryIds" in r.inputs and "secretName" in r.inputs
    ]
    assert len(writers) == len(set(writers)) == len(SELECTED)


def test_rotating_prod_binstar_token_keeps_webservices_and_admin_requests(prod_plan):
    """The rotation's targeted `up` names only the secret; its Update must carry the selection."""
    found = carriers(prod_project())
    targeted = [r for r in found.of("prod-binstar-token") if r.type.startswith("github:")]
    assert [r.name for r in targeted] == ["org-secret-PROD_BINSTAR_TOKEN"]
    assert targeted[0].inputs["selectedRepositoryIds"]
    (secret,) = [r for r in prod_plan.of_type(SECRET_T) if r.urn == targeted[0].urn]
    live = ids("conda-forge", "conda-forge-webservices", "admin-requests")
    state = provider.import_state("PROD_BINSTAR_TOKEN", "selected", sorted(live))
    inputs = secret.inputs
    assert provider.changed_arguments(state, inputs) == {"value"}
    body = provider.update_body(provider.planned(state, inputs))
    assert body["selected_repository_ids"] == sorted(live)
    assert provider.github_put(live, body) == live


def test_the_first_up_after_import_shows_no_selection_change_and_keeps_it(prod_plan):
    """Imported state holds the live ids; the program declares the same: only `value` changes."""
    for secret in prod_plan.of_type(SECRET_T):
        inputs = secret.inputs
        live = set(inputs.get("selectedRepositoryIds") or [])
        state = provider.import_state(inputs["secretName"], inputs["visibility"], sorted(live))
        assert provider.changed_arguments(state, inputs) == {"value"}, secret.name
        body = provider.update_body(provider.planned(state, inputs))
        assert provider.github_put(live, body) == live, secret.name


def test_a_selection_change_is_written_by_the_secrets_own_update(fixture_copy):
    path = fixture_copy / "secrets" / "prod-upload-token.yaml"
    edit_yaml(path, lambda d: d["targets"][0]["repositories"].append("infrastructure"))
    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    (secret,) = [s for s in plan.of_type(SECRET_T) if s.inputs["secretName"] == "PROD_UPLOAD_TOKEN"]
    before = ids("example-forge", "webservices", "admin-requests")
    after = before | ids("example-forge", "infrastructure")
    state = provider.import_state("PROD_UPLOAD_TOKEN", "selected", sorted(before))
    state["value"] = secret.inputs["value"]
    assert provider.changed_arguments(state, secret.inputs) == {"selectedRepositoryIds"}
    body = provider.update_body(provider.planned(state, secret.inputs))
    assert provider.github_put(before, body) == after
    assert plan.of_type(SELECTION_T) == []

"""A Heroku app is adopted as it is: imported, protected, formation, config vars."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.config.loader import load_project
from infra.plan import engine
from infra.plan.engine import plan_project, plan_stack
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.stack_edits import edit_yaml, problems_of

APP_T = "heroku:app/app:App"
FORMATION_T = "heroku:formation/formation:Formation"
CONFIG_T = "heroku:app/configAssociation:ConfigAssociation"
STACK = f"Pulumi.{FIXTURE_STACK}.yaml"
NAME = "example-forge"
APP = f"config.cfinfra:heroku.apps.{NAME}"
UUID = f"<heroku_app_uuid:{NAME}>"


def edit_app(root, change) -> None:
    edit_yaml(root / STACK, lambda d: change(d["config"]["cfinfra:heroku"]["apps"][NAME]))


def test_app_is_adopted_by_name_and_protected(fixture_plan):
    (app,) = fixture_plan.of_type(APP_T)
    assert app.import_id == NAME
    assert app.protect
    assert app.retain_on_delete
    assert app.inputs == {"name": NAME, "region": "us"}
    assert app.parent == f"cfinfra:heroku:App::{NAME}"


def test_an_undeclared_dyno_formation_is_not_managed(fixture_copy):
    # Not known (production's is not public): declaring a guess would resize the live dynos on
    # the first `up`, so an app without `formation` declares no Formation at all.
    edit_app(fixture_copy, lambda a: a.pop("formation"))
    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    assert plan.of_type(APP_T)
    assert plan.of_type(FORMATION_T) == []


def test_web_formation_comes_from_config_and_is_imported(fixture_plan):
    (web,) = fixture_plan.of_type(FORMATION_T)
    assert web.inputs == {"appId": UUID, "type": "web", "size": "standard-1x", "quantity": 1}
    assert web.import_id == f"{NAME}:web"
    assert not web.protect
    assert web.retain_on_delete


def test_config_vars_attach_to_the_managed_apps_uuid_not_a_lookup(fixture_plan):
    (assoc,) = fixture_plan.of_type(CONFIG_T)
    assert assoc.inputs["appId"] == UUID
    assert assoc.retain_on_delete


def test_unconfirmed_app_ids_are_left_as_set_by_hand(fixture_plan):
    # The fixture confirms WEBSERVICES_APP_ID and leaves WEBSERVICES_FEEDSTOCK_APP_ID null.
    (assoc,) = fixture_plan.of_type(CONFIG_T)
    assert assoc.inputs["vars"] == {"WEBSERVICES_APP_ID": "123456"}


def test_confirmed_app_ids_are_plain_vars_and_secrets_stay_masked(fixture_copy):
    edit_app(
        fixture_copy,
        lambda a: a.update(
            github_app_ids={"WEBSERVICES_APP_ID": 11, "WEBSERVICES_FEEDSTOCK_APP_ID": 22},
            vars={"LOG_LEVEL": "info"},
        ),
    )
    (assoc,) = plan_stack(fixture_copy, FIXTURE_STACK).of_type(CONFIG_T)
    assert assoc.inputs["vars"] == {
        "WEBSERVICES_APP_ID": "11",
        "WEBSERVICES_FEEDSTOCK_APP_ID": "22",
        "LOG_LEVEL": "info",
    }
    assert set(assoc.inputs["sensitiveVars"]) == {"PROD_UPLOAD_TOKEN", "WEBSERVICES_TOKEN"}
    assert set(assoc.inputs["sensitiveVars"].values()) == {"[secret]"}


def test_app_ignores_everything_this_stack_does_not_manage(monkeypatch):
    """ignore_changes reaches the engine (camelCase); the plan model itself does not record it."""
    seen: dict[tuple[str, str], list[str]] = {}
    original = engine.RecordingMonitor.RegisterResource

    def record(self: Any, request: Any) -> Any:
        seen[(request.type, request.name)] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", record)

    plan_project(load_project(FIXTURE_ROOT, FIXTURE_STACK))
    assert set(seen[(APP_T, NAME)]) == {
        "acm",
        "buildpacks",
        "configVars",
        "internalRouting",
        "organization",
        "region",
        "sensitiveConfigVars",
        "space",
        "stack",
    }


# --- configuration --------------------------------------------------------------------------------


def test_unknown_dyno_size_is_refused_with_its_path(fixture_copy):
    edit_app(
        fixture_copy, lambda a: a.update(formation={"web": {"size": "standard-3x", "quantity": 1}})
    )
    (problem,) = problems_of(fixture_copy)
    assert problem.startswith(f"{STACK}: {APP}.formation.web.size: Input should be")


@pytest.mark.parametrize("value", ["123", 0, True])
def test_an_app_id_must_be_a_positive_number(fixture_copy, value):
    edit_app(fixture_copy, lambda a: a["github_app_ids"].update(WEBSERVICES_APP_ID=value))
    problems = problems_of(fixture_copy)
    assert any(p.startswith(f"{STACK}: {APP}.github_app_ids.WEBSERVICES_APP_ID") for p in problems)


def test_a_var_set_twice_in_the_stack_file_is_refused(fixture_copy):
    edit_app(fixture_copy, lambda a: a.update(vars={"WEBSERVICES_APP_ID": "1"}))
    (problem,) = problems_of(fixture_copy)
    both = "set in both `github_app_ids` and `vars`: WEBSERVICES_APP_ID"
    assert problem == f"{STACK}: {APP}: {both}"


def test_a_plain_var_shadowing_a_manifest_secret_is_refused(fixture_copy):
    edit_app(fixture_copy, lambda a: a.update(vars={"PROD_UPLOAD_TOKEN": "oops"}))
    (problem,) = problems_of(fixture_copy)
    assert problem == (
        "secrets/prod-upload-token.yaml: targets[2].var: `PROD_UPLOAD_TOKEN` is also a plain var "
        f"of app `{NAME}` in {STACK}"
    )


# --- the provider ---------------------------------------------------------------------------------


def _customizations(plan) -> list[dict[str, Any]]:
    """The Heroku provider's registered `customizations` (provider config travels as JSON)."""
    [provider] = plan.of_type("pulumi:providers:heroku")
    return json.loads(provider.inputs["customizations"])


def test_the_provider_keeps_only_managed_config_vars_in_state(fixture_plan):
    # The provider's default (true) copies every config var of the app into the App's
    # `all_config_vars`, hand-set ones and add-on URLs included (resource_heroku_app.go@v5.2.10).
    assert _customizations(fixture_plan) == [{"setAppAllConfigVarsInState": False}]


def test_production_s_heroku_provider_keeps_only_managed_config_vars_in_state(prod_plan):
    assert _customizations(prod_plan) == [{"setAppAllConfigVarsInState": False}]

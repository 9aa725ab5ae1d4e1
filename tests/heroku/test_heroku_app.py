"""The conda-forge Heroku app is adopted as it is: imported, protected, formation, config vars."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config.loader import load_project
from infra.plan import engine
from infra.plan.engine import plan_project, plan_stack
from tests.foundation.test_validation import edit_yaml, problems_of

APP_T = "heroku:app/app:App"
FORMATION_T = "heroku:formation/formation:Formation"
CONFIG_T = "heroku:app/configAssociation:ConfigAssociation"
STACK = "Pulumi.prod.yaml"
APP = "config.cfinfra:heroku.apps.conda-forge"
UUID = "<heroku_app_uuid:conda-forge>"


def edit_app(root, change) -> None:
    edit_yaml(root / STACK, lambda d: change(d["config"]["cfinfra:heroku"]["apps"]["conda-forge"]))


def test_app_is_adopted_by_name_and_protected(prod_plan):
    (app,) = prod_plan.of_type(APP_T)
    assert app.import_id == "conda-forge"
    assert app.protect
    assert app.retain_on_delete
    assert app.inputs == {"name": "conda-forge", "region": "us"}
    assert app.parent == "cfinfra:heroku:App::conda-forge"


def test_the_unknown_dyno_formation_is_not_managed_in_prod(prod_plan):
    # Not public: declaring a guess would resize the live dynos on the first `up`.
    assert prod_plan.of_type(FORMATION_T) == []


def test_web_formation_comes_from_config_and_is_imported(project_copy):
    edit_app(
        project_copy, lambda a: a.update(formation={"web": {"size": "standard-1x", "quantity": 1}})
    )
    (web,) = plan_stack(project_copy, "prod").of_type(FORMATION_T)
    assert web.inputs == {"appId": UUID, "type": "web", "size": "standard-1x", "quantity": 1}
    assert web.import_id == "conda-forge:web"
    assert not web.protect
    assert web.retain_on_delete


def test_config_vars_attach_to_the_managed_apps_uuid_not_a_lookup(prod_plan):
    (assoc,) = prod_plan.of_type(CONFIG_T)
    assert assoc.inputs["appId"] == UUID
    assert assoc.retain_on_delete


def test_unconfirmed_app_ids_are_left_as_set_by_hand(prod_plan):
    (assoc,) = prod_plan.of_type(CONFIG_T)
    assert assoc.inputs["vars"] == {}


def test_confirmed_app_ids_are_plain_vars_and_secrets_stay_masked(project_copy):
    edit_app(
        project_copy,
        lambda a: a.update(
            github_app_ids={"CF_WEBSERVICES_APP_ID": 11, "CF_WEBSERVICES_FEEDSTOCK_APP_ID": 22},
            vars={"LOG_LEVEL": "info"},
        ),
    )
    (assoc,) = plan_stack(project_copy, "prod").of_type(CONFIG_T)
    assert assoc.inputs["vars"] == {
        "CF_WEBSERVICES_APP_ID": "11",
        "CF_WEBSERVICES_FEEDSTOCK_APP_ID": "22",
        "LOG_LEVEL": "info",
    }
    assert set(assoc.inputs["sensitiveVars"].values()) == {"[secret]"}


def test_app_ignores_everything_this_stack_does_not_manage(monkeypatch):
    """ignore_changes reaches the engine (camelCase); the plan model itself does not record it."""
    seen: dict[tuple[str, str], list[str]] = {}
    original = engine.RecordingMonitor.RegisterResource

    def record(self: Any, request: Any) -> Any:
        seen[(request.type, request.name)] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", record)
    from tests.conftest import REPO_ROOT

    plan_project(load_project(REPO_ROOT, "prod"))
    assert set(seen[(APP_T, "conda-forge")]) == {
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


def test_unknown_dyno_size_is_refused_with_its_path(project_copy):
    edit_app(
        project_copy, lambda a: a.update(formation={"web": {"size": "standard-3x", "quantity": 1}})
    )
    (problem,) = problems_of(project_copy)
    assert problem.startswith(f"{STACK}: {APP}.formation.web.size: Input should be")


@pytest.mark.parametrize("value", ["123", 0, True])
def test_an_app_id_must_be_a_positive_number(project_copy, value):
    edit_app(project_copy, lambda a: a["github_app_ids"].update(CF_WEBSERVICES_APP_ID=value))
    problems = problems_of(project_copy)
    assert any(
        p.startswith(f"{STACK}: {APP}.github_app_ids.CF_WEBSERVICES_APP_ID") for p in problems
    )


def test_a_var_set_twice_in_the_stack_file_is_refused(project_copy):
    edit_app(project_copy, lambda a: a.update(vars={"CF_WEBSERVICES_APP_ID": "1"}))
    (problem,) = problems_of(project_copy)
    both = "set in both `github_app_ids` and `vars`: CF_WEBSERVICES_APP_ID"
    assert problem == f"{STACK}: {APP}: {both}"


def test_a_plain_var_shadowing_a_manifest_secret_is_refused(project_copy):
    edit_app(project_copy, lambda a: a.update(vars={"PROD_BINSTAR_TOKEN": "oops"}))
    (problem,) = problems_of(project_copy)
    assert problem == (
        "secrets/prod-binstar-token.yaml: targets[2].var: `PROD_BINSTAR_TOKEN` is also a plain var "
        f"of app `conda-forge` in {STACK}"
    )

"""Dropping a Heroku config var from the data unsets it on the live app: the guard names it.

The provider's Update of a `ConfigAssociation` sends one PATCH of the app's config vars built by
`constructVars(old, new)` (heroku/resource_heroku_config.go@v5.2.10): every key of the old
`vars` + `sensitive_vars` as nil (unset), every key of the new ones with its value. So a key that
is no longer declared is removed from the running app. The removal guard must count it (it is not
a resource) and name it, in the pull-request diff and before a deploy.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime import rpc

from infra.config.loader import load_project
from infra.diff import build_report
from infra.diff.guard import GuardPolicy, check_against_deployed
from infra.pipeline.deployed import deployed_plan
from infra.plan import engine
from infra.plan.engine import plan_project
from infra.plan.model import Plan
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.pipeline.helpers import SECRET_SIG, SIG_KEY

CONFIG_T = "heroku:app/configAssociation:ConfigAssociation"
APP_COMPONENT = "cfinfra:heroku:App"
TOKEN_TARGET = "- {kind: heroku-config-var, app: example-forge, var: WEBSERVICES_TOKEN}\n"


def construct_vars(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The PATCH body `updateVars` sends: `constructVars` of the merged old and new maps."""
    body: dict[str, Any] = {k: None for k, v in old.items() if v is not None}
    body.update({k: v for k, v in new.items() if v is not None})
    return body


def merged(plan: Plan) -> dict[str, Any]:
    [assoc] = plan.of_type(CONFIG_T)
    return {**assoc.inputs.get("vars", {}), **assoc.inputs.get("sensitiveVars", {})}


def without_the_token(fixture_copy) -> Plan:
    manifest = fixture_copy / "secrets" / "webservices-token.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert TOKEN_TARGET in text
    manifest.write_text(text.replace(TOKEN_TARGET, ""), encoding="utf-8")
    return plan_project(load_project(fixture_copy, FIXTURE_STACK))


def test_dropping_a_sensitive_var_trips_the_diff_guard_naming_what_the_provider_unsets(
    fixture_plan, fixture_copy
):
    head = without_the_token(fixture_copy)
    body = construct_vars(merged(fixture_plan), merged(head))
    unset = sorted(k for k, v in body.items() if v is None)
    assert unset == ["WEBSERVICES_TOKEN"]
    guard = build_report(fixture_plan, head).guard
    assert guard.tripped
    assert [v.var for v in guard.vars_unset] == unset
    assert (
        "Heroku config var `WEBSERVICES_TOKEN` unset on the live app (`example-forge-config`)"
        in guard.reasons()
    )
    assert not build_report(fixture_plan, head, GuardPolicy(allow_removals=True)).guard.tripped


def test_keeping_every_var_leaves_the_guard_quiet(fixture_plan):
    assert not build_report(fixture_plan, fixture_plan).guard.vars_unset


def _registered_outputs(monkeypatch) -> dict[str, dict[str, Any]]:
    """Each component's registered outputs, by URN, as the engine stores them in state."""
    seen: dict[str, dict[str, Any]] = {}

    def record(self: Any, request: Any) -> Any:
        outputs = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
        seen[request.urn] = {k: v for k, v in outputs.items() if isinstance(v, list | str)}
        return None

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResourceOutputs", record, raising=False)
    return seen


def _state(plan: Plan, outputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`pulumi stack export` after `up` of ``plan``: `sensitiveVars` is one secret object, as
    Pulumi stores a map holding secrets; a component's outputs are what it registered."""
    secret = {SIG_KEY: SECRET_SIG, "ciphertext": "v1:AAAA"}
    resources = []
    for r in plan.resources:
        custom = not r.type.startswith("cfinfra:")
        inputs = {k: secret if k == "sensitiveVars" else v for k, v in r.inputs.items()}
        parent = next((p.urn for p in plan.resources if p.key == r.parent), None)
        resources.append(
            {
                "urn": r.urn,
                "custom": custom,
                "type": r.type,
                "inputs": inputs if custom else {},
                "outputs": inputs if custom else outputs.get(str(r.urn), {}),
                **({"parent": parent} if parent else {}),
            }
        )
    return {"version": 3, "deployment": {"resources": resources}}


def test_the_deploy_guard_names_a_dropped_var_though_the_state_hides_the_secret_map(
    monkeypatch, fixture_copy
):
    outputs = _registered_outputs(monkeypatch)
    base = plan_project(load_project(FIXTURE_ROOT, FIXTURE_STACK))
    [component] = base.of_type(APP_COMPONENT)
    assert outputs[str(component.urn)]["configVarNames"] == sorted(merged(base))
    deployed = deployed_plan(_state(base, outputs))
    head = without_the_token(fixture_copy)
    result = check_against_deployed(deployed, head, GuardPolicy())
    assert result.tripped
    assert [(v.association, v.var) for v in result.vars_unset] == [
        ("example-forge-config", "WEBSERVICES_TOKEN")
    ]
    assert not check_against_deployed(deployed, base, GuardPolicy()).vars_unset


def test_a_state_that_hides_the_names_fails_closed(fixture_plan):
    hidden = {SIG_KEY: SECRET_SIG, "ciphertext": "v1:AAAA"}
    state = _state(fixture_plan, {})  # no component recorded the names
    for r in state["deployment"]["resources"]:
        if r["type"] == CONFIG_T:
            r["inputs"]["sensitiveVars"] = hidden
    result = check_against_deployed(deployed_plan(state), fixture_plan, GuardPolicy())
    assert result.tripped
    assert "cannot tell which Heroku config vars" in "; ".join(result.reasons())

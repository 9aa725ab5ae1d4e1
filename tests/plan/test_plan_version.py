"""The plan JSON says which shape it is, and a reader refuses a shape it does not know."""

from __future__ import annotations

import json

import pytest

from infra.plan.model import PLAN_VERSION, Plan, PlannedResource

RESOURCE = {"type": "github:index/actionsSecret:ActionsSecret", "name": "x", "inputs": {}}


def test_a_written_plan_starts_with_its_version() -> None:
    doc = json.loads(Plan(stack="prod", resources=[PlannedResource(**RESOURCE)]).to_json())

    assert next(iter(doc)) == "version"
    assert doc["version"] == PLAN_VERSION


def test_a_plan_round_trips_through_json() -> None:
    plan = Plan(
        stack="prod", resources=[PlannedResource(**RESOURCE, urn="urn:pulumi:prod::p::t::x")]
    )

    assert Plan.from_json(plan.to_json()) == plan


def test_a_plan_without_a_version_is_read_as_version_1() -> None:
    old = json.dumps({"stack": "prod", "resources": [RESOURCE]})

    assert Plan.from_json(old).resources[0].urn is None


@pytest.mark.parametrize("version", [PLAN_VERSION + 1, 0, "2"])
def test_a_plan_of_an_unknown_version_is_refused(version: object) -> None:
    text = json.dumps({"version": version, "stack": "prod", "resources": []})

    with pytest.raises(ValueError, match="this cfinfra reads versions 1 to"):
        Plan.from_json(text)

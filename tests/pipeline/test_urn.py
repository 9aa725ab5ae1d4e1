"""Every resource of the plan carries the URN the engine gives it (pulumi/pulumi ``NewURN``)."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.plan.engine import engine_urn, run_program

STACK_URN = "urn:pulumi:prod::conda-forge-infra::pulumi:pulumi:Stack::conda-forge-infra-prod"


def test_children_of_the_root_stack_carry_no_stack_type() -> None:
    urn = engine_urn("prod", "p", STACK_URN, "github:index/team:Team", "core")
    assert urn == "urn:pulumi:prod::p::github:index/team:Team::core"


def test_a_grandchild_carries_its_parents_whole_type_chain() -> None:
    parent = "urn:pulumi:prod::p::a:b:Outer$a:b:Inner::inner"
    urn = engine_urn("prod", "p", parent, "github:index/team:Team", "core")
    assert urn == "urn:pulumi:prod::p::a:b:Outer$a:b:Inner$github:index/team:Team::core"


def test_the_recording_monitor_registers_engine_urns_through_nested_components() -> None:
    class Outer(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:x:Outer", name)
            opts = pulumi.ResourceOptions(parent=self)
            inner = pulumi.ComponentResource("test:x:Inner", f"{name}-inner", None, opts)
            github.Team("t", name="t", opts=pulumi.ResourceOptions(parent=inner))

    monitor = run_program("prod", lambda: Outer("o"))
    assert sorted(monitor.registrations) == [
        "urn:pulumi:prod::conda-forge-infra::test:x:Outer$test:x:Inner$github:index/team:Team::t",
        "urn:pulumi:prod::conda-forge-infra::test:x:Outer$test:x:Inner::o-inner",
        "urn:pulumi:prod::conda-forge-infra::test:x:Outer::o",
    ]


def test_every_resource_of_the_plan_has_its_urn(fixture_plan) -> None:
    for r in fixture_plan.resources:
        assert r.urn is not None
        assert r.urn.startswith("urn:pulumi:fixture::conda-forge-infra::")
        assert r.urn.endswith(f"::{r.name}")
        assert r.urn.split("::")[2].split("$")[-1] == r.type
    assert len({r.urn for r in fixture_plan.resources}) == len(fixture_plan.resources)


def test_providers_record_their_plugin_version_as_the_engine_does(fixture_plan) -> None:
    """A dependency bump is then a reviewed `update` of the provider's `version`."""
    from importlib.metadata import version

    [github_provider] = fixture_plan.of_type("pulumi:providers:github")
    assert github_provider.inputs["version"] == version("pulumi_github")

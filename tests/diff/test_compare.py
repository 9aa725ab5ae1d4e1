"""The typed diff tree: what is created, deleted and updated, and which fields changed."""

from __future__ import annotations

from infra.diff.compare import MISSING, FieldKind, Op, diff_plans, resource_field_changes
from infra.plan.model import Plan
from infra.sources.offline import placeholder
from tests.diff.helpers import ORG_WEBHOOK, member, org_base, res, webhook


def _one(base: Plan, head: Plan):
    (change,) = diff_plans(base, head).changes
    return change


def test_identical_plans_have_no_changes() -> None:
    diff = diff_plans(org_base(), org_base())
    assert diff.is_empty
    assert diff.counts == {Op.CREATE: 0, Op.UPDATE: 0, Op.DELETE: 0}


def test_resources_are_matched_by_type_and_name() -> None:
    base = Plan("prod", [member("alice"), member("bob")])
    head = Plan("prod", [member("bob"), member("erin")])
    diff = diff_plans(base, head)
    assert [(c.op, c.name) for c in diff.changes] == [
        (Op.DELETE, "member-alice"),
        (Op.CREATE, "member-erin"),
    ]
    assert diff.base_counts == {"github:index/membership:Membership": 2}


def test_nested_input_changes_have_dotted_paths() -> None:
    old = webhook("lint", "/conda-linting/org-hook", ["pull_request"])
    new = webhook("lint", "/conda-linting/v2", ["pull_request"])
    change = _one(Plan("prod", [old]), Plan("prod", [new]))
    assert change.op is Op.UPDATE
    assert [(f.path, f.old, f.new) for f in change.fields] == [
        (
            "configuration.url",
            "https://conda-forge.herokuapp.com/conda-linting/org-hook",
            "https://conda-forge.herokuapp.com/conda-linting/v2",
        )
    ]


def test_list_of_named_items_is_matched_by_name_not_position() -> None:
    def group(*names: str):
        variables = [{"isSecret": False, "name": n, "value": n.lower()} for n in names]
        return res("azuredevops:index/variableGroup:VariableGroup", "g", {"variables": variables})

    change = _one(Plan("prod", [group("B", "C")]), Plan("prod", [group("A", "B", "C")]))
    assert [f.path for f in change.fields] == ["variables[A]"]
    assert change.fields[0].old is MISSING


def test_list_of_plain_values_is_one_field_change() -> None:
    old = webhook("lint", "/l", ["pull_request", "push"])
    new = webhook("lint", "/l", ["merge_group", "pull_request"])
    (field,) = _one(Plan("prod", [old]), Plan("prod", [new])).fields
    assert field.path == "events"
    assert field.old == ["pull_request", "push"]
    assert field.new == ["merge_group", "pull_request"]


def test_a_secret_field_carries_no_values() -> None:
    old = res(ORG_WEBHOOK, "w", {"configuration": {"secret": "[secret]"}})
    new = res(ORG_WEBHOOK, "w", {"configuration": {"secret": "now-in-plain-text"}})
    (field,) = _one(Plan("prod", [old]), Plan("prod", [new])).fields
    assert field.secret
    assert field.old is MISSING
    assert field.new is MISSING
    assert field.unmasked
    assert "now-in-plain-text" not in repr(field)


def test_an_offline_placeholder_counts_as_secret() -> None:
    leaked = placeholder("op://pulumi/prod-binstar-token/credential")
    old = res(ORG_WEBHOOK, "w", {"value": "x"})
    new = res(ORG_WEBHOOK, "w", {"value": leaked})
    (field,) = _one(Plan("prod", [old]), Plan("prod", [new])).fields
    assert field.secret
    assert leaked not in repr(field)


def test_a_secret_unchanged_on_both_sides_is_no_change() -> None:
    assert diff_plans(org_base(), org_base()).is_empty


def test_resource_options_are_reported_as_options() -> None:
    old = res(ORG_WEBHOOK, "w", {}, protect=True, retain_on_delete=False)
    new = res(ORG_WEBHOOK, "w", {}, protect=False, retain_on_delete=True)
    change = _one(Plan("prod", [old]), Plan("prod", [new]))
    assert [(f.path, f.kind) for f in change.fields] == [
        ("protect", FieldKind.OPTION),
        ("retain_on_delete", FieldKind.OPTION),
    ]
    assert change.protected


def test_a_new_parent_is_a_delete_and_a_create_as_the_engine_does_it() -> None:
    old = res(ORG_WEBHOOK, "w", {}, protect=True, parent="cfinfra:github:Webhooks::a")
    new = res(ORG_WEBHOOK, "w", {}, protect=False, parent="cfinfra:github:Webhooks::b")
    changes = diff_plans(Plan("prod", [old]), Plan("prod", [new])).changes
    assert [(c.op, c.name) for c in changes] == [(Op.DELETE, "w"), (Op.CREATE, "w")]
    assert all(c.reparented for c in changes)
    assert changes[0].moved == "parent cfinfra:github:Webhooks::b"


def test_a_urn_change_is_a_delete_and_a_create_even_with_the_same_parent_name() -> None:
    prefix = "urn:pulumi:prod::conda-forge-infra::"
    old = res(ORG_WEBHOOK, "w", {}, urn=f"{prefix}cfinfra:github:Webhooks${ORG_WEBHOOK}::w")
    new = res(ORG_WEBHOOK, "w", {}, urn=f"{prefix}cfinfra:github:Org${ORG_WEBHOOK}::w")
    changes = diff_plans(Plan("prod", [old]), Plan("prod", [new])).changes
    assert [c.op for c in changes] == [Op.DELETE, Op.CREATE]
    assert changes[0].moved == new.urn


def test_a_plan_without_urns_still_matches_one_with_urns() -> None:
    old = res(ORG_WEBHOOK, "w", {"active": True})
    new = res(ORG_WEBHOOK, "w", {"active": True}, urn="urn:pulumi:prod::p::" + ORG_WEBHOOK + "::w")
    assert diff_plans(Plan("prod", [old]), Plan("prod", [new])).changes == ()


def test_changes_are_sorted_whatever_the_input_order() -> None:
    base = org_base()
    head = org_base()
    gone = ("member-alice", "member-dave", "webhook-autotickbot", "team-core-bob")
    head.resources = list(reversed([r for r in head.resources if r.name not in gone]))
    changes = diff_plans(base, head).changes
    assert len(changes) == len(gone)
    assert [(c.type, c.name) for c in changes] == sorted((c.type, c.name) for c in changes)


def test_only_a_deletion_without_retain_or_downgrade_destroys_in_the_cloud() -> None:
    plain = res("github:index/repository:Repository", "a", {})
    kept = res("github:index/repository:Repository", "b", {}, retain_on_delete=True)
    demoted = res("github:index/membership:Membership", "c", {"downgradeOnDestroy": True})
    diff = diff_plans(Plan("prod", [plain, kept, demoted]), Plan("prod", []))
    assert {c.name: c.destroys for c in diff.changes} == {"a": True, "b": False, "c": False}


def test_a_login_respelled_in_case_only_is_no_change_where_the_provider_ignores_case() -> None:
    typ = "github:index/teamMembership:TeamMembership"
    old = res(typ, "conda-forge/core/bob", {"username": "Bob", "role": "member"})
    new = res(typ, "conda-forge/core/bob", {"username": "bob", "role": "member"})
    assert resource_field_changes(old, new) == ()
    renamed = res(typ, "conda-forge/core/bob", {"username": "bobby", "role": "member"})
    assert [f.path for f in resource_field_changes(old, renamed)] == ["username"]
    # Elsewhere case is not ignored: a repository description is text.
    a = res("github:index/repository:Repository", "r", {"description": "Bob"})
    b = res("github:index/repository:Repository", "r", {"description": "bob"})
    assert [f.path for f in resource_field_changes(a, b)] == ["description"]

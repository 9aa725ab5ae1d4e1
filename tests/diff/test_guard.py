"""The removal guard: share of a type, the small-type floor, org owners, and the override."""

from __future__ import annotations

from infra.diff.guard import GuardPolicy, GuardResult
from infra.diff.risks import build_report
from infra.plan.model import Plan
from tests.diff.helpers import member, org_secret, repository, webhook, widened_and_owner_removed


def _guard(base: Plan, head: Plan, **policy: object) -> GuardResult:
    return build_report(base, head, GuardPolicy(**policy)).guard  # type: ignore[arg-type]


def _repos(n: int) -> list:
    return [repository(f"r{i:04}") for i in range(n)]


def test_deleting_more_than_the_share_of_a_type_trips() -> None:
    base = Plan("prod", _repos(100))
    guard = _guard(base, Plan("prod", _repos(79)))
    assert guard.tripped
    (removal,) = guard.removals
    assert (removal.deleted, removal.base_count, removal.small_type) == (21, 100, False)


def test_deleting_up_to_the_share_of_a_large_type_passes() -> None:
    base = Plan("prod", _repos(100))
    assert not _guard(base, Plan("prod", _repos(80))).violated


def test_one_of_two_webhooks_trips_even_with_a_generous_share() -> None:
    hooks = [webhook("a", "/a", ["push"]), webhook("b", "/b", ["push"])]
    guard = _guard(Plan("prod", hooks), Plan("prod", hooks[:1]), max_share=0.9)
    assert guard.tripped
    assert guard.removals[0].small_type


def test_the_small_type_floor_covers_types_of_at_most_ten() -> None:
    ten, eleven = Plan("prod", _repos(10)), Plan("prod", _repos(11))
    assert _guard(ten, Plan("prod", _repos(9))).tripped
    assert not _guard(eleven, Plan("prod", _repos(10))).violated


def test_removing_a_whole_type_trips() -> None:
    secrets = [org_secret(f"S{i}") for i in range(40)]
    guard = _guard(Plan("prod", secrets + _repos(50)), Plan("prod", _repos(50)))
    assert [r.share for r in guard.removals] == [1.0]


def test_removing_an_owner_trips_whatever_the_counts() -> None:
    people = [member(f"m{i:03}") for i in range(200)]
    base = Plan("prod", [*people, member("owner", "admin")])
    guard = _guard(base, Plan("prod", people))
    assert guard.removals == ()
    assert guard.owners_removed == ("owner",)
    assert guard.tripped


def test_demoting_an_owner_trips() -> None:
    base = Plan("prod", [member("bob", "admin")])
    head = Plan("prod", [member("bob", "member")])
    assert _guard(base, head).owners_removed == ("bob",)


def test_adding_and_updating_never_trips() -> None:
    base = Plan("prod", [member("bob", "member")])
    head = Plan("prod", [member("bob", "admin"), *_repos(3)])
    assert not _guard(base, head).violated


def test_the_override_reports_but_does_not_trip() -> None:
    base, head = widened_and_owner_removed()
    guard = _guard(base, head, allow_removals=True)
    assert guard.violated
    assert not guard.tripped
    assert "overridden with --allow-removals" in guard.message()
    assert "carol" in guard.message()

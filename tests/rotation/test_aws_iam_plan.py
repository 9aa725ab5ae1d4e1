"""The IAM rotator's decisions: a pure function of IAM keys, 1Password record, policy, clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.config.manifest import Rotation
from infra.rotation.aws_iam import (
    CreateAndStore,
    Deactivate,
    Delete,
    IamKey,
    ItemRecord,
    RecordDeactivation,
    plan_rotation,
)
from infra.rotation.base import RotationError

NOW = datetime(2030, 6, 1, tzinfo=UTC)
POLICY = Rotation.model_validate(
    {
        "max_age_days": 90,
        "mode": "automatic",
        "rotator": "aws-iam-access-key",
        "aws_iam_user": "cirun",
        "overlap_days": 7,
    }
)
OLD, NEW, LOST = "AKIAOLDOLDOLDOLD0001", "AKIANEWNEWNEWNEW0002", "AKIALOSTLOSTLOST0003"


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def key(key_id: str, age: float, active: bool = True) -> IamKey:
    return IamKey(id=key_id, active=active, created_at=days_ago(age))


def record(
    current: str | None = OLD,
    previous: str | None = None,
    deactivated: float | None = None,
    updated: float = 100,
    has_secret: bool = True,
) -> ItemRecord:
    return ItemRecord(
        current=current,
        has_secret=has_secret,
        previous=previous,
        deactivated_at=None if deactivated is None else days_ago(deactivated),
        updated_at=days_ago(updated),
    )


def plan(keys: list[IamKey], rec: ItemRecord, deployed: bool = False) -> list[object]:
    return list(plan_rotation(keys, rec, POLICY, NOW, deployed).actions)


def test_a_young_key_needs_nothing() -> None:
    assert plan([key(OLD, 10)], record(updated=10)) == []


def test_a_due_key_is_replaced_and_the_old_one_kept_active() -> None:
    [action] = plan([key(OLD, 80)], record(updated=80))
    assert isinstance(action, CreateAndStore)
    assert action.replaces == OLD


def test_the_superseded_key_is_only_deactivated_once_delivery_is_confirmed() -> None:
    state = ([key(OLD, 80), key(NEW, 0)], record(current=NEW, previous=OLD, updated=0))
    assert plan(*state) == []
    assert plan(*state, deployed=True) == [
        Deactivate(OLD, "superseded; the new key has been delivered"),
        RecordDeactivation(OLD),
    ]


def test_the_superseded_key_is_deleted_only_after_the_overlap() -> None:
    keys = [key(OLD, 90, active=False), key(NEW, 8)]
    assert plan(keys, record(current=NEW, previous=OLD, deactivated=6.9, updated=6.9)) == []
    [action] = plan(keys, record(current=NEW, previous=OLD, deactivated=7, updated=7))
    assert isinstance(action, Delete)
    assert action.key_id == OLD


def test_a_deactivation_that_was_not_recorded_is_recorded_now() -> None:
    keys = [key(OLD, 90, active=False), key(NEW, 8)]
    assert plan(keys, record(current=NEW, previous=OLD, updated=8)) == [RecordDeactivation(OLD)]


def test_a_key_created_after_the_item_last_changed_is_a_lost_key() -> None:
    keys = [key(OLD, 80), key(LOST, 0.01)]
    actions = plan(keys, record(updated=80))
    assert [type(a) for a in actions] == [Deactivate, Delete, CreateAndStore]
    assert actions[0].key_id == LOST  # type: ignore[attr-defined]


def test_an_unknown_active_key_older_than_the_item_stops_everything() -> None:
    with pytest.raises(RotationError, match="a person must decide"):
        plan([key(OLD, 80), key(LOST, 50)], record(updated=10))


def test_the_stored_key_is_never_touched() -> None:
    for deployed in (False, True):
        for rec in (record(updated=100), record(previous=OLD, updated=100)):
            for action in plan([key(OLD, 200)], rec, deployed=deployed):
                assert getattr(action, "key_id", None) != OLD


def test_an_inactive_stored_key_stops_everything() -> None:
    with pytest.raises(RotationError, match="inactive"):
        plan([key(OLD, 10, active=False)], record())


def test_no_new_key_while_the_previous_rotation_winds_down() -> None:
    keys = [key(OLD, 170, active=False), key(NEW, 85)]  # NEW is due, OLD inside its overlap
    rotation = plan_rotation(
        keys, record(current=NEW, previous=OLD, deactivated=1, updated=1), POLICY, NOW, False
    )
    assert rotation.actions == ()
    assert any("still winding down" in n for n in rotation.notes)


def test_a_missing_secret_in_1password_forces_a_rotation() -> None:
    [action] = plan([key(OLD, 1)], record(updated=1, has_secret=False))
    assert isinstance(action, CreateAndStore)
    assert action.replaces == OLD  # the old key stays active: consumers may still hold it


def test_no_plan_ever_holds_more_than_two_keys() -> None:
    # Two keys and a due stored key: nothing is created until the other key is gone.
    keys = [key(OLD, 200), key(NEW, 1)]
    actions = plan(keys, record(current=OLD, previous=NEW, updated=1))
    assert not any(isinstance(a, CreateAndStore) for a in actions)

"""The `aws-iam-access-key` rotator against moto IAM/STS and the 1Password fake."""

from __future__ import annotations

import asyncio

import pytest

from infra.rotation.aws_iam import DEACTIVATED_AT_FIELD, PREVIOUS_KEY_FIELD
from infra.rotation.base import RotationError
from infra.rotation.op_items import VALUE_SET_AT, stamp
from tests.rotation.aws_world import (
    ACCESS_KEY_ID_FIELD,
    ITEM,
    MAX_AGE_DAYS,
    OVERLAP_DAYS,
    USER,
    VAULT,
    World,
    flaky,
    sts_client,
)

DUE = MAX_AGE_DAYS - 10  # inside the due-soon window (the last 22 days of 90)


def test_a_fresh_key_is_left_alone(world: World) -> None:
    before = world.keys()
    report = world.run()
    assert report.actions == []
    assert "next rotation from" in report.notes[0]
    assert world.keys() == before
    assert world.op.calls["items.put"] == 0


def test_a_full_cycle_keeps_the_old_key_active_until_delivery_then_deletes_it_after_the_overlap(
    world: World,
) -> None:
    old_id, _ = world.stored()
    world.advance(DUE)

    report = world.run()
    new_id, _ = world.stored()
    assert new_id != old_id
    assert report.stored_new_value
    assert world.keys() == {old_id: "Active", new_id: "Active"}  # consumers keep working
    assert world.op.field_value(VAULT, ITEM, PREVIOUS_KEY_FIELD) == old_id
    world.assert_stored_key_works()

    # Without --deployed nothing more happens, however often it runs.
    assert world.run().actions == []
    assert world.keys() == {old_id: "Active", new_id: "Active"}

    report = world.run(deployed=True)
    assert world.keys() == {old_id: "Inactive", new_id: "Active"}
    assert world.op.field_value(VAULT, ITEM, DEACTIVATED_AT_FIELD).startswith("2030-03-22")
    assert any("deleted on a run after" in n for n in world.run(deployed=True).notes)

    world.advance(OVERLAP_DAYS - 1)
    world.run()
    assert len(world.keys()) == 2  # still inside the overlap: the old key can be reactivated

    world.advance(1)
    world.run()
    assert world.keys() == {new_id: "Active"}
    world.assert_stored_key_works()


def test_make_room_deletes_an_inactive_leftover_never_an_active_key(world: World) -> None:
    leftover = world.admin.create_access_key(UserName=USER)["AccessKey"]
    world.secrets_seen.append(leftover["SecretAccessKey"])
    world.admin.update_access_key(
        UserName=USER, AccessKeyId=leftover["AccessKeyId"], Status="Inactive"
    )
    old_id, _ = world.stored()
    world.advance(DUE)

    report = world.run()
    new_id, _ = world.stored()
    assert world.keys() == {old_id: "Active", new_id: "Active"}
    assert report.actions[0].startswith("delete inactive key")


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(world: World) -> None:
    before, stored = world.keys(), world.stored()
    world.advance(DUE)
    report = world.run(dry_run=True)
    assert report.actions == [
        "would create a key, verify it with STS and store it in 1Password "
        f"(key is {DUE} d old, policy {MAX_AGE_DAYS} d)"
    ]
    assert (world.keys(), world.stored()) == (before, stored)
    assert world.op.calls["items.put"] == 0


def test_verification_retries_while_iam_propagates_the_new_key_without_real_sleeps(
    world: World,
) -> None:
    world.sts_factory = flaky(sts_client, failures=3)
    world.advance(DUE)
    world.run()
    assert world.sleeps == [1.0, 2.0, 4.0]  # bounded exponential backoff, injected sleep
    world.assert_stored_key_works()


def test_a_key_sts_never_accepts_is_discarded_and_the_stored_key_is_untouched(
    world: World,
) -> None:
    before = world.stored()
    world.sts_factory = flaky(sts_client, failures=100)
    world.advance(DUE)
    with pytest.raises(RotationError) as raised:
        world.run()
    message = str(raised.value)
    assert "not accepted by STS after 6 attempts" in message
    assert "InvalidClientTokenId" in message
    assert world.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert world.stored() == before
    assert world.keys() == {before[0]: "Active"}  # the unverified key was deactivated and deleted
    for secret in world.secrets_seen:
        assert secret not in message


def test_a_stored_key_someone_deactivated_stops_the_rotator(world: World) -> None:
    key_id, _ = world.stored()
    world.admin.update_access_key(UserName=USER, AccessKeyId=key_id, Status="Inactive")
    world.advance(DUE)
    with pytest.raises(RotationError, match=r"stored key AKIA….{4} is inactive"):
        world.run()
    assert world.keys() == {key_id: "Inactive"}


def test_an_unknown_active_key_older_than_the_item_stops_the_rotator(world: World) -> None:
    # Someone made a key by hand, then the item changed (say, its notes were edited): the rotator
    # cannot tell whether anything uses that key, so it touches nothing.
    manual = world.admin.create_access_key(UserName=USER)["AccessKey"]
    world.secrets_seen.append(manual["SecretAccessKey"])
    world.advance(1)
    item = world.op.item(VAULT, ITEM)
    asyncio.run(world.op.items.put(item.model_copy(update={"notes": "edited"})))
    world.advance(DUE)
    with pytest.raises(RotationError, match="a person must decide"):
        world.run()
    assert world.keys()[manual["AccessKeyId"]] == "Active"


def test_a_stored_key_deleted_from_iam_is_replaced_at_once(world: World) -> None:
    key_id, _ = world.stored()
    world.admin.update_access_key(UserName=USER, AccessKeyId=key_id, Status="Inactive")
    world.admin.delete_access_key(UserName=USER, AccessKeyId=key_id)
    report = world.run()
    assert "no longer exists in IAM" in report.actions[0]
    assert world.converged()
    assert world.op.field_value(VAULT, ITEM, PREVIOUS_KEY_FIELD) == ""


def test_an_empty_item_and_no_keys_bootstraps_a_first_key(world: World) -> None:
    key_id, _ = world.stored()
    world.admin.update_access_key(UserName=USER, AccessKeyId=key_id, Status="Inactive")
    world.admin.delete_access_key(UserName=USER, AccessKeyId=key_id)
    item = world.op.item(VAULT, ITEM)
    emptied = [f.model_copy(update={"value": ""}) for f in item.fields]
    asyncio.run(world.op.items.put(item.model_copy(update={"fields": emptied})))
    report = world.run()
    assert "no key is stored in 1Password yet" in report.actions[0]
    assert world.converged()


def test_a_manifest_pointing_at_another_field_is_refused(world: World) -> None:
    with pytest.raises(RotationError, match="writes the fields `access-key-id`"):
        world.run(field="credential")


def test_a_manifest_pointing_at_the_key_id_field_rotates_the_same_item(world: World) -> None:
    world.advance(DUE)
    report = world.run(field=ACCESS_KEY_ID_FIELD)
    assert report.stored_new_value
    world.assert_stored_key_works()


def test_reports_show_truncated_key_ids_only(world: World) -> None:
    world.advance(DUE)
    report = world.run()
    new_id, _ = world.stored()
    text = "\n".join(report.actions + report.notes)
    assert f"{new_id[:4]}…{new_id[-4:]}" in text
    assert new_id not in text


def test_emptying_the_secret_field_rotates_at_once_and_keeps_the_old_key_until_delivery(
    world: World,
) -> None:
    # The runbook's lever for a leaked key: no --force flag, just an empty secret in 1Password.
    old_id, _ = world.stored()
    item = world.op.item(VAULT, ITEM)
    emptied = [
        f.model_copy(update={"value": ""}) if f.title == "secret-access-key" else f
        for f in item.fields
    ]
    asyncio.run(world.op.items.put(item.model_copy(update={"fields": emptied})))
    report = world.run()
    assert "1Password holds no secret for the stored key" in report.actions[0]
    new_id, _ = world.stored()
    assert world.keys() == {old_id: "Active", new_id: "Active"}
    world.run(deployed=True)
    assert world.keys() == {old_id: "Inactive", new_id: "Active"}
    world.assert_stored_key_works()


def test_status_asks_for_a_person_when_the_old_key_outlives_the_overlap(world: World) -> None:
    from infra.rotation.status import collect_status, counts, exit_code
    from tests.rotation.aws_world import entry

    def status() -> tuple[bool, bool, int]:
        rows = asyncio.run(collect_status(world.op, [entry()], world.now()))
        return rows[0].in_progress, rows[0].needs_action, int(exit_code(rows))

    old_id, _ = world.stored()
    world.advance(DUE)
    world.run()
    new_id, _ = world.stored()
    world.advance(OVERLAP_DAYS - 1)
    assert status() == (True, False, 0)  # inside the overlap: waiting for delivery is normal

    world.advance(1)
    rows = asyncio.run(collect_status(world.op, [entry()], world.now()))
    assert world.keys() == {old_id: "Active", new_id: "Active"}
    assert status() == (True, True, 1)  # the workflow's state becomes `due`: the issue opens
    assert counts(rows)["needs-action"] == 1
    assert "cirun_key_deployed" in rows[0].note
    assert old_id not in rows[0].note

    world.run(deployed=True)  # someone confirmed delivery
    assert world.keys() == {old_id: "Inactive", new_id: "Active"}
    assert status() == (True, False, 0)


def test_the_new_key_is_dated_in_the_same_put_as_its_value(world: World) -> None:
    world.advance(DUE)
    puts_before = world.op.calls["items.put"]
    world.run()
    assert world.op.calls["items.put"] == puts_before + 1  # key and date in one write
    key_id, _ = world.stored()
    created = world.admin.list_access_keys(UserName="cirun")["AccessKeyMetadata"]
    when = next(k["CreateDate"] for k in created if k["AccessKeyId"] == key_id)
    assert world.op.field_value(VAULT, ITEM, VALUE_SET_AT) == stamp(when)

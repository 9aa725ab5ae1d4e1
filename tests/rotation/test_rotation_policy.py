"""Due / overdue arithmetic and the manifest's rotation model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from infra.config.manifest import Rotation
from infra.rotation.policy import RotationState, assess, due_soon_days

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age_days", "state"),
    [
        (0, RotationState.OK),
        (149.9, RotationState.OK),
        (150.5, RotationState.DUE_SOON),  # 180 d policy warns from day 150
        (179.99, RotationState.DUE_SOON),
        (180, RotationState.OVERDUE),  # overdue the moment the age reaches the policy
        (400, RotationState.OVERDUE),
    ],
)
def test_a_180_day_secret_is_ok_then_due_soon_then_overdue(
    age_days: float, state: RotationState
) -> None:
    assert assess(NOW - timedelta(days=age_days), 180, NOW).state is state


def test_age_and_due_date_are_whole_days_from_the_last_change() -> None:
    verdict = assess(datetime(2026, 1, 1, 23, 0, tzinfo=UTC), 90, NOW)
    assert verdict.age_days == 150
    assert verdict.due_on == date(2026, 4, 1)


def test_naive_timestamps_from_the_sdk_are_taken_as_utc() -> None:
    naive = datetime(2026, 5, 31, 12, 0)  # what onepassword.types parses: naive UTC
    assert assess(naive, 30, NOW).age_days == 1


def test_a_timestamp_in_the_future_counts_as_age_zero() -> None:
    assert assess(NOW + timedelta(days=2), 30, NOW).age_days == 0


@pytest.mark.parametrize(("max_age", "window"), [(1, 1), (7, 1), (90, 22), (180, 30), (3650, 30)])
def test_the_warning_window_is_a_quarter_of_the_policy_capped_at_30_days(
    max_age: int, window: int
) -> None:
    assert due_soon_days(max_age) == window


def test_the_aws_rotator_needs_its_iam_user() -> None:
    with pytest.raises(ValidationError, match="`aws_iam_user` is required"):
        Rotation.model_validate(
            {"max_age_days": 90, "mode": "automatic", "rotator": "aws-iam-access-key"}
        )


def test_an_iam_user_is_refused_on_a_manual_policy() -> None:
    with pytest.raises(ValidationError, match="only allowed there"):
        Rotation.model_validate({"max_age_days": 90, "mode": "manual", "aws_iam_user": "cirun"})


def test_an_iam_user_name_follows_iams_rules() -> None:
    with pytest.raises(ValidationError):
        Rotation.model_validate(
            {
                "max_age_days": 90,
                "mode": "automatic",
                "rotator": "aws-iam-access-key",
                "aws_iam_user": "no spaces/or slashes",
            }
        )


def test_the_cirun_policy_parses() -> None:
    rotation = Rotation.model_validate(
        {
            "max_age_days": 90,
            "mode": "automatic",
            "rotator": "aws-iam-access-key",
            "aws_iam_user": "cirun",
            "overlap_days": 1,
        }
    )
    assert rotation.aws_iam_user == "cirun"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-01T10:00:00Z", datetime(2026, 12, 1, 10, tzinfo=UTC)),
        (" 2026-12-01T10:00:00+00:00 ", datetime(2026, 12, 1, 10, tzinfo=UTC)),
        ("2026-12-01T10:00:00", datetime(2026, 12, 1, 10, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
        (None, None),
        (1764583200, None),  # a service answering a number where it documents a string
    ],
)
def test_one_timestamp_reader_for_item_fields_and_service_answers(raw, expected) -> None:
    from infra.rotation.op_items import parse_stamp

    assert parse_stamp(raw) == expected

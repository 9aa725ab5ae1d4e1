"""When a secret is due: pure date arithmetic on "last changed" and the manifest's ``max_age_days``.

Kept free of I/O so that ``status`` (1Password item timestamps) and the automatic rotators (e.g. an
IAM key's creation date) judge age by exactly the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

DUE_SOON_MAX_DAYS = 30


class RotationState(StrEnum):
    """Where a secret stands against its policy; ``overdue``, ``expiring`` (it stops working
    within the policy's warning window) and ``missing`` fail the check."""

    OK = "ok"
    DUE_SOON = "due-soon"
    EXPIRING = "expiring"
    OVERDUE = "overdue"
    MISSING = "missing"

    @property
    def failing(self) -> bool:
        return self in (RotationState.OVERDUE, RotationState.EXPIRING, RotationState.MISSING)

    @property
    def severity(self) -> int:
        """Sort key: the states a reader must act on first come first."""
        return _SEVERITY[self]


_SEVERITY = {
    RotationState.OVERDUE: 0,
    RotationState.EXPIRING: 1,
    RotationState.MISSING: 2,
    RotationState.DUE_SOON: 3,
    RotationState.OK: 4,
}


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime. The 1Password SDK parses its timestamps as *naive* UTC datetimes."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def due_soon_days(max_age_days: int) -> int:
    """The warning window: a quarter of the policy, at most 30 days, at least one day.

    A quarter keeps a 90-day token from being "due soon" for a third of its life; the cap keeps a
    10-year project id from warning for years.
    """
    return max(1, min(DUE_SOON_MAX_DAYS, max_age_days // 4))


@dataclass(frozen=True)
class Assessment:
    """A secret's age against its policy at one moment."""

    changed_at: datetime
    age_days: int
    due_at: datetime
    state: RotationState

    @property
    def due_on(self) -> date:
        return self.due_at.date()


def assess(changed_at: datetime, max_age_days: int, now: datetime) -> Assessment:
    """Judge a value last changed at ``changed_at`` against ``max_age_days`` at ``now``.

    Overdue from the moment the age reaches ``max_age_days``; due soon within ``due_soon_days`` of
    that. A timestamp in the future (clock skew) counts as age 0.
    """
    changed_at, now = as_utc(changed_at), as_utc(now)
    due_at = changed_at + timedelta(days=max_age_days)
    age_days = max(0, (now - changed_at) // timedelta(days=1))
    if now >= due_at:
        state = RotationState.OVERDUE
    elif now >= due_at - timedelta(days=due_soon_days(max_age_days)):
        state = RotationState.DUE_SOON
    else:
        state = RotationState.OK
    return Assessment(changed_at=changed_at, age_days=age_days, due_at=due_at, state=state)

"""The interface every automatic rotator implements, and what a run reports.

A rotator is a small state machine over *real* state: it reads the service (e.g. IAM's key list) and
the 1Password item, decides the next safe steps, and performs them. It keeps no private state and
never assumes a previous run finished, so a crash at any point is healed by running it again.

Rules every rotator follows:
- at every moment the credential stored in 1Password works;
- the previous credential stays usable until the new one has been delivered (``deployed``), then
  stays deactivated (not deleted) for ``overlap_days`` so it can be restored in seconds;
- it never delivers values to targets itself: the rotation workflow runs ``pulumi up`` for that;
- no secret value appears in a report line, a log line or an exception message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

from infra.config.manifest import SecretEntry


class RotationError(Exception):
    """A rotation cannot proceed safely; a person must look. Never carries a secret value."""


@dataclass(frozen=True)
class RotationContext:
    """One invocation of ``cfinfra rotation run``.

    ``deployed`` is the caller's word that ``pulumi up`` has delivered what 1Password holds now.
    Only then may a superseded credential be deactivated: the rotator cannot see the targets.
    """

    now: datetime
    dry_run: bool = False
    deployed: bool = False
    emergency: bool = False
    """``--emergency``: the stored credential leaked; replace it and remove it with no overlap."""


@dataclass
class RotationReport:
    """What a rotator did (or, in a dry run, would do), in words safe to print."""

    secret_id: str
    rotator: str
    actions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stored_new_value: bool = False
    """True when 1Password now holds a new value that targets still need (run ``pulumi up``)."""


class Rotator(Protocol):
    """An automatic rotator, selected by a manifest's ``rotation.rotator``."""

    name: ClassVar[str]

    async def rotate(self, entry: SecretEntry, ctx: RotationContext) -> RotationReport:
        """Advance ``entry``'s rotation as far as is safe now; ``RotationError`` if it cannot."""
        ...


def short_id(key_id: str | None) -> str:
    """A credential *id* shortened for output, e.g. ``AKIA…WXYZ``. Never pass a secret here."""
    if not key_id:
        return "(none)"
    if len(key_id) <= 8:
        return key_id
    return f"{key_id[:4]}…{key_id[-4:]}"

"""Which automatic rotations a run covers, and running them one after the other.

One rotation per 1Password item: the manifest may hold two entries for one item (say, the access key
id and the secret access key, delivered to different targets); rotating the item once serves both.
A failure of one rotator is reported and does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infra.config.base import did_you_mean
from infra.config.manifest import RotationMode, SecretEntry
from infra.rotation.base import RotationContext, RotationError, RotationReport, Rotator


class SelectionError(ValueError):
    """``--secret`` names no automatic secret, or entries for one item disagree on the policy."""


def select_automatic(entries: Sequence[SecretEntry], secret_id: str | None) -> list[SecretEntry]:
    """The automatic entries to rotate, one per 1Password item, sorted by id."""
    if secret_id is not None:
        chosen = [e for e in entries if e.id == secret_id]
        if not chosen:
            known = [e.id for e in entries]
            raise SelectionError(
                f"no secret `{secret_id}` in the manifest{did_you_mean(secret_id, known)}"
            )
        if chosen[0].secret.rotation.mode is not RotationMode.AUTOMATIC:
            raise SelectionError(
                f"secret `{secret_id}` is rotated by hand: see docs/runbooks/rotate-a-token.md"
            )
    automatic = sorted(
        (e for e in entries if e.secret.rotation.mode is RotationMode.AUTOMATIC),
        key=lambda e: e.id,
    )
    by_item: dict[tuple[str, str], SecretEntry] = {}
    for entry in automatic:
        ref = entry.secret.onepassword
        key = (ref.vault.casefold(), ref.item.casefold())
        first = by_item.setdefault(key, entry)
        if first.secret.rotation != entry.secret.rotation:
            raise SelectionError(
                f"`{first.id}` and `{entry.id}` share the item {ref.vault}/{ref.item} "
                "but not the rotation policy: make them equal"
            )
    selected = list(by_item.values())
    if secret_id is not None:
        ref = next(e for e in entries if e.id == secret_id).secret.onepassword
        key = (ref.vault.casefold(), ref.item.casefold())
        selected = [by_item[key]]
    return selected


@dataclass(frozen=True)
class Outcome:
    """A rotator's report, or the reason it stopped (``error``, safe to print)."""

    entry: SecretEntry
    report: RotationReport | None = None
    error: str | None = None


async def run_rotations(
    entries: Sequence[SecretEntry],
    rotator_for: Callable[[str], Rotator | None],
    ctx: RotationContext,
) -> list[Outcome]:
    """Run each entry's rotator in turn; an unknown rotator or a failure is an error outcome."""
    outcomes: list[Outcome] = []
    for entry in entries:
        name = entry.secret.rotation.rotator or ""
        rotator = rotator_for(name)
        if rotator is None:
            outcomes.append(Outcome(entry, error=f"{entry.id}: no rotator named `{name}`"))
            continue
        try:
            outcomes.append(Outcome(entry, report=await rotator.rotate(entry, ctx)))
        except RotationError as exc:
            outcomes.append(Outcome(entry, error=str(exc)))
    return outcomes

"""``cfinfra rotation status``: every secret's age against its policy, and its expiry.

A secret's age runs from its item's ``value-set-at`` field, which only a change of the *value*
moves (the rotators write it in the same ``items.put`` as the value; the runbooks in the same
``op item edit``). The item's ``updated_at`` is not used: tagging, retitling or describing an
item moves it, and every secret would look new (the one-time clearance tags touched all of them).
An item without ``value-set-at`` is ``missing`` until ``cfinfra rotation bootstrap-ages`` (once)
or its next rotation records it. The kinds that always expire and cannot be asked (Azure DevOps
PATs, Entra client secrets, fine-grained GitHub tokens) carry an ``expires`` date, recorded at
creation; within the policy's warning window the secret is ``expiring``.

Cost is fixed by the number of vaults, not of secrets: one ``vaults.list()``, one
``items.list(vault_id)`` per vault the manifest uses, and one ``secrets.resolve_all`` of the
bookkeeping fields only (``value-set-at``, ``expires``): no secret value is requested.

An automatic rotation keeps its progress in its item's "Rotation" section (a token stored but not
yet seen at every target, an old one kept for the overlap): ``status`` reads those items
(``items.get``, one per automatic secret) to report a rotation *in progress*, which the scheduled
workflow must advance even when nothing is due. Only the bookkeeping fields are looked at; no value
is kept, compared or printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from infra.config.manifest import (
    ANACONDA,
    AWS_IAM_ACCESS_KEY,
    EXPIRES_RECORDED,
    RotationMode,
    SecretEntry,
)
from infra.exitcodes import ExitCode
from infra.rotation.op_items import (
    EXPIRES,
    VALUE_SET_AT,
    OnePasswordClient,
    matching,
    parse_expires,
    parse_stamp,
)
from infra.rotation.policy import Assessment, RotationState, assess, due_soon_days

if TYPE_CHECKING:
    from onepassword.types import Item, ItemOverview


@dataclass(frozen=True)
class StatusRow:
    """One secret's line in the report. ``note`` explains a ``missing`` state."""

    secret_id: str
    item: str
    owner: str
    policy: str
    state: RotationState
    value_set_at: datetime | None = None
    age_days: int | None = None
    due_on: date | None = None
    expires_on: date | None = None
    """When the credential stops working, where recorded (``expires``)."""
    note: str = ""
    in_progress: bool = False
    """An automatic rotation has started and is not finished (delivery or overlap pending)."""
    needs_action: bool = False
    """A person must act: an AWS IAM key was replaced more than the overlap ago and the old key
    was never deactivated (nobody confirmed delivery). Fails the check like ``overdue``."""


def policy_text(entry: SecretEntry) -> str:
    """The policy in a few words: ``manual, 180 d``, ``automatic (aws-iam-access-key), 90 d``."""
    rotation = entry.secret.rotation
    mode = str(rotation.mode)
    if rotation.mode is RotationMode.AUTOMATIC:
        mode = f"automatic ({rotation.rotator})"
    return f"{mode}, {rotation.max_age_days} d"


def _row(
    entry: SecretEntry,
    state: RotationState,
    *,
    note: str = "",
    verdict: Assessment | None = None,
    in_progress: bool = False,
    needs_action: bool = False,
    expires_on: date | None = None,
) -> StatusRow:
    ref = entry.secret.onepassword
    return StatusRow(
        secret_id=entry.id,
        item=f"{ref.vault}/{ref.item}",
        owner=entry.secret.owner,
        policy=policy_text(entry),
        state=state,
        value_set_at=verdict.changed_at if verdict else None,
        age_days=verdict.age_days if verdict else None,
        due_on=verdict.due_on if verdict else None,
        expires_on=expires_on,
        note=note,
        in_progress=in_progress,
        needs_action=needs_action,
    )


def in_progress(entry: SecretEntry, item: Item) -> bool:
    """Whether ``item`` records an unfinished rotation of ``entry``'s rotator.

    anaconda.org: a pending token name, a stored token not yet seen at every target, or an old
    token kept for the overlap. AWS IAM: a previous key not yet deleted.
    """
    from infra.rotation import anaconda, aws_iam

    rotator = entry.secret.rotation.rotator
    if rotator == ANACONDA:
        record = anaconda.read_record(item, entry.secret.onepassword.field)
        return bool(record.pending) or record.delivering or record.retiring
    if rotator == AWS_IAM_ACCESS_KEY:
        return aws_iam.read_record(item).previous is not None
    return False


STALE_NOTE = (
    "old key still active past the {days} d overlap: once cirun uses the new key, dispatch "
    "rotation.yml with cirun_key_deployed (or run `cfinfra rotation run --deployed`)"
)


def old_key_overstays(entry: SecretEntry, item: Item, now: datetime) -> bool:
    """Whether an AWS IAM rotation left its previous key active for longer than the overlap.

    From 1Password alone: a previous key is recorded but no deactivation, and the item last
    changed (the new key was stored then, or later) more than ``overlap_days`` before ``now``.
    A later edit of the item only delays the signal; it never raises a false one.
    """
    from infra.rotation import aws_iam

    rotation = entry.secret.rotation
    if rotation.rotator != AWS_IAM_ACCESS_KEY:
        return False
    record = aws_iam.read_record(item)
    if record.previous is None or record.deactivated_at is not None:
        return False
    return now >= record.updated_at + timedelta(days=rotation.overlap_days)


async def _in_progress(
    client: OnePasswordClient, entry: SecretEntry, found: ItemOverview, now: datetime
) -> str:
    """``"yes"``/``"no"``/``"stale"`` (in progress, and a person must act), or why the item
    could not be read (the row is then ``missing``)."""
    try:
        item = await client.items.get(found.vault_id, found.id)
        if old_key_overstays(entry, item, now):
            return "stale"
        return "yes" if in_progress(entry, item) else "no"
    except Exception as exc:  # the SDK raises plain Exception; its messages carry no values
        return f"reading item `{found.title}` failed: {exc}"


async def _list_vaults(
    client: OnePasswordClient, names: Sequence[str]
) -> dict[str, list[ItemOverview] | str]:
    """Item overviews per vault name (one listing call per vault), or why it cannot be read."""
    vaults = await client.vaults.list()
    listings: dict[str, list[ItemOverview] | str] = {}
    for name in names:
        found = matching(vaults, name)
        if len(found) != 1:
            listings[name] = (
                f"vault `{name}` not found (or not shared with the service account)"
                if not found
                else f"{len(found)} vaults are named `{name}`"
            )
            continue
        try:
            listings[name] = await client.items.list(found[0].id)
        except Exception as exc:  # the SDK raises plain Exception; its messages carry no values
            listings[name] = f"listing vault `{name}` failed: {exc}"
    return listings


def bookkeeping_ref(entry: SecretEntry, label: str) -> str:
    ref = entry.secret.onepassword
    return f"op://{ref.vault}/{ref.item}/{label}"


async def read_bookkeeping(
    client: OnePasswordClient, entries: Sequence[SecretEntry]
) -> dict[str, str]:
    """``{reference: value}`` of every ``value-set-at`` (and ``expires`` where the kind needs
    one) that resolves, in one ``resolve_all``; an absent field is simply not in the result."""
    refs = sorted(
        {bookkeeping_ref(e, VALUE_SET_AT) for e in entries}
        | {
            bookkeeping_ref(e, EXPIRES)
            for e in entries
            if e.secret.credential_kind in EXPIRES_RECORDED
        }
    )
    response = await client.secrets.resolve_all(refs)
    found: dict[str, str] = {}
    for ref, answer in response.individual_responses.items():
        if answer.error is None and answer.content is not None:
            found[ref] = answer.content.secret
    return found


NO_VALUE_SET_AT = (
    f"no `{VALUE_SET_AT}` in the item: its age is unknown. Record it (once: cfinfra rotation "
    "bootstrap-ages; docs/runbooks/rotate-a-token.md)"
)


def _expiry(
    entry: SecretEntry, book: dict[str, str], now: datetime
) -> tuple[date | None, str | None]:
    """``(expires_on, problem)``: the recorded expiry, or why the row is ``missing``."""
    if entry.secret.credential_kind not in EXPIRES_RECORDED:
        return None, None
    expires = parse_expires(book.get(bookkeeping_ref(entry, EXPIRES), ""))
    if expires is None:
        return None, (
            f"no `{EXPIRES}` date in the item: a {entry.secret.credential_kind} always expires; "
            "write the date it was created with (docs/runbooks/rotate-a-token.md)"
        )
    return expires, None


def _expiring(expires_on: date | None, max_age_days: int, now: datetime) -> bool:
    if expires_on is None:
        return False
    return expires_on - now.date() <= timedelta(days=due_soon_days(max_age_days))


async def collect_status(
    client: OnePasswordClient, entries: Sequence[SecretEntry], now: datetime
) -> list[StatusRow]:
    """Judge every entry at ``now``; rows sorted by urgency, then due date, then id.

    ``client`` is anything with the SDK's ``vaults.list`` and ``items.list``. An item that is
    absent, archived (listing returns active items only) or ambiguous is ``missing``: a reference
    to it would not resolve, so ``pulumi up`` would fail.
    """
    vault_names = sorted({e.secret.onepassword.vault for e in entries})
    listings = await _list_vaults(client, vault_names)
    book = await read_bookkeeping(client, entries)
    rows: list[StatusRow] = []
    for entry in entries:
        ref = entry.secret.onepassword
        listing = listings[ref.vault]
        if isinstance(listing, str):
            rows.append(_row(entry, RotationState.MISSING, note=listing))
            continue
        items = matching(listing, ref.item)
        if len(items) != 1:
            note = (
                f"no active item `{ref.item}` in vault `{ref.vault}`"
                if not items
                else f"{len(items)} items are titled `{ref.item}`: the reference is ambiguous"
            )
            rows.append(_row(entry, RotationState.MISSING, note=note))
            continue
        set_at = parse_stamp(book.get(bookkeeping_ref(entry, VALUE_SET_AT), ""))
        expires_on, problem = _expiry(entry, book, now)
        if set_at is None or problem is not None:
            note = NO_VALUE_SET_AT if set_at is None else str(problem)
            rows.append(_row(entry, RotationState.MISSING, note=note, expires_on=expires_on))
            continue
        verdict = assess(set_at, entry.secret.rotation.max_age_days, now)
        if verdict.state is not RotationState.OVERDUE and _expiring(
            expires_on, entry.secret.rotation.max_age_days, now
        ):
            verdict = replace(verdict, state=RotationState.EXPIRING)
        started = stale = False
        if entry.secret.rotation.mode is RotationMode.AUTOMATIC:
            answer = await _in_progress(client, entry, items[0], now)
            if answer not in ("yes", "no", "stale"):
                rows.append(_row(entry, RotationState.MISSING, note=answer))
                continue
            started, stale = answer in ("yes", "stale"), answer == "stale"
        note = STALE_NOTE.format(days=entry.secret.rotation.overlap_days) if stale else ""
        rows.append(
            _row(
                entry,
                verdict.state,
                note=note,
                verdict=verdict,
                in_progress=started,
                needs_action=stale,
                expires_on=expires_on,
            )
        )
    rows.sort(
        key=lambda r: (not r.needs_action, r.state.severity, r.due_on or date.min, r.secret_id)
    )
    return rows


def exit_code(rows: Sequence[StatusRow]) -> ExitCode:
    """``FOUND`` (1) when anything is overdue, expiring or missing or needs a person, else
    ``OK``."""
    failing = any(r.state.failing or r.needs_action for r in rows)
    return ExitCode.FOUND if failing else ExitCode.OK


def counts(rows: Sequence[StatusRow]) -> dict[str, int]:
    """How many secrets are in each state, and how many rotations are in progress: numbers only,
    safe for a public issue (no name, no age)."""
    result = {str(s): sum(r.state is s for r in rows) for s in RotationState}
    result["in-progress"] = sum(r.in_progress for r in rows)
    result["needs-action"] = sum(r.needs_action for r in rows)
    return result

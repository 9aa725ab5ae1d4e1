"""Rotator ``aws-iam-access-key``: rotate an IAM user's access key (first: cirun's GPU runners).

The cycle, spread over runs of the rotation workflow (``run`` → ``pulumi up`` → ``run --deployed``):

1. *create*: when the stored key is due (or no working key is stored), make room (inactive keys
   recorded nowhere are deleted on any run; an active key never is), create a key, verify it with
   STS ``GetCallerIdentity`` (retrying while IAM propagates it), and write it to the 1Password item
   with the id of the key it replaces (``previous-access-key-id``). Both keys are active now:
   consumers holding the old one go on working.
2. *deactivate*: on a ``--deployed`` run (``pulumi up`` has delivered the new key), deactivate the
   previous key and record when (``previous-deactivated-at``).
3. *delete*: on a later run once ``overlap_days`` have passed, delete the previous key, which is
   inactive by then. Until that moment it can be reactivated in seconds.

Progress is never remembered by the process. Each run re-derives it from IAM (key ids, status,
creation dates) and the item's fields, so a crash after any single side effect is healed by the next
run. A key that is neither stored nor recorded as previous and was created after the item last
changed is the remnant of a run that died between "create" and "store": its secret is lost, so it is
deactivated and deleted. Any other unexpected state stops the rotator with a ``RotationError``.

Item layout (vault and item from the manifest): ``access-key-id`` (text) and ``secret-access-key``
(concealed) hold the current key; ``previous-access-key-id`` and ``previous-deactivated-at`` (text,
section "Rotation") are the rotator's bookkeeping. The manifest entry must point at one of the first
two fields.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import SecretStr

from infra.config.manifest import AWS_IAM_ACCESS_KEY, Rotation, SecretEntry
from infra.rotation.base import RotationContext, RotationError, RotationReport, short_id
from infra.rotation.op_items import (
    SECTION_ID,
    SECTION_TITLE,
    VALUE_SET_AT,
    ItemNotFound,
    OnePasswordClient,
    field_by_title,
    locate_item,
    stamp,
    with_fields,
)
from infra.rotation.policy import RotationState, as_utc, assess, due_soon_days

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_sts import STSClient
    from onepassword.types import Item

log = logging.getLogger(__name__)

ACCESS_KEY_ID_FIELD = "access-key-id"
SECRET_ACCESS_KEY_FIELD = "secret-access-key"  # noqa: S105 (a field label, not a secret)
PREVIOUS_KEY_FIELD = "previous-access-key-id"
DEACTIVATED_AT_FIELD = "previous-deactivated-at"

STSFactory = Callable[[str, str], "STSClient"]
"""Builds an STS client signing with ``(access_key_id, secret_access_key)``."""


# --- what the world looks like --------------------------------------------------------------------


@dataclass(frozen=True)
class IamKey:
    id: str
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class ItemRecord:
    """What the 1Password item says about the keys. Holds no secret, only whether one is there."""

    current: str | None
    has_secret: bool
    previous: str | None
    deactivated_at: datetime | None
    updated_at: datetime


def _text(item: Item, title: str) -> str:
    found = field_by_title(item, title)
    return found.value.strip() if found is not None else ""


def read_record(item: Item) -> ItemRecord:
    """The bookkeeping fields of ``item``. An unparsable timestamp counts as not recorded."""
    stamp = _text(item, DEACTIVATED_AT_FIELD)
    try:
        deactivated_at = as_utc(datetime.fromisoformat(stamp)) if stamp else None
    except ValueError:
        deactivated_at = None
    return ItemRecord(
        current=_text(item, ACCESS_KEY_ID_FIELD) or None,
        has_secret=bool(_text(item, SECRET_ACCESS_KEY_FIELD)),
        previous=_text(item, PREVIOUS_KEY_FIELD) or None,
        deactivated_at=deactivated_at,
        updated_at=as_utc(item.updated_at),
    )


# --- the plan: pure, so every decision is testable without AWS ------------------------------------


@dataclass(frozen=True)
class Deactivate:
    key_id: str
    why: str


@dataclass(frozen=True)
class Delete:
    key_id: str
    why: str


@dataclass(frozen=True)
class RecordDeactivation:
    key_id: str


@dataclass(frozen=True)
class CreateAndStore:
    replaces: str | None
    """The working key this one supersedes (``None`` when no working key is stored)."""
    why: str
    item_holds: str | None = None
    """The key id the item held when planning; storing refuses if the item changed meanwhile."""


Action = Deactivate | Delete | RecordDeactivation | CreateAndStore


def describe(action: Action) -> str:
    match action:
        case Deactivate(key_id=k, why=why):
            return f"deactivate key {short_id(k)} ({why})"
        case Delete(key_id=k, why=why):
            return f"delete inactive key {short_id(k)} ({why})"
        case RecordDeactivation(key_id=k):
            return (
                f"record in 1Password that key {short_id(k)} was deactivated (starts the overlap)"
            )
        case CreateAndStore(why=why):
            return f"create a key, verify it with STS and store it in 1Password ({why})"
    raise AssertionError(action)  # pragma: no cover


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]
    notes: tuple[str, ...]


def plan_rotation(
    keys: list[IamKey], record: ItemRecord, rotation: Rotation, now: datetime, deployed: bool
) -> Plan:
    """The safe next steps from the observed state, in order. Raises ``RotationError`` when unsure.

    Invariants the plan keeps: the stored key is never deactivated or deleted; an active key is only
    deactivated when it is superseded and delivered (``deployed``) or lost (never stored); a key is
    only deleted once inactive; a new key is only created when no earlier rotation is still winding
    down, so there are never more than two keys.
    """
    now = as_utc(now)
    by_id = {k.id: k for k in keys}
    stored = by_id.get(record.current) if record.current else None
    actions: list[Action] = []
    notes: list[str] = []

    if stored is not None and not stored.active:
        raise RotationError(
            f"the stored key {short_id(stored.id)} is inactive: someone deactivated it "
            "(incident?). Reactivate it or store a working key by hand; see "
            "docs/runbooks/rotate-a-token.md"
        )

    in_progress = False
    for key in sorted(keys, key=lambda k: k.created_at):
        if key is stored:
            continue
        if key.id == record.previous:
            in_progress = True
            if key.active and deployed:
                actions += [
                    Deactivate(key.id, "superseded; the new key has been delivered"),
                    RecordDeactivation(key.id),
                ]
            elif key.active:
                notes.append(
                    f"previous key {short_id(key.id)} stays active until the new key is delivered: "
                    "run `pulumi up`, then `cfinfra rotation run --deployed`"
                )
            elif record.deactivated_at is None:
                actions.append(RecordDeactivation(key.id))
            elif now >= record.deactivated_at + timedelta(days=rotation.overlap_days):
                actions.append(Delete(key.id, f"overlap of {rotation.overlap_days} d has passed"))
                in_progress = False
            else:
                until = record.deactivated_at + timedelta(days=rotation.overlap_days)
                notes.append(
                    f"previous key {short_id(key.id)} is deactivated; deleted on a run after "
                    f"{until:%Y-%m-%d %H:%M} UTC (reactivate it if a consumer still needs it)"
                )
        elif not key.active:
            actions.append(Delete(key.id, "inactive and not stored in 1Password"))
        elif key.created_at > record.updated_at:
            # Created after 1Password last changed and not stored there: a run died between
            # "create" and "store". Its secret exists nowhere, so nothing can be using it.
            actions += [
                Deactivate(key.id, "left by an interrupted rotation; its secret was never stored"),
                Delete(key.id, "left by an interrupted rotation"),
            ]
        else:
            raise RotationError(
                f"active key {short_id(key.id)} is not the one stored in 1Password "
                f"({short_id(record.current)}) nor the previous one, and predates the item's last "
                "change: a person must decide whether anything uses it (runbook: unknown keys)"
            )

    if stored is None:
        if record.current is None:
            why = "no key is stored in 1Password yet"
        else:
            why = f"the stored key {short_id(record.current)} no longer exists in IAM"
        actions.append(CreateAndStore(replaces=None, why=why, item_holds=record.current))
        return Plan(tuple(actions), tuple(notes))

    verdict = assess(stored.created_at, rotation.max_age_days, now)
    due = verdict.state in (RotationState.DUE_SOON, RotationState.OVERDUE)
    if not record.has_secret:
        due, why = True, "1Password holds no secret for the stored key"
    else:
        why = f"key is {verdict.age_days} d old, policy {rotation.max_age_days} d"
    if not due:
        start = verdict.due_at - timedelta(days=due_soon_days(rotation.max_age_days))
        notes.append(
            f"key {short_id(stored.id)} is {verdict.age_days} d old; next rotation from "
            f"{start:%Y-%m-%d} (policy {rotation.max_age_days} d)"
        )
    elif in_progress:
        notes.append("a rotation is due but the previous one is still winding down")
    else:
        actions.append(CreateAndStore(replaces=stored.id, why=why, item_holds=stored.id))
    return Plan(tuple(actions), tuple(notes))


# --- the rotator: observe, plan, act --------------------------------------------------------------


class _SecretBodyFilter(logging.Filter):
    """Drops botocore records that carry an access key's secret (CreateAccessKey's response body is
    logged verbatim at DEBUG by ``botocore.parsers``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "SecretAccessKey" not in record.getMessage()


_GUARD = _SecretBodyFilter()


def install_log_guard() -> None:
    """Make sure no botocore DEBUG line can carry a new key's secret, whatever the log level."""
    parsers = logging.getLogger("botocore.parsers")
    if _GUARD not in parsers.filters:
        parsers.addFilter(_GUARD)


def default_sts_factory(region: str) -> STSFactory:
    def make(access_key_id: str, secret_access_key: str) -> STSClient:
        import boto3

        return boto3.client(
            "sts",
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
        )

    return make


@dataclass(frozen=True)
class NewKey:
    id: str
    secret: SecretStr  # repr() shows '**********', so a stray log or traceback cannot leak it


class AwsIamAccessKeyRotator:
    """Rotates ``rotation.aws_iam_user``'s access key; see the module docstring for the cycle."""

    name: ClassVar[str] = AWS_IAM_ACCESS_KEY

    def __init__(
        self,
        onepassword: OnePasswordClient,
        iam: IAMClient,
        sts_factory: STSFactory,
        *,
        sleep: Callable[[float], None] = time.sleep,
        verify_attempts: int = 6,
        verify_base_delay: float = 1.0,
        verify_max_delay: float = 16.0,
    ):
        self._op = onepassword
        self._iam = iam
        self._sts_factory = sts_factory
        self._sleep = sleep
        self._attempts = verify_attempts
        self._base_delay = verify_base_delay
        self._max_delay = verify_max_delay
        install_log_guard()

    async def rotate(self, entry: SecretEntry, ctx: RotationContext) -> RotationReport:
        from botocore.exceptions import BotoCoreError, ClientError

        user = self._check(entry)
        report = RotationReport(secret_id=entry.id, rotator=self.name)
        try:
            vault_id, item_id = await _op(
                locate_item(self._op, entry.secret.onepassword.vault, entry.secret.onepassword.item)
            )
            record = read_record(await _op(self._op.items.get(vault_id, item_id)))
            keys = self._list_keys(user)
            plan = plan_rotation(keys, record, entry.secret.rotation, ctx.now, ctx.deployed)
            report.notes.extend(plan.notes)
            if ctx.dry_run:
                report.actions.extend(f"would {describe(a)}" for a in plan.actions)
                return report
            for action in plan.actions:
                await self._apply(action, user, vault_id, item_id, record, ctx, report)
        except (ClientError, BotoCoreError) as exc:
            raise RotationError(f"{entry.id}: AWS: {_aws_error(exc)}") from None
        except (RotationError, ItemNotFound) as exc:
            raise RotationError(f"{entry.id}: {exc}") from None
        return report

    # -- checks and reads --

    def _check(self, entry: SecretEntry) -> str:
        rotation = entry.secret.rotation
        if rotation.rotator != self.name or rotation.aws_iam_user is None:
            raise RotationError(f"{entry.id}: not configured for rotator `{self.name}`")
        field = entry.secret.onepassword.field.casefold()
        if field not in (ACCESS_KEY_ID_FIELD, SECRET_ACCESS_KEY_FIELD):
            raise RotationError(
                f"{entry.id}: rotator `{self.name}` writes the fields `{ACCESS_KEY_ID_FIELD}` "
                f"and `{SECRET_ACCESS_KEY_FIELD}`; the manifest points at "
                f"`{entry.secret.onepassword.field}`"
            )
        return rotation.aws_iam_user

    def _list_keys(self, user: str) -> list[IamKey]:
        listed = self._iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
        return [
            IamKey(id=k["AccessKeyId"], active=k["Status"] == "Active", created_at=k["CreateDate"])
            for k in listed
        ]

    # -- side effects, each idempotent and guarded against the state having moved --

    async def _apply(
        self,
        action: Action,
        user: str,
        vault_id: str,
        item_id: str,
        record: ItemRecord,
        ctx: RotationContext,
        report: RotationReport,
    ) -> None:
        match action:
            case Deactivate(key_id=key_id):
                if key_id == record.current:  # the plan never does this; refuse even if it did
                    raise RotationError(f"refusing to deactivate the stored key {short_id(key_id)}")
                self._iam.update_access_key(UserName=user, AccessKeyId=key_id, Status="Inactive")
            case Delete(key_id=key_id):
                if not self._delete_inactive(user, key_id):
                    return
            case RecordDeactivation(key_id=key_id):
                await self._record_deactivation(vault_id, item_id, key_id, ctx.now)
            case CreateAndStore():
                await self._create_and_store(user, vault_id, item_id, action, report)
                return
        report.actions.append(describe(action))
        log.info("%s: %s", report.secret_id, describe(action))

    def _delete_inactive(self, user: str, key_id: str) -> bool:
        """Delete ``key_id`` if it is inactive; re-read first so an active key is never deleted."""
        current = {k.id: k for k in self._list_keys(user)}
        if key_id not in current:
            return False  # already gone: a previous run got this far
        if current[key_id].active:
            raise RotationError(f"refusing to delete key {short_id(key_id)}: it is active")
        self._iam.delete_access_key(UserName=user, AccessKeyId=key_id)
        return True

    async def _record_deactivation(
        self, vault_id: str, item_id: str, key_id: str, now: datetime
    ) -> None:
        item = await _op(self._op.items.get(vault_id, item_id))
        if read_record(item).previous != key_id:
            raise RotationError("the 1Password item changed during the run; run again")
        stamp = as_utc(now).isoformat(timespec="seconds")
        updated = with_fields(
            item,
            {DEACTIVATED_AT_FIELD: (stamp, "Text")},
            section_id=SECTION_ID,
            section_title=SECTION_TITLE,
        )
        await _op(self._op.items.put(updated))

    async def _create_and_store(
        self,
        user: str,
        vault_id: str,
        item_id: str,
        action: CreateAndStore,
        report: RotationReport,
    ) -> None:
        replaces = action.replaces
        expected_arn = self._iam.get_user(UserName=user)["User"]["Arn"]
        created = self._iam.create_access_key(UserName=user)["AccessKey"]
        new = NewKey(id=created["AccessKeyId"], secret=SecretStr(created["SecretAccessKey"]))
        set_at = stamp(created["CreateDate"])  # IAM's own date of the new value
        del created
        report.actions.append(f"created key {short_id(new.id)} ({action.why})")
        log.info("%s: created key %s", report.secret_id, short_id(new.id))
        try:
            self._verify(new, expected_arn)
        except RotationError:
            self._discard(user, new.id, report)
            raise
        report.actions.append(f"verified key {short_id(new.id)} with STS as {expected_arn}")

        item = await _op(self._op.items.get(vault_id, item_id))
        if read_record(item).current != action.item_holds:
            self._discard(user, new.id, report)
            raise RotationError("the 1Password item changed during the run; run again")
        updated = with_fields(
            item,
            {
                ACCESS_KEY_ID_FIELD: (new.id, "Text"),
                SECRET_ACCESS_KEY_FIELD: (new.secret.get_secret_value(), "Concealed"),
                VALUE_SET_AT: (set_at, "Text"),
                PREVIOUS_KEY_FIELD: (replaces or "", "Text"),
                DEACTIVATED_AT_FIELD: ("", "Text"),
            },
            section_id=SECTION_ID,
            section_title=SECTION_TITLE,
        )
        # No discard if the put fails: it may have landed all the same (a timeout after the write),
        # and deactivating a key 1Password holds would break the invariant. The next run reads the
        # item and either finds the new key stored or recognises it as lost and cleans it up.
        await _op(self._op.items.put(updated))
        report.stored_new_value = True
        report.actions.append(f"stored key {short_id(new.id)} in 1Password")
        log.info("%s: stored key %s in 1Password", report.secret_id, short_id(new.id))
        if replaces:
            report.notes.append(
                f"previous key {short_id(replaces)} stays active until the new key is delivered: "
                "run `pulumi up`, then `cfinfra rotation run --deployed`"
            )

    def _verify(self, new: NewKey, expected_arn: str) -> None:
        """STS ``GetCallerIdentity`` signed with the new key, retried with capped backoff.

        A new IAM key takes a few seconds to be accepted everywhere (eventual consistency), so early
        ``InvalidClientTokenId`` errors are expected; six attempts wait at most 1+2+4+8+16 s.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        sts = self._sts_factory(new.id, new.secret.get_secret_value())
        last = "no attempt made"
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(min(self._max_delay, self._base_delay * 2 ** (attempt - 1)))
            try:
                arn = sts.get_caller_identity()["Arn"]
            except (ClientError, BotoCoreError) as exc:
                last = _aws_error(exc)
                log.info("new key %s not accepted yet: %s", short_id(new.id), last)
                continue
            if arn != expected_arn:
                raise RotationError(
                    f"new key {short_id(new.id)} authenticates as {arn}, expected {expected_arn}"
                )
            return
        raise RotationError(
            f"new key {short_id(new.id)} was not accepted by STS after {self._attempts} attempts "
            f"(last: {last}); it was discarded and the stored key is unchanged"
        )

    def _discard(self, user: str, key_id: str, report: RotationReport) -> None:
        """Deactivate then delete a key that never reached 1Password. Failure here is not fatal:
        the next run recognises the key as lost and finishes the job."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._iam.update_access_key(UserName=user, AccessKeyId=key_id, Status="Inactive")
            self._iam.delete_access_key(UserName=user, AccessKeyId=key_id)
        except (ClientError, BotoCoreError) as exc:
            log.warning("could not discard key %s: %s", short_id(key_id), _aws_error(exc))
            return
        report.actions.append(f"discarded key {short_id(key_id)}")


T = TypeVar("T")


async def _op(call: Awaitable[T]) -> T:
    """Await a 1Password call; its plain ``Exception`` becomes a ``RotationError``."""
    try:
        return await call
    except Exception as exc:
        raise RotationError(f"1Password: {exc}") from None


def _aws_error(exc: Any) -> str:
    """``Code: message`` of a botocore error. AWS messages name ids and ARNs, never secrets."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"

"""Rotator ``anaconda``: rotate an anaconda.org organisation upload token with no gap.

Through the maintained client (``infra.rotation.anaconda_api``, anaconda-client's
``binstar_client``), which speaks anaconda.org's ``/authentications`` API: a named, scoped
organisation token is created with the issuer's anaconda.com *API key* (Bearer, as ``anaconda auth
--create --org`` does), a token describes itself at ``GET /authentication``, and an organisation
token is removed by name with the issuer's *anaconda.org token* (``Authorization: token``). Every
call names the manifest's ``rotation.anaconda.org``: the organisation of the channel the token's
consumers upload to (``used_for``).

One run advances the rotation as far as is safe, one step at a time, re-reading the world before
each step:

1. *rotate* (the stored token is due, expiring, invalid, or declared leaked): record the new token's
   name in 1Password first (``pending-token-name``), create it (the name carries the date; scopes
   copied from the old token's; a max age of the policy plus 30 days), check it describes itself
   under that name, then store it: ``credential`` holds the new token, ``previous-credential`` and
   ``previous-token-name`` the old one (kept until the end).
2. *deliver*: a targeted ``pulumi up`` of exactly the resources carrying the secret, then a
   read-only check of every target; only when every target holds the new token is
   ``delivered-at`` recorded.
3. *retire*: once ``overlap_days`` have passed since delivery (routine), or at once (emergency),
   remove the old token by name, check it no longer authenticates, and clear the bookkeeping.

Crash safety. The process keeps nothing: progress lives in the 1Password item. A pending name
without a stored token is a token whose value was lost (created, never stored): it is removed by
name before anything else. A stored but undelivered token is delivered again (a targeted update is
idempotent). A retirement that died half-way is finished (removal of an absent name is a no-op).
At every moment the stored token is valid and every target holds a valid token: the old one is
only removed after every target was seen holding the new one.

Emergency (``--emergency``, a leaked token): the stored token's fingerprint (``sha256``, 16 hex
digits) is recorded in the item, so a crashed emergency resumes as one even without the flag. The
same steps run in the same invocation with no overlap: an earlier rotation still winding down is
finished first, then the leaked token is replaced, delivered, verified and removed.

Item layout: the manifest's field (``credential``) holds the token; the rotator keeps
``token-name``, ``token-scopes``, ``value-set-at`` (when the token was stored, in the same write:
its age), ``delivered-at``, ``pending-token-name``, ``previous-token-name``,
``previous-credential`` (concealed) and ``emergency-leaked-sha256`` in the section "Rotation".
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, TypeVar

from pydantic import SecretStr

from infra.config.manifest import ANACONDA, Rotation, SecretEntry
from infra.rotation.anaconda_api import AnacondaApi, IssuerRejected, TokenInfo, parse_time
from infra.rotation.base import RotationContext, RotationError, RotationReport
from infra.rotation.delivery import Deliverer, Verifier
from infra.rotation.op_items import (
    SECTION_ID,
    SECTION_TITLE,
    VALUE_SET_AT,
    ItemNotFound,
    OnePasswordClient,
    field_by_title,
    locate_item,
    with_fields,
)
from infra.rotation.policy import RotationState, as_utc, assess, due_soon_days

if TYPE_CHECKING:
    from onepassword.types import Item

log = logging.getLogger(__name__)

GRACE_DAYS = 30
"""A new token lives ``max_age_days + GRACE_DAYS``: a stalled rotation shows as overdue for a month
before uploads break."""
MAX_STEPS = 12

# 1Password field labels, not credentials.
TOKEN_NAME = "token-name"  # noqa: S105
TOKEN_SCOPES = "token-scopes"  # noqa: S105
STORED_AT = VALUE_SET_AT
DELIVERED_AT = "delivered-at"
PENDING = "pending-token-name"
PREVIOUS_NAME = "previous-token-name"
PREVIOUS_VALUE = "previous-credential"
EMERGENCY = "emergency-leaked-sha256"


# --- the item -------------------------------------------------------------------------------------


def fingerprint(value: str) -> str:
    """16 hex digits of SHA-256: names a token in the item without holding it a second time."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Record:
    """The item as the rotator reads it. ``current``/``previous`` are secrets: never print them."""

    current: SecretStr | None
    token_name: str
    token_scopes: tuple[str, ...]
    stored_at: datetime | None
    delivered_at: datetime | None
    pending: str
    previous_name: str
    previous: SecretStr | None
    emergency: str
    updated_at: datetime

    @property
    def delivering(self) -> bool:
        """A token the rotator stored has not been seen at every target yet."""
        return self.stored_at is not None and self.delivered_at is None

    @property
    def retiring(self) -> bool:
        return bool(self.previous_name or self.previous is not None)

    @property
    def current_is_leaked(self) -> bool:
        return bool(
            self.emergency
            and self.current is not None
            and fingerprint(self.current.get_secret_value()) == self.emergency
        )


def _text(item: Item, title: str) -> str:
    found = field_by_title(item, title)
    return found.value.strip() if found is not None else ""


def read_record(item: Item, value_field: str) -> Record:
    current = _text(item, value_field)
    previous = _text(item, PREVIOUS_VALUE)
    return Record(
        current=SecretStr(current) if current else None,
        token_name=_text(item, TOKEN_NAME),
        token_scopes=tuple(_text(item, TOKEN_SCOPES).split()),
        stored_at=parse_time(_text(item, STORED_AT)),
        delivered_at=parse_time(_text(item, DELIVERED_AT)),
        pending=_text(item, PENDING),
        previous_name=_text(item, PREVIOUS_NAME),
        previous=SecretStr(previous) if previous else None,
        emergency=_text(item, EMERGENCY),
        updated_at=as_utc(item.updated_at),
    )


def _stamp(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="seconds")


# --- the plan: one next step from the observed state (pure) ---------------------------------------


@dataclass(frozen=True)
class MarkEmergency:
    why: str = "declared leaked: replaced and removed with no overlap"


@dataclass(frozen=True)
class DiscardPending:
    name: str


@dataclass(frozen=True)
class Deliver:
    pass


@dataclass(frozen=True)
class Retire:
    why: str


@dataclass(frozen=True)
class ClearEmergency:
    pass


@dataclass(frozen=True)
class Rotate:
    why: str


Step = MarkEmergency | DiscardPending | Deliver | Retire | ClearEmergency | Rotate


@dataclass(frozen=True)
class Observed:
    record: Record
    current: TokenInfo | None
    """What the stored token says about itself; ``None`` if missing or rejected."""


@dataclass(frozen=True)
class Decision:
    step: Step | None
    note: str = ""


def due_reason(observed: Observed, rotation: Rotation, now: datetime) -> str | None:
    """Why the stored token must be replaced now, or ``None``."""
    record = observed.record
    if record.current is None:
        return "1Password holds no token"
    if observed.current is None:
        return "anaconda.org rejects the stored token (removed or expired)"
    if record.current_is_leaked:
        return "the stored token was declared leaked (emergency)"
    changed = record.stored_at or record.updated_at
    verdict = assess(changed, rotation.max_age_days, now)
    if verdict.state in (RotationState.DUE_SOON, RotationState.OVERDUE):
        return f"token is {verdict.age_days} d old, policy {rotation.max_age_days} d"
    expires = observed.current.expires_at
    window = timedelta(days=due_soon_days(rotation.max_age_days))
    if expires is not None and expires - now <= window:
        return f"token expires on {expires:%Y-%m-%d}"
    return None


def decide(observed: Observed, rotation: Rotation, now: datetime, emergency: bool) -> Decision:
    """The single next step. Order matters: clean up, finish what is started, then start anew."""
    record = observed.record
    now = as_utc(now)
    if emergency and not record.emergency and record.current is not None:
        return Decision(MarkEmergency())
    if record.pending:
        return Decision(DiscardPending(record.pending))
    if record.delivering:
        return Decision(Deliver())
    if record.retiring:
        if record.emergency:
            return Decision(Retire("emergency: no overlap"))
        since = record.delivered_at or record.updated_at
        until = since + timedelta(days=rotation.overlap_days)
        if now >= until:
            return Decision(Retire(f"overlap of {rotation.overlap_days} d has passed"))
        return Decision(
            None,
            f"old token `{record.previous_name or '(unnamed)'}` stays valid until a run after "
            f"{until:%Y-%m-%d %H:%M} UTC (overlap {rotation.overlap_days} d)",
        )
    why = due_reason(observed, rotation, now)
    if why is not None:
        return Decision(Rotate(why))
    if record.emergency:
        return Decision(ClearEmergency())
    changed = record.stored_at or record.updated_at
    verdict = assess(changed, rotation.max_age_days, now)
    start = verdict.due_at - timedelta(days=due_soon_days(rotation.max_age_days))
    return Decision(
        None,
        f"token `{record.token_name or '(unnamed)'}` is {verdict.age_days} d old; next rotation "
        f"from {start:%Y-%m-%d} (policy {rotation.max_age_days} d)",
    )


def describe(step: Step) -> str:
    match step:
        case MarkEmergency():
            return "record in 1Password that the stored token is leaked (emergency)"
        case DiscardPending(name=name):
            return f"remove token `{name}`, created by an interrupted run and never stored"
        case Deliver():
            return "deliver the stored token (targeted `pulumi up`) and check every target"
        case Retire(why=why):
            return f"remove the old token ({why})"
        case ClearEmergency():
            return "close the emergency in 1Password (the leaked token is gone)"
        case Rotate(why=why):
            return f"create a token, check it and store it in 1Password ({why})"
    raise AssertionError(step)  # pragma: no cover


# --- the rotator ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wiring:
    """What the rotator needs beyond 1Password and anaconda.org, per run."""

    issuer_for: Callable[[str], Awaitable[SecretStr]]
    """Issuer entry id → that issuer credential (read from 1Password by the caller): the
    anaconda.org token (``rotation.anaconda.issuer``) or the API key (``issuer_api_key``)."""
    urns_for: Callable[[SecretEntry], Sequence[str]]
    """The URNs a targeted ``pulumi up`` of the entry's targets names."""
    deliverer: Deliverer | None
    """``None``: delivery is someone else's (the deploy workflow); the rotator only checks the
    targets, and waits (no error) while they do not hold the new token yet."""
    verifier: Verifier


T = TypeVar("T")


async def _op(call: Awaitable[T]) -> T:
    try:
        return await call
    except Exception as exc:  # the SDK raises plain Exception; its messages hold no values
        raise RotationError(f"1Password: {exc}") from None


@dataclass
class _Run:
    entry: SecretEntry
    vault_id: str
    item_id: str
    report: RotationReport
    issuers: dict[str, SecretStr] = field(default_factory=dict)
    waiting: str = ""
    """Set when the run must stop for now without an error (delivery is someone else's)."""
    log: list[str] = field(default_factory=list)


class AnacondaTokenRotator:
    """Rotates an anaconda.org organisation token; see the module docstring for the cycle."""

    name: ClassVar[str] = ANACONDA

    def __init__(
        self,
        onepassword: OnePasswordClient,
        api: AnacondaApi,
        wiring: Wiring,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self._op = onepassword
        self._api = api
        self._wiring = wiring
        self._clock = clock

    async def rotate(self, entry: SecretEntry, ctx: RotationContext) -> RotationReport:
        from binstar_client.errors import BinstarError
        from requests import RequestException

        rotation = entry.secret.rotation
        if rotation.rotator != self.name or rotation.anaconda is None:
            raise RotationError(f"{entry.id}: not configured for rotator `{self.name}`")
        report = RotationReport(secret_id=entry.id, rotator=self.name)
        try:
            vault_id, item_id = await _op(
                locate_item(self._op, entry.secret.onepassword.vault, entry.secret.onepassword.item)
            )
            run = _Run(entry, vault_id, item_id, report)
            # Declared once per invocation: the token this run stores is not the leaked one.
            emergency = ctx.emergency
            for _ in range(MAX_STEPS):
                item, observed = await self._observe(run)
                decision = decide(observed, rotation, ctx.now, emergency)
                if decision.step is None:
                    if decision.note:
                        report.notes.append(decision.note)
                    break
                if ctx.dry_run:
                    report.actions.append(f"would {describe(decision.step)}")
                    break
                await self._apply(decision.step, run, item, observed)
                if run.waiting:
                    report.notes.append(run.waiting)
                    break
                if isinstance(decision.step, MarkEmergency):
                    emergency = False
            else:
                raise RotationError(f"no end after {MAX_STEPS} steps: a person must look")
        except IssuerRejected as exc:
            raise RotationError(
                f"{entry.id}: anaconda.org: {exc} (docs/runbooks/rotate-a-token.md"
                "#the-anacondaorg-issuer-credentials)"
            ) from None
        except (BinstarError, RequestException) as exc:
            # binstar_client's messages name the method, URL and status, never a token.
            raise RotationError(f"{entry.id}: anaconda.org: {exc}") from None
        except (RotationError, ItemNotFound) as exc:
            raise RotationError(f"{entry.id}: {exc}") from None
        return report

    # -- observing --

    async def _item(self, run: _Run) -> Item:
        return await _op(self._op.items.get(run.vault_id, run.item_id))

    async def _observe(self, run: _Run) -> tuple[Item, Observed]:
        item = await self._item(run)
        record = read_record(item, run.entry.secret.onepassword.field)
        info = self._api.token_info(record.current) if record.current is not None else None
        return item, Observed(record, info)

    async def _issuer(self, run: _Run, *, api_key: bool = False) -> SecretStr:
        """The issuer's anaconda.org token (removal), or with ``api_key`` its API key (creation)."""
        anaconda = run.entry.secret.rotation.anaconda
        assert anaconda is not None
        issuer_id = anaconda.issuer_api_key if api_key else anaconda.issuer
        if issuer_id not in run.issuers:
            run.issuers[issuer_id] = await self._wiring.issuer_for(issuer_id)
        return run.issuers[issuer_id]

    def _did(self, run: _Run, text: str) -> None:
        line = f"{self._clock():%Y-%m-%d %H:%M:%S} UTC {text}"
        run.report.actions.append(line)
        log.info("%s: %s", run.entry.id, text)

    async def _put(self, run: _Run, item: Item, values: dict[str, tuple[str, str]]) -> None:
        record = read_record(item, run.entry.secret.onepassword.field)
        if record.stored_at is None and STORED_AT not in values:
            # A token stored by hand: the item's last change is its age, and earlier deploys
            # delivered it. Write that down before this write moves `updated_at`, or a run that
            # dies here would make an old token look new.
            baseline = _stamp(record.updated_at)
            values = {STORED_AT: (baseline, "Text"), DELIVERED_AT: (baseline, "Text"), **values}
        updated = with_fields(item, values, section_id=SECTION_ID, section_title=SECTION_TITLE)
        await _op(self._op.items.put(updated))

    # -- acting: each step re-checks what it relies on --

    async def _apply(self, step: Step, run: _Run, item: Item, observed: Observed) -> None:
        record = observed.record
        anaconda = run.entry.secret.rotation.anaconda
        assert anaconda is not None
        match step:
            case MarkEmergency():
                assert record.current is not None
                leaked = fingerprint(record.current.get_secret_value())
                await self._put(run, item, {EMERGENCY: (leaked, "Text")})
                name = observed.current.name if observed.current else record.token_name
                self._did(run, f"declared token `{name or '(unnamed)'}` leaked")
            case DiscardPending(name=name):
                removed = self._api.remove_org_token(
                    await self._issuer(run), org=anaconda.org, name=name
                )
                await self._put(run, item, {PENDING: ("", "Text")})
                self._did(
                    run,
                    f"removed token `{name}` left by an interrupted run"
                    if removed
                    else f"token `{name}` of an interrupted run was never created",
                )
            case Deliver():
                await self._deliver(run, item, record)
            case Retire(why=why):
                await self._retire(run, item, record, why)
            case ClearEmergency():
                await self._put(run, item, {EMERGENCY: ("", "Text")})
                self._did(run, "emergency closed: the leaked token no longer exists")
            case Rotate(why=why):
                await self._rotate(run, item, observed, why)

    async def _rotate(self, run: _Run, item: Item, observed: Observed, why: str) -> None:
        record = observed.record
        rotation = run.entry.secret.rotation
        anaconda = rotation.anaconda
        assert anaconda is not None
        scopes = observed.current.scopes if observed.current is not None else ()
        scopes = scopes or record.token_scopes
        if not scopes:
            raise RotationError(
                "the stored token's scopes are unknown (it does not answer and `token-scopes` is "
                "empty): write them into the item's `token-scopes` field (docs/runbooks/"
                "rotate-a-token.md)"
            )
        now = self._clock()
        # The date for people, a random tail so that two rotations never share a name.
        name = f"cfinfra-{run.entry.id}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        # Intent first: if the run dies after the create, the next run knows the name to remove.
        await self._put(run, item, {PENDING: (name, "Text")})
        max_age = (rotation.max_age_days + GRACE_DAYS) * 86400
        new = self._api.create_org_token(
            await self._issuer(run, api_key=True),
            org=anaconda.org,
            name=name,
            scopes=scopes,
            max_age_seconds=max_age,
        )
        self._did(run, f"created token `{name}` for {anaconda.org} ({why})")
        info = self._api.token_info(new)
        if info is None or info.name != name:
            raise RotationError(
                f"the new token `{name}` does not authenticate as itself; the next run removes it"
            )
        item = await self._item(run)
        if read_record(item, run.entry.secret.onepassword.field).pending != name:
            raise RotationError("the 1Password item changed during the run; run again")
        old_valid = observed.current is not None
        values = {
            run.entry.secret.onepassword.field: (new.get_secret_value(), "Concealed"),
            TOKEN_NAME: (name, "Text"),
            TOKEN_SCOPES: (" ".join(scopes), "Text"),
            STORED_AT: (_stamp(self._clock()), "Text"),
            DELIVERED_AT: ("", "Text"),
            PENDING: ("", "Text"),
            # The old token is kept until it is removed: a person can put it back in seconds.
            PREVIOUS_NAME: (
                (observed.current.name if observed.current else record.token_name)
                if old_valid
                else "",
                "Text",
            ),
            PREVIOUS_VALUE: (
                record.current.get_secret_value() if old_valid and record.current else "",
                "Concealed",
            ),
        }
        # No removal if the put fails: it may have landed (a timeout after the write). The next
        # run reads the item and either finds the token stored or removes it as pending.
        await self._put(run, item, values)
        run.report.stored_new_value = True
        self._did(run, f"stored token `{name}` in 1Password")

    async def _deliver(self, run: _Run, item: Item, record: Record) -> None:
        assert record.current is not None
        assert record.stored_at is not None
        deliverer = self._wiring.deliverer
        if deliverer is not None:
            urns = list(self._wiring.urns_for(run.entry))
            deliverer.deliver(run.entry, urns)
            self._did(run, f"targeted `pulumi up` of {len(urns)} resources")
        failed = []
        for target in run.entry.secret.targets:
            verdict = self._wiring.verifier.verify(
                target, since=record.stored_at, value=record.current
            )
            if verdict.ok:
                self._did(run, f"{verdict.target} holds the new token ({verdict.detail})")
            else:
                failed.append(f"{verdict.target}: {verdict.detail}")
        if failed and deliverer is None:
            run.waiting = (
                "waiting for delivery (the deploy workflow, `secret-values`), then run again; "
                "the old token stays valid until every target holds the new one: "
                + "; ".join(failed)
            )
            return
        if failed:
            raise RotationError(
                "not every target holds the new token, so the old one stays valid: "
                + "; ".join(failed)
            )
        await self._put(run, item, {DELIVERED_AT: (_stamp(self._clock()), "Text")})
        run.report.stored_new_value = False
        self._did(run, f"every target of {run.entry.id} holds the new token")

    async def _retire(self, run: _Run, item: Item, record: Record, why: str) -> None:
        anaconda = run.entry.secret.rotation.anaconda
        assert anaconda is not None
        if record.previous_name:
            removed = self._api.remove_org_token(
                await self._issuer(run), org=anaconda.org, name=record.previous_name
            )
            if removed:
                self._did(run, f"removed old token `{record.previous_name}` ({why})")
        if record.previous is not None and self._api.token_info(record.previous) is not None:
            raise RotationError(
                f"the old token `{record.previous_name or '(unnamed)'}` still authenticates after "
                "its removal: remove it by hand at anaconda.org (runbook: leaked token)"
            )
        values = {PREVIOUS_NAME: ("", "Text"), PREVIOUS_VALUE: ("", "Concealed")}
        if record.emergency and not record.current_is_leaked:
            values[EMERGENCY] = ("", "Text")
        await self._put(run, item, values)
        self._did(run, "cleared the old token from 1Password")

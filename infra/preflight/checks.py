"""The preflight checks: each returns ``Check`` lines; none writes anything or prints a value.

Order: what is missing to start at all (the three credentials a person brings), 1Password (every
item and field the manifest names, its clearance tag, its ``value-set-at`` and, where the kind
needs one, its ``expires``), then every service with the credential 1Password holds for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from infra.config.loader import Project
from infra.config.manifest import (
    AWS_IAM_ACCESS_KEY,
    EXPIRES_RECORDED,
    AzureVariableTarget,
    CredentialKind,
    HerokuConfigVarTarget,
    ProviderCredentialTarget,
    ProviderKind,
    SecretEntry,
)
from infra.preflight import services
from infra.rotation.op_items import EXPIRES, VALUE_SET_AT, parse_expires, parse_stamp
from infra.rotation.policy import as_utc, due_soon_days
from infra.runtime_config import readable_by_run
from infra.sources.clearance import recorded_clearance, tag_for

PROVIDER_DOC = "docs/provider-credentials.md"
CODE_ROOT = Path(__file__).resolve().parents[2]
"""The repository this code is in: the permissions the *program* needs are documented with it,
whichever stack's data is checked."""
ROTATE = "docs/runbooks/rotate-a-token.md"


class Verdict(StrEnum):
    """``ok``; ``FAIL`` (exit 1: fix it before the preview); ``SECRET`` (exit 3: a credential
    or a 1Password item is missing, unreadable or rejected)."""

    OK = "ok"
    FAIL = "FAIL"
    SECRET = "SECRET"  # noqa: S105 - a verdict, not a password


@dataclass(frozen=True)
class Check:
    """One line of the checklist: what was checked, and what to do when it failed."""

    area: str
    what: str
    verdict: Verdict
    detail: str = ""
    fix: str = ""


def ok(area: str, what: str, detail: str = "") -> Check:
    return Check(area, what, Verdict.OK, detail)


def fail(area: str, what: str, detail: str, fix: str, *, secret: bool = False) -> Check:
    return Check(area, what, Verdict.SECRET if secret else Verdict.FAIL, detail, fix)


# --- what GitHub must grant: read from docs/provider-credentials.md -------------------------------

# The App permission names the doc's table uses → the keys of an installation's `permissions`.
APP_PERMISSION_KEYS = {
    "Organization: Administration": "organization_administration",
    "Organization: Secrets": "organization_secrets",
    "Organization: Self-hosted runners": "organization_self_hosted_runners",
    "Organization: Webhooks": "organization_hooks",
    "Organization: Members": "members",
    "Repository: Actions": "actions",
    "Repository: Administration": "administration",
    "Repository: Contents": "contents",
    "Repository: Environments": "environments",
    "Repository: Secrets": "secrets",
    "Repository: Webhooks": "repository_hooks",
    "Repository: Metadata": "metadata",
}
ACCESS = {"Read and write": "write", "Read": "read"}
_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|")


def _table_after(text: str, heading: str) -> list[tuple[str, str]]:
    """The first two cells of every row of the first table under ``heading``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    rows: list[tuple[str, str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        match = _ROW.match(line)
        if match and not set(match.group(1)) <= {"-", ":", " "}:
            rows.append((match.group(1).strip("` "), match.group(2).strip("` ")))
    return rows[1:]  # the header row


def needed_app_permissions() -> dict[str, str]:
    """``{installation permission key: read|write}`` from the doc's App table."""
    text = (CODE_ROOT / PROVIDER_DOC).read_text(encoding="utf-8")
    rows = _table_after(text, "### Permissions the program needs")
    return {APP_PERMISSION_KEYS[name]: ACCESS[access] for name, access in rows}


def needed_token_scopes() -> list[str]:
    """The classic token scopes from the doc's token table."""
    text = (CODE_ROOT / PROVIDER_DOC).read_text(encoding="utf-8")
    return [scope for scope, _ in _table_after(text, "### Scopes a token needs")]


def missing_permissions(granted: frozenset[str], needed: Mapping[str, str]) -> list[str]:
    """``key:access`` pairs the installation lacks (``write`` covers ``read``)."""
    have = dict(g.split(":", 1) for g in granted)
    return sorted(
        f"{key}:{access}"
        for key, access in needed.items()
        if have.get(key) not in ({"read", "write"} if access == "read" else {"write"})
    )


# --- expiry ---------------------------------------------------------------------------------------


def expiry_check(
    area: str,
    entry: SecretEntry,
    expires_at: datetime | date | None,
    now: datetime,
    source: str,
    *,
    hard: bool = True,
) -> Check | None:
    """``expiring`` within the policy's warning window (a quarter of ``max_age_days``, at most
    30 d), or gone; ``None`` when there is no expiry to judge. ``hard=False``: a date after which
    the credential still works but is overdue (an IAM key's age)."""
    if expires_at is None:
        return None
    if isinstance(expires_at, datetime):
        moment = as_utc(expires_at)
    else:
        moment = datetime(expires_at.year, expires_at.month, expires_at.day, tzinfo=now.tzinfo)
    window = due_soon_days(entry.secret.rotation.max_age_days)
    what = f"{entry.id} expiry" if hard else f"{entry.id} age"
    if moment <= now:
        if hard:
            detail = f"expired on {moment:%Y-%m-%d} ({source})"
            return fail(area, what, detail, _rotate(entry), secret=True)
        return fail(area, what, f"overdue since {moment:%Y-%m-%d} ({source})", _rotate(entry))
    if moment - now <= timedelta(days=window):
        word = "expiring" if hard else "due"
        return fail(area, what, f"{word} on {moment:%Y-%m-%d} ({source})", _rotate(entry))
    return ok(area, what, f"{'expires' if hard else 'due'} on {moment:%Y-%m-%d} ({source})")


def _rotate(entry: SecretEntry) -> str:
    return f"rotate it now: cfinfra rotation plan {entry.id} ({ROTATE})"


# --- 1Password ------------------------------------------------------------------------------------


@dataclass
class Vault:
    """What 1Password holds for the manifest: values (never printed) and bookkeeping."""

    values: dict[str, SecretStr]
    """Entry id → its value, for the entries the services need."""
    extra: dict[str, str]
    """``op://`` reference → a bookkeeping value (``value-set-at``, ``expires``, key ids)."""


def value_refs(entries: Iterable[SecretEntry]) -> list[str]:
    return sorted({e.secret.onepassword.uri for e in entries})


def bookkeeping_refs(entries: Iterable[SecretEntry]) -> list[str]:
    refs = set()
    for entry in entries:
        ref = entry.secret.onepassword
        base = f"op://{ref.vault}/{ref.item}"
        refs.add(f"{base}/{VALUE_SET_AT}")
        if entry.secret.credential_kind in EXPIRES_RECORDED:
            refs.add(f"{base}/{EXPIRES}")
        if entry.secret.rotation.rotator == AWS_IAM_ACCESS_KEY:
            refs.add(f"{base}/access-key-id")
    return sorted(refs)


async def read_vault(
    client: Any, entries: Sequence[SecretEntry], tags: Mapping[tuple[str, str], list[str]]
) -> tuple[list[Check], Vault]:
    """One ``resolve_all`` for every value and bookkeeping field; a line per manifest entry."""
    refs = value_refs(entries) + bookkeeping_refs(entries)
    response = await client.secrets.resolve_all(refs)
    answers: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    for ref, answer in response.individual_responses.items():
        if answer.error is None and answer.content is not None:
            answers[ref] = answer.content.secret
        else:
            kind = getattr(getattr(answer.error, "type", None), "value", "error")
            reasons[ref] = str(kind)
    checks: list[Check] = []
    values: dict[str, SecretStr] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        ref = entry.secret.onepassword
        base = f"op://{ref.vault}/{ref.item}"
        what = f"{ref.vault}/{ref.item} `{ref.field}`"
        if answers.get(ref.uri) is None:
            checks.append(
                fail(
                    "1password",
                    what,
                    f"{entry.id}: {reasons.get(ref.uri, 'empty')}",
                    f"create the item and field in vault `{ref.vault}` ({ROTATE})",
                    secret=True,
                )
            )
            continue
        values[entry.id] = SecretStr(answers[ref.uri] or "")
        problems = []
        cleared, why = recorded_clearance(tags.get((ref.vault.casefold(), ref.item.casefold()), []))
        if cleared is None:
            problems.append(
                (why or "no clearance tag", f"tag it `{tag_for(entry.secret.cleared_for)}`")
            )
        set_at = parse_stamp(answers.get(f"{base}/{VALUE_SET_AT}") or "")
        if set_at is None:
            problems.append(
                (
                    f"no `{VALUE_SET_AT}`",
                    "record when the value was set (cfinfra rotation bootstrap-ages, once)",
                )
            )
        if entry.secret.credential_kind in EXPIRES_RECORDED and (
            parse_expires(answers.get(f"{base}/{EXPIRES}") or "") is None
        ):
            problems.append(
                (
                    f"no `{EXPIRES}` ({entry.secret.credential_kind} always expires)",
                    f"write its expiry date into the item's `{EXPIRES}` field",
                )
            )
        if problems:
            checks.append(
                fail(
                    "1password",
                    what,
                    f"{entry.id}: " + "; ".join(p for p, _ in problems),
                    "; ".join(f for _, f in problems),
                )
            )
        else:
            assert set_at is not None
            checks.append(ok("1password", what, f"tag {cleared}, value set {set_at:%Y-%m-%d}"))
    extra = {
        k: v for k, v in answers.items() if v is not None and k not in set(value_refs(entries))
    }
    return checks, Vault(values=values, extra=extra)


def recorded_expiry_checks(
    entries: Sequence[SecretEntry], vault: Vault, now: datetime
) -> list[Check]:
    """``expires`` as recorded in 1Password, for the kinds whose service cannot say."""
    checks = []
    for entry in entries:
        if entry.secret.credential_kind not in EXPIRES_RECORDED:
            continue
        ref = entry.secret.onepassword
        recorded = parse_expires(vault.extra.get(f"op://{ref.vault}/{ref.item}/{EXPIRES}", ""))
        found = expiry_check("1password", entry, recorded, now, "recorded `expires`")
        if found is not None:
            checks.append(found)
    return checks


# --- providers ------------------------------------------------------------------------------------


def provider_entries(
    entries: Iterable[SecretEntry], provider: ProviderKind, environment: str | None = None
) -> dict[str, SecretEntry]:
    """``{provider input: entry}`` of one provider's credential for the run of ``environment``
    (None: the deploy's; the read-only environment's name: the read-only runs'), as the program
    picks it (OpenStack hosts excluded)."""
    found = {}
    for entry in entries:
        for target in entry.secret.targets:
            if (
                isinstance(target, ProviderCredentialTarget)
                and target.provider is provider
                and target.environment == environment
            ):
                found[target.input] = entry
    return found


@dataclass(frozen=True)
class Scope:
    """What this preflight checks: the run's credentials, with the run's 1Password account."""

    environment: str | None
    """The run (``run_environment``): None for the deploy, else the read-only environment."""
    account: str
    """The GitHub environment whose 1Password account runs it."""
    entries: tuple[SecretEntry, ...]
    """The manifest entries that account reads (every one, where its vaults are undeclared)."""
    unreadable: tuple[str, ...] = ()
    """Vaults of other entries the account does not read, by design (the deploy's vault)."""


def scope(project: Project, environment: str | None) -> Scope:
    """The entries the run's account can read (``readable_by_run``): the deploy's write
    credentials, out of a read-only account's reach by design, are named, not reported missing."""
    account, entries, unreadable = readable_by_run(project, environment)
    return Scope(environment, account, entries, unreadable)


def scope_checks(run: Scope) -> list[Check]:
    """One line naming the vaults the account does not read, by design. (A run's own credential
    in such a vault is refused before: validate_read_only_runs_hold_read_only_credentials.)"""
    if not run.unreadable:
        return []
    vaults = ", ".join(f"`{v}`" for v in run.unreadable)
    return [
        ok(
            "1password",
            f"vaults {vaults}",
            f"not read by the `{run.account}` account, by design: not checked here",
        )
    ]


def github_checks(
    entries: Sequence[SecretEntry],
    vault: Vault,
    now: datetime,
    http: Any,
    environment: str | None = None,
) -> list[Check]:
    creds = provider_entries(entries, ProviderKind.GITHUB, environment)
    if "token" in creds:
        entry = creds["token"]
        if entry.id not in vault.values:
            return []  # reported under 1Password
        probe = services.github_token(vault.values[entry.id], http)
        if not probe.ok:
            return [
                fail("github", entry.id, probe.detail, f"replace the token ({ROTATE})", secret=True)
            ]
        out = [ok("github", f"{entry.id} authenticates", probe.detail)]
        writes = sorted(set(needed_token_scopes()) & probe.granted)
        if environment is not None and probe.detail.startswith("classic") and writes:
            # A read-only run's token must not be able to write: these scopes grant the deploy's
            # writes. Fine-grained tokens report no scopes (GitHub enforces their permissions).
            out.append(
                fail(
                    "github",
                    f"{entry.id} scopes",
                    f"a classic token with {', '.join(writes)} can write",
                    f"use a fine-grained token with read permissions only ({PROVIDER_DOC})",
                )
            )
        elif probe.detail.startswith("classic") and environment is None:
            lacking = sorted(set(needed_token_scopes()) - probe.granted)
            out.append(
                fail(
                    "github",
                    f"{entry.id} scopes",
                    f"lacks {', '.join(lacking)}",
                    f"create it with the scopes in {PROVIDER_DOC}",
                )
                if lacking
                else ok("github", f"{entry.id} scopes", ", ".join(sorted(probe.granted)))
            )
        found = expiry_check("github", entry, probe.expires_at, now, services.EXPIRATION_HEADER)
        out.append(found or ok("github", f"{entry.id} expiry", "GitHub reports none"))
        return out
    app = {k: creds.get(f"app_auth.{k}") for k in ("id", "installation_id", "pem_file")}
    if not all(app.values()) or any(e.id not in vault.values for e in app.values() if e):
        return []
    ids = {
        k: vault.values[e.id].get_secret_value() for k, e in app.items() if e and k != "pem_file"
    }
    pem = app["pem_file"]
    assert pem is not None
    probe = services.github_app(ids["id"], ids["installation_id"], vault.values[pem.id], http)
    if not probe.ok:
        return [
            fail(
                "github",
                "GitHub App",
                probe.detail,
                f"check the App's ids and key ({PROVIDER_DOC})",
                secret=probe.rejected,
            )
        ]
    lacking = missing_permissions(probe.granted, needed_app_permissions())
    return [
        ok("github", "GitHub App authenticates", probe.detail),
        fail(
            "github",
            "App permissions",
            f"lacks {', '.join(lacking)}",
            f"grant them ({PROVIDER_DOC})",
        )
        if lacking
        else ok("github", "App permissions", f"{len(probe.granted)} granted, all needed"),
    ]


def azure_checks(
    project: Project, vault: Vault, http: Any, environment: str | None = None
) -> list[Check]:
    creds = provider_entries(project.secrets, ProviderKind.AZUREDEVOPS, environment)
    entry = creds.get("personal_access_token")
    if entry is None or entry.id not in vault.values:
        return []
    config = project.config.azure
    groups = sorted(
        {
            (t.project, t.group)
            for e in project.secrets
            for t in e.secret.targets
            if isinstance(t, AzureVariableTarget)
        }
    )
    out = []
    for azure_project, group in groups:
        probe = services.azure_group(
            vault.values[entry.id], config.organization, azure_project, group, http
        )
        out.append(
            ok("azure", f"reads {azure_project}/{group}", entry.id)
            if probe.ok
            else fail(
                "azure",
                f"reads {azure_project}/{group}",
                probe.detail,
                f"replace {entry.id} (Azure DevOps refuses it)"
                if probe.rejected
                else f"create the group in {azure_project}, or give {entry.id} Variable Groups "
                "(Read) there",
                secret=probe.rejected,
            )
        )
    return out


def heroku_checks(
    project: Project, vault: Vault, now: datetime, http: Any, environment: str | None = None
) -> list[Check]:
    creds = provider_entries(project.secrets, ProviderKind.HEROKU, environment)
    entry = creds.get("api_key")
    if entry is None or entry.id not in vault.values:
        return []
    key = vault.values[entry.id]
    out = []
    probe = services.heroku_key(key, now, http)
    if not probe.ok:
        return [fail("heroku", entry.id, probe.detail, f"replace the key ({ROTATE})", secret=True)]
    out.append(ok("heroku", f"{entry.id} authenticates", probe.detail))
    found = expiry_check("heroku", entry, probe.expires_at, now, "authorization expires_in")
    out.append(found or ok("heroku", f"{entry.id} expiry", "Heroku reports none"))
    managed: dict[str, set[str]] = {}
    for e in project.secrets:
        for t in e.secret.targets:
            if isinstance(t, HerokuConfigVarTarget):
                managed.setdefault(t.app, set()).add(t.var)
    for app, settings in sorted(project.config.heroku.apps.items()):
        managed.setdefault(app, set()).update(settings.plain_vars)
    for app, names in sorted(managed.items()):
        found_app = services.heroku_app(key, app, http)
        if not found_app.ok:
            out.append(
                fail(
                    "heroku",
                    f"app {app}",
                    found_app.detail,
                    "check the app name and the key's access",
                )
            )
            continue
        absent = sorted(names - found_app.names)
        out.append(
            fail(
                "heroku",
                f"app {app} vars",
                f"not set yet: {', '.join(absent)}",
                "expected before the first `up` (it sets them); otherwise check the names",
            )
            if absent
            else ok("heroku", f"app {app} vars", f"all {len(names)} managed names exist")
        )
    return out


def service_expiry_checks(
    entries: Sequence[SecretEntry], vault: Vault, now: datetime, http: Any, done: set[str]
) -> list[Check]:
    """Every other credential whose service reports its expiry: GitHub tokens (the header) and
    Heroku keys (their authorization). ``done``: entries already checked as provider
    credentials."""
    out: list[Check] = []
    github = {CredentialKind.GITHUB_TOKEN, CredentialKind.GITHUB_FINE_GRAINED_TOKEN}
    for entry in sorted(entries, key=lambda e: e.id):
        kind = entry.secret.credential_kind
        if entry.id in done or entry.id not in vault.values:
            continue
        if kind in github:
            probe = services.github_token(vault.values[entry.id], http)
            source = services.EXPIRATION_HEADER
            area = "github"
        elif kind is CredentialKind.HEROKU_API_KEY:
            probe = services.heroku_key(vault.values[entry.id], now, http)
            source = "authorization expires_in"
            area = "heroku"
        else:
            continue
        if not probe.ok:
            out.append(fail(area, entry.id, probe.detail, _rotate(entry), secret=True))
            continue
        found = expiry_check(area, entry, probe.expires_at, now, source)
        out.append(found or ok(area, f"{entry.id} expiry", f"{probe.detail}: none reported"))
    return out

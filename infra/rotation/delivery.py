"""Delivering a rotated value to a secret's targets, and checking (read-only) that each took it.

Delivery is a *targeted* ``pulumi up`` of exactly the resources that carry the secret
(``infra.rotation.targets``), through the Automation API: the same program, state and provider
credentials as any deploy, nothing else touched. Verification reads each target back through its
service's API without changing anything:

- GitHub org secret: ``GET /orgs/{org}/actions/secrets/{name}``; its ``updated_at`` is not older
  than the new value, and a ``selected`` one is still selected for each of its repositories
  (``GET .../{name}/repositories``, one page of 100: the manifest selects a handful).
- Azure variable: ``GET …/distributedtask/variablegroups?groupName=``; the group holds the variable
  as a secret and was modified since (secret values cannot be read back).
- Heroku config var: ``GET /apps/{app}/config-vars``; the value equals the new one (compared in
  memory, never printed).

Any other target kind has no read-only check, so it fails verification (fail closed: the old
credential is then kept). Credentials come from the same environment variables as ``pulumi up``:
``GITHUB_TOKEN``, ``AZDO_PERSONAL_ACCESS_TOKEN``, ``HEROKU_API_KEY``.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from pydantic import SecretStr

from infra.config.manifest import (
    AzureVariableTarget,
    GitHubOrgSecretTarget,
    HerokuConfigVarTarget,
    SecretEntry,
    Target,
    Visibility,
)
from infra.config.stack import StackConfig
from infra.rotation.base import RotationError
from infra.rotation.op_items import parse_stamp
from infra.rotation.policy import as_utc

GITHUB_API = "https://api.github.com"
AZURE_DEVOPS = "https://dev.azure.com"
HEROKU_API = "https://api.heroku.com"
TIMEOUT = 30


class DeliveryError(RotationError):
    """The targeted update failed; the previous credential stays valid."""


class Deliverer(Protocol):
    def deliver(self, entry: SecretEntry, urns: Sequence[str]) -> None:
        """Write 1Password's current value of ``entry`` into the resources ``urns``."""
        ...


@dataclass(frozen=True)
class Verdict:
    target: str
    ok: bool
    detail: str
    """What was read, in words safe to print (timestamps, names; never a value)."""


class Verifier(Protocol):
    def verify(self, target: Target, *, since: datetime, value: SecretStr) -> Verdict:
        """Whether ``target`` holds the value stored at ``since``. Read-only."""
        ...


class PulumiUpDeliverer:
    """A targeted ``pulumi up`` through the Automation API (needs the Pulumi CLI and a login)."""

    def __init__(self, root: Path, stack: str, *, on_output: Callable[[str], None] | None = None):
        self._root = root
        self._stack = stack
        self._on_output = on_output

    def deliver(self, entry: SecretEntry, urns: Sequence[str]) -> None:
        from pulumi import automation as auto

        if not urns:
            raise DeliveryError(f"{entry.id}: no resource of the program carries it")
        try:
            stack = auto.select_stack(stack_name=self._stack, work_dir=str(self._root))
            stack.up(
                target=list(urns),
                target_dependents=False,
                # The Automation API shows secrets by default; a rotation log must never.
                show_secrets=False,
                suppress_outputs=True,
                color="never",
                message=f"cfinfra rotation: deliver {entry.id}",
                on_output=self._on_output,
            )
        except auto.errors.CommandError as exc:
            # The message holds the whole CLI output; the log already has it (on_output).
            first = (str(exc).strip().splitlines() or ["no output"])[0]
            raise DeliveryError(f"{entry.id}: the targeted `pulumi up` failed ({first})") from None


def _session(headers: Mapping[str, str], auth: Any = None) -> Any:
    import requests

    session = requests.Session()
    session.headers.update(headers)
    if auth is not None:
        session.auth = auth
    return session


class HttpVerifier:
    """Reads GitHub, Azure DevOps and Heroku with plain HTTPS calls (``requests``)."""

    def __init__(self, config: StackConfig, env: Mapping[str, str] | None = None):
        self._config = config
        self._env = os.environ if env is None else env

    def _token(self, name: str) -> str:
        value = self._env.get(name, "")
        if not value:
            raise RotationError(f"{name} is not set: the targets cannot be checked")
        return value

    def verify(self, target: Target, *, since: datetime, value: SecretStr) -> Verdict:
        import requests

        since = as_utc(since).replace(microsecond=0)
        try:
            match target:
                case GitHubOrgSecretTarget():
                    return self._github(target, since)
                case AzureVariableTarget():
                    return self._azure(target, since)
                case HerokuConfigVarTarget():
                    return self._heroku(target, value)
        except requests.RequestException as exc:
            # requests' messages name the URL and the error, never a header.
            return Verdict(target.label, False, f"could not be read: {type(exc).__name__}")
        return Verdict(target.label, False, "no read-only check exists for this kind: check it")

    def _github(self, target: GitHubOrgSecretTarget, since: datetime) -> Verdict:
        session = _session(
            {
                "Authorization": f"Bearer {self._token('GITHUB_TOKEN')}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        )
        org = self._config.github.org
        res = session.get(
            f"{GITHUB_API}/orgs/{quote(org)}/actions/secrets/{quote(target.name)}",
            timeout=TIMEOUT,
        )
        if res.status_code != 200:
            return Verdict(target.label, False, f"GitHub answered {res.status_code}")
        updated = parse_stamp(res.json().get("updated_at"))
        if updated is None or updated < since:
            return Verdict(target.label, False, f"updated_at {updated} is older than the new value")
        if target.visibility is Visibility.SELECTED:
            # A value write that did not carry the selection empties it (provider-behaviour
            # PB-1): check the repositories still hold the secret.
            lost = self._selection_lost(session, org, target)
            if lost:
                return Verdict(target.label, False, f"no longer selected for {', '.join(lost)}")
        return Verdict(target.label, True, f"updated_at {updated:%Y-%m-%d %H:%M:%S} UTC")

    def _selection_lost(self, session: Any, org: str, target: GitHubOrgSecretTarget) -> list[str]:
        """The declared repositories the secret's live selection no longer names (sorted)."""
        res = session.get(
            f"{GITHUB_API}/orgs/{quote(org)}/actions/secrets/{quote(target.name)}/repositories",
            params={"per_page": 100},
            timeout=TIMEOUT,
        )
        if res.status_code != 200:
            return [f"(GitHub answered {res.status_code} for the selection)"]
        held = {str(r.get("name", "")).lower() for r in res.json().get("repositories", [])}
        return sorted(r for r in target.repositories if r.lower() not in held)

    def _azure(self, target: AzureVariableTarget, since: datetime) -> Verdict:
        session = _session(
            {"Accept": "application/json"}, auth=("", self._token("AZDO_PERSONAL_ACCESS_TOKEN"))
        )
        org = self._config.azure.organization
        res = session.get(
            f"{AZURE_DEVOPS}/{quote(org)}/{quote(target.project)}/_apis/distributedtask/"
            "variablegroups",
            params={"groupName": target.group, "api-version": "7.1"},
            timeout=TIMEOUT,
        )
        if res.status_code != 200:
            return Verdict(target.label, False, f"Azure DevOps answered {res.status_code}")
        groups = [g for g in res.json().get("value", []) if g.get("name") == target.group]
        if len(groups) != 1:
            return Verdict(target.label, False, f"{len(groups)} variable groups found")
        variable = (groups[0].get("variables") or {}).get(target.variable)
        if not variable or not variable.get("isSecret"):
            return Verdict(target.label, False, "the variable is missing or not secret")
        modified = parse_stamp(groups[0].get("modifiedOn"))
        if modified is None or modified < since:
            return Verdict(target.label, False, f"group modified {modified}, before the new value")
        return Verdict(target.label, True, f"group modifiedOn {modified:%Y-%m-%d %H:%M:%S} UTC")

    def _heroku(self, target: HerokuConfigVarTarget, value: SecretStr) -> Verdict:
        session = _session(
            {
                "Authorization": f"Bearer {self._token('HEROKU_API_KEY')}",
                "Accept": "application/vnd.heroku+json; version=3",
            }
        )
        res = session.get(f"{HEROKU_API}/apps/{quote(target.app)}/config-vars", timeout=TIMEOUT)
        if res.status_code != 200:
            return Verdict(target.label, False, f"Heroku answered {res.status_code}")
        held = res.json().get(target.var)
        if not isinstance(held, str):
            return Verdict(target.label, False, "the config var is not set")
        if not hmac.compare_digest(held.encode(), value.get_secret_value().encode()):
            return Verdict(target.label, False, "holds a different value")
        return Verdict(target.label, True, "holds the new value")

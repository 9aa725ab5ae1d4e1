"""Read-only probes of the services a credential belongs to: does it authenticate, what may it do,
and when does it expire, *as the service reports it*. No probe writes anything, prints a value or
keeps one; every answer is words a checklist line can carry.

- GitHub (REST): every response to a token carries ``GitHub-Authentication-Token-Expiration``
  (``2021-10-07 19:07:53 UTC``) when the token expires, and a classic token's scopes in
  ``X-OAuth-Scopes``; an App's installation (``GET /app/installations/{id}``, JWT) lists its
  ``permissions``.
- Heroku (Platform API v3): ``GET /oauth/authorizations`` lists the account's authorizations,
  each with ``access_token.expires_in`` (seconds, ``null``: no expiry) and the token itself;
  ``GET /apps/{app}`` and ``GET /apps/{app}/config-vars`` (names only are kept).
- Azure DevOps: a PAT cannot ask for its own ``validTo``; ``GET
  {org}/{project}/_apis/distributedtask/variablegroups?groupName=`` proves it reads the group
  (a rejected PAT answers 401, or 203 with a sign-in page).
- anaconda.com: ``GET https://anaconda.com/api/account`` with the API key as Bearer
  (``anaconda_auth/client.py`` 0.15.3, ``BaseClient.account``).
- Pulumi Cloud: ``GET /api/stacks/{org}/{project}/{stack}`` (``Authorization: token``).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from pydantic import SecretStr

GITHUB_API = "https://api.github.com"
HEROKU_API = "https://api.heroku.com"
AZURE_DEVOPS = "https://dev.azure.com"
ANACONDA_COM = "https://anaconda.com"
PULUMI_API = "https://api.pulumi.com"
EXPIRATION_HEADER = "GitHub-Authentication-Token-Expiration"
TIMEOUT = 20


@dataclass(frozen=True)
class Probe:
    """What a service said about a credential. ``rejected``: it does not authenticate."""

    ok: bool
    detail: str
    rejected: bool = False
    expires_at: datetime | None = None
    granted: frozenset[str] = field(default_factory=frozenset)
    """Scopes (classic token) or ``permission:access`` pairs (App installation)."""
    names: frozenset[str] = field(default_factory=frozenset)
    """Names the service listed (config var names, organisations): never values."""


def _fail(response: requests.Response, what: str) -> Probe:
    rejected = response.status_code in (401, 403, 203)
    return Probe(False, f"{what}: HTTP {response.status_code}", rejected=rejected)


def parse_github_expiration(text: str) -> datetime | None:
    """``2021-10-07 19:07:53 UTC`` (GitHub's format; an offset form is accepted too)."""
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S %z"):
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return None


def github_token(token: SecretStr, http: Any = requests) -> Probe:
    """``GET /user``: authenticates? its scopes (classic) and its expiry (the header)."""
    response = http.get(
        f"{GITHUB_API}/user",
        headers={
            "Authorization": f"Bearer {token.get_secret_value()}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        timeout=TIMEOUT,
    )
    if response.status_code != 200:
        return _fail(response, "GitHub refuses the token")
    login = str(response.json().get("login", "?"))
    scopes = response.headers.get("X-OAuth-Scopes")
    granted = frozenset(s.strip() for s in (scopes or "").split(",") if s.strip())
    expires = parse_github_expiration(response.headers.get(EXPIRATION_HEADER, ""))
    kind = "classic token" if scopes is not None else "fine-grained token"
    return Probe(True, f"{kind} of {login}", expires_at=expires, granted=granted)


def _app_jwt(app_id: str, private_key: SecretStr) -> str:
    import jwt

    now = int(time.time())
    # GitHub's rule: issued at most 60 s in the past (clock drift), valid at most 10 minutes.
    payload = {"iat": now - 60, "exp": now + 540, "iss": app_id}
    return jwt.encode(payload, private_key.get_secret_value(), algorithm="RS256")


def github_app(
    app_id: str, installation_id: str, private_key: SecretStr, http: Any = requests
) -> Probe:
    """``GET /app/installations/{id}`` as the App: authenticates? the installation's permissions."""
    try:
        token = _app_jwt(app_id, private_key)
    except Exception as exc:  # a malformed key; PyJWT's messages hold no key material
        return Probe(False, f"the App's private key cannot sign: {type(exc).__name__}", True)
    response = http.get(
        f"{GITHUB_API}/app/installations/{installation_id}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"},
        timeout=TIMEOUT,
    )
    if response.status_code != 200:
        return _fail(response, f"GitHub refuses App {app_id} installation {installation_id}")
    data = response.json()
    permissions = data.get("permissions") or {}
    granted = frozenset(f"{k}:{v}" for k, v in permissions.items())
    account = (data.get("account") or {}).get("login", "?")
    return Probe(True, f"App {app_id} installed on {account}", granted=granted)


def _heroku_headers(key: SecretStr) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {key.get_secret_value()}",
        "Accept": "application/vnd.heroku+json; version=3",
    }


def heroku_key(key: SecretStr, now: datetime, http: Any = requests) -> Probe:
    """The key's OAuth authorization and its expiry (``access_token.expires_in``)."""
    response = http.get(
        f"{HEROKU_API}/oauth/authorizations", headers=_heroku_headers(key), timeout=TIMEOUT
    )
    if response.status_code != 200:
        return _fail(response, "Heroku refuses the key")
    value = key.get_secret_value().encode()
    for authorization in response.json():
        access = authorization.get("access_token") or {}
        held = str(access.get("token") or "").encode()
        if held and hmac.compare_digest(held, value):
            seconds = access.get("expires_in")
            expires = now + timedelta(seconds=int(seconds)) if seconds is not None else None
            name = authorization.get("description") or authorization.get("id", "?")
            return Probe(True, f"authorization `{name}`", expires_at=expires)
    return Probe(True, "the account's API key (no authorization: Heroku reports no expiry)")


def heroku_app(key: SecretStr, app: str, http: Any = requests) -> Probe:
    """The app exists; the names of its config vars (values are dropped at once)."""
    response = http.get(f"{HEROKU_API}/apps/{app}", headers=_heroku_headers(key), timeout=TIMEOUT)
    if response.status_code != 200:
        return _fail(response, f"Heroku app `{app}`")
    response = http.get(
        f"{HEROKU_API}/apps/{app}/config-vars", headers=_heroku_headers(key), timeout=TIMEOUT
    )
    if response.status_code != 200:
        return _fail(response, f"config vars of `{app}`")
    return Probe(True, f"app `{app}`", names=frozenset(response.json()))


def azure_group(
    pat: SecretStr, organization: str, project: str, group: str, http: Any = requests
) -> Probe:
    """The PAT reads variable group ``group`` of ``project``."""
    response = http.get(
        f"{AZURE_DEVOPS}/{organization}/{project}/_apis/distributedtask/variablegroups",
        params={"groupName": group, "api-version": "7.1"},
        auth=("", pat.get_secret_value()),
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    if response.status_code != 200:
        return _fail(response, f"variable group {project}/{group}")
    if not response.json().get("count"):
        return Probe(False, f"no variable group `{group}` in {organization}/{project}")
    return Probe(True, f"variable group {project}/{group}")


def anaconda_api_key(api_key: SecretStr, http: Any = requests) -> Probe:
    """The anaconda.com API key authenticates as Bearer (what creating tokens needs)."""
    response = http.get(
        f"{ANACONDA_COM}/api/account",
        headers={"Authorization": f"Bearer {api_key.get_secret_value()}"},
        timeout=TIMEOUT,
    )
    if response.status_code != 200:
        return _fail(response, "anaconda.com refuses the API key (Bearer)")
    return Probe(True, "authenticates at anaconda.com")


def pulumi_stack(
    token: SecretStr, org: str, project: str, stack: str, http: Any = requests
) -> Probe:
    """The stack exists in Pulumi Cloud and this login may read it."""
    response = http.get(
        f"{PULUMI_API}/api/stacks/{org}/{project}/{stack}",
        headers={
            "Authorization": f"token {token.get_secret_value()}",
            "Accept": "application/vnd.pulumi+8",
        },
        timeout=TIMEOUT,
    )
    if response.status_code == 404:
        return Probe(False, f"no stack {org}/{project}/{stack}")
    if response.status_code != 200:
        return _fail(response, f"Pulumi Cloud, stack {org}/{project}/{stack}")
    return Probe(True, f"stack {org}/{project}/{stack}")

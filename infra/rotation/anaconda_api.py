"""The anaconda.org API client the rotator and ``cfinfra preflight`` use (``binstar_client``).

Each call authenticates the way anaconda-client 1.16.0 does (``binstar_client/__init__.py``), so
each needs a different credential:

- *create* an organisation token: ``POST /authentications`` with ``Authorization: Bearer <API
  key>`` (``Binstar.bearer_authentication``). anaconda-client only ever feeds that call the
  anaconda.com *unified* API key (``commands/login.py`` ``get_anaconda_unified_token``,
  ``commands/authorizations.py`` ``--create``): the issuer's **API key**.
- *remove* a token by name (``DELETE /authentications/org/<org>/name/<name>``), list the issuer's
  organisations (``GET /user/orgs``) and describe a token (``GET /authentication``): the
  session's ``Authorization: token <anaconda.org token>`` (``Binstar(token=...)``): the issuer's
  **anaconda.org token**, or the described token itself.

Rejection. ``_check_response`` maps 401 to ``Unauthorized`` and every other 4xx but 400, 404,
409 and 422 to a plain ``BinstarError`` (``errors.error_class_for_status_code``): a revoked or
expired token answers 403 as often as 401. Both read as *rejected* here (``rejected``), never as
an error that stops a run.

One client object per call, so that a token never lingers in a shared session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import SecretStr

from infra.rotation.policy import as_utc

DEFAULT_DOMAIN = "https://api.anaconda.org"
APPLICATION_URL = "https://github.com/conda-forge/infrastructure"
HOSTNAME = "cfinfra-rotation"
REJECTED = (401, 403)
"""The statuses anaconda.org answers a token it does not accept with."""


@dataclass(frozen=True)
class TokenInfo:
    """What a token says about itself (``GET /authentication``). Holds no secret."""

    name: str
    scopes: tuple[str, ...]
    expires_at: datetime | None
    owner: str = ""
    """The account or organisation the token acts for (``owner``), when anaconda.org says."""


class IssuerRejected(Exception):
    """anaconda.org refused the issuer credential (401/403) for one call; names the scheme."""


class AnacondaApi(Protocol):
    def create_org_token(
        self,
        api_key: SecretStr,
        *,
        org: str,
        name: str,
        scopes: Sequence[str],
        max_age_seconds: int,
    ) -> SecretStr:
        """A new token of ``org`` (Bearer: the issuer's anaconda.com API key)."""
        ...

    def token_info(self, token: SecretStr) -> TokenInfo | None:
        """``None`` when anaconda.org rejects the token (removed, expired, never existed)."""
        ...

    def remove_org_token(self, token: SecretStr, *, org: str, name: str) -> bool:
        """Remove ``org``'s token ``name`` (``token``: the issuer's anaconda.org token);
        ``False`` when there was none by that name."""
        ...

    def member_of(self, token: SecretStr) -> tuple[str, ...]:
        """The organisations the issuer's anaconda.org token belongs to (``GET /user/orgs``)."""
        ...


def parse_time(text: object) -> datetime | None:
    """An ISO 8601 timestamp as aware UTC, or ``None`` for anything else."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def _scopes(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(str(s) for s in value)
    return ()


def rejected(exc: Exception) -> bool:
    """Whether a ``BinstarError`` is anaconda.org refusing the credential (401 or 403)."""
    from binstar_client.errors import BinstarError, Unauthorized

    if isinstance(exc, Unauthorized):
        return True
    # `_check_response` raises `cls(msg, status_code)`: the status is the second argument.
    return isinstance(exc, BinstarError) and len(exc.args) > 1 and exc.args[1] in REJECTED


def why(exc: Exception) -> str:
    """A ``BinstarError`` in words: its message and the HTTP status (never a credential: the
    client's messages name the method, URL and status)."""
    if len(exc.args) > 1 and isinstance(exc.args[1], int):
        return f"{exc.args[0]} (HTTP {exc.args[1]})"
    return str(exc)


class BinstarApi:
    """``AnacondaApi`` through ``binstar_client.Binstar``."""

    def __init__(self, domain: str = DEFAULT_DOMAIN):
        self.domain = domain

    def create_org_token(
        self,
        api_key: SecretStr,
        *,
        org: str,
        name: str,
        scopes: Sequence[str],
        max_age_seconds: int,
    ) -> SecretStr:
        from binstar_client import Binstar
        from binstar_client.errors import BinstarError

        api = Binstar(domain=self.domain)
        try:
            token = api.bearer_authentication(
                auth=api_key.get_secret_value(),
                application=name,
                application_url=APPLICATION_URL,
                for_user=org,
                scopes=list(scopes),
                max_age=max_age_seconds,
                strength="strong",
                fail_if_already_exists=True,
                hostname=HOSTNAME,
            )
        except BinstarError as exc:
            if rejected(exc):
                raise IssuerRejected(
                    f"the issuer's API key (Bearer) may not create tokens of `{org}`: {why(exc)}"
                ) from None
            raise
        return SecretStr(token)

    def token_info(self, token: SecretStr) -> TokenInfo | None:
        from binstar_client import Binstar
        from binstar_client.errors import BinstarError

        try:
            data = Binstar(token=token.get_secret_value(), domain=self.domain).authentication()
        except BinstarError as exc:
            if rejected(exc):
                return None
            raise
        return TokenInfo(
            name=str(data.get("application") or ""),
            scopes=_scopes(data.get("scopes")),
            expires_at=parse_time(data.get("expires")),
            owner=str(data.get("owner") or ""),
        )

    def remove_org_token(self, token: SecretStr, *, org: str, name: str) -> bool:
        from binstar_client import Binstar
        from binstar_client.errors import BinstarError, NotFound

        try:
            Binstar(token=token.get_secret_value(), domain=self.domain).remove_authentication(
                name, org
            )
        except NotFound:
            return False
        except BinstarError as exc:
            if rejected(exc):
                raise IssuerRejected(
                    f"the issuer's anaconda.org token may not remove tokens of `{org}`: {why(exc)}"
                ) from None
            raise
        return True

    def member_of(self, token: SecretStr) -> tuple[str, ...]:
        from binstar_client import Binstar
        from binstar_client.errors import BinstarError

        try:
            orgs = Binstar(token=token.get_secret_value(), domain=self.domain).user_orgs()
        except BinstarError as exc:
            if rejected(exc):
                raise IssuerRejected(
                    f"the issuer's anaconda.org token is rejected: {why(exc)}"
                ) from None
            raise
        return tuple(str(o.get("login", "")) for o in orgs if isinstance(o, dict))

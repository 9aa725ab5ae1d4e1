"""The 1Password source: every reference resolved in one ``resolve_all`` round trip.

Runs before any resource is declared. Any failing reference (missing item, field or vault, no token,
network down) stops the program with every failure listed and nothing declared: a value is never
replaced by an empty string or a placeholder.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from infra.config.manifest import OnePasswordRef, SecretEntry
from infra.errors import SecretSourceError

if TYPE_CHECKING:
    from onepassword import Client

TOKEN_ENV = "OP_SERVICE_ACCOUNT_TOKEN"  # noqa: S105 - an environment variable's name, not a token
INTEGRATION_NAME = "conda-forge-infra"
INTEGRATION_VERSION = "0.1.0"


async def authenticate(token: str | None = None) -> Client:
    """An authenticated SDK client from ``OP_SERVICE_ACCOUNT_TOKEN``.

    Errors never include the token.
    """
    from onepassword import Client

    token = token if token is not None else os.environ.get(TOKEN_ENV, "")
    if not token:
        raise SecretSourceError([("1Password", f"{TOKEN_ENV} is not set")])
    try:
        return await Client.authenticate(
            auth=token, integration_name=INTEGRATION_NAME, integration_version=INTEGRATION_VERSION
        )
    except Exception as exc:
        # The SDK's messages describe the failure, not the token; keep only the class and message.
        raise SecretSourceError([("1Password", f"authentication failed: {exc}")]) from None


def _describe(error: Any) -> str:
    kind = getattr(getattr(error, "type", None), "value", None) or type(error).__name__
    message = getattr(error, "message", None)
    return f"{kind}: {message}" if message else str(kind)


async def resolve_with_client(client: Any, uris: list[str]) -> dict[str, str]:
    """Resolve ``uris`` with one ``resolve_all`` call on any client with the SDK's surface."""
    try:
        response = await client.secrets.resolve_all(uris)
    except Exception as exc:
        raise SecretSourceError([("1Password", f"resolve_all failed: {exc}")]) from None
    values: dict[str, str] = {}
    failures: list[tuple[str, str]] = []
    for uri in uris:
        item = response.individual_responses.get(uri)
        if item is None:
            failures.append((uri, "no response for this reference"))
        elif item.error is not None:
            failures.append((uri, _describe(item.error)))
        elif item.content is None or item.content.secret == "":
            failures.append((uri, "the field is empty"))
        else:
            values[uri] = item.content.secret
    if failures:
        raise SecretSourceError(failures)
    return values


def _run(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even inside Pulumi's running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # The Pulumi engine's loop is running this program: resolve on a private loop in a worker
    # thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class OnePasswordSource:
    """Resolves references through the 1Password SDK with a service-account token.

    Given ``clearances`` (the manifest entries), it first checks that each entry's item carries a
    clearance tag at least as wide as the manifest's (``infra.sources.clearance``), and resolves
    nothing if one does not.
    """

    name = "1password"

    def __init__(
        self,
        client: Any | None = None,
        token: str | None = None,
        clearances: Iterable[SecretEntry] | None = None,
    ):
        self._client = client
        self._token = token
        self._clearances = list(clearances) if clearances is not None else None

    async def _check_clearances(self, client: Any) -> None:
        from infra.sources.clearance import clearance_failures, item_tags

        if self._clearances is None:
            return
        vaults = {e.secret.onepassword.vault for e in self._clearances}
        try:
            tags = await item_tags(client, vaults)
        except Exception as exc:
            raise SecretSourceError([("1Password", f"listing items failed: {exc}")]) from None
        failures = clearance_failures(self._clearances, tags)
        if failures:
            raise SecretSourceError(failures)

    def resolve_all(self, refs: Iterable[OnePasswordRef]) -> Mapping[str, str]:
        uris = sorted({ref.uri for ref in refs})

        async def go() -> dict[str, str]:
            client = self._client or await authenticate(self._token)
            await self._check_clearances(client)
            return await resolve_with_client(client, uris)

        result: dict[str, str] = _run(go())
        return result

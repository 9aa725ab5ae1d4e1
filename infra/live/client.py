"""Read-only HTTP clients for the live APIs: GET only, retries, pagination, rate-limit accounting.

Built on `requests` with urllib3's `Retry` (retries on connection errors, 429 and 5xx with
exponential back-off, honouring `Retry-After`). There is deliberately no method that writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

GITHUB_API = "https://api.github.com"
GITHUB_HOURLY_BUDGET = 5000
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
TIMEOUT_S = 30


class LiveError(Exception):
    """A request failed for good (after retries): status and path, never a header or a body."""


@dataclass
class RateLimit:
    """What GitHub's `X-RateLimit-*` headers said last, and how many requests this run made."""

    requests: int = 0
    limit: int | None = None
    remaining: int | None = None
    used: int | None = None

    def update(self, headers: Any) -> None:
        self.requests += 1
        for attr, header in (
            ("limit", "X-RateLimit-Limit"),
            ("remaining", "X-RateLimit-Remaining"),
            ("used", "X-RateLimit-Used"),
        ):
            value = headers.get(header)
            if value is not None and str(value).isdigit():
                setattr(self, attr, int(value))

    def summary(self) -> str:
        budget = self.limit or GITHUB_HOURLY_BUDGET
        line = f"GitHub: {self.requests} requests this run, against {budget:,}/hour"
        if self.remaining is not None:
            line += f" ({self.remaining:,} left in this hour)"
        return line


def _session(token: str, auth_scheme: str, extra_headers: dict[str, str]) -> requests.Session:
    session = requests.Session()
    retry = Retry(
        total=5,
        backoff_factor=1.0,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers.update(extra_headers)
    if token:
        session.headers["Authorization"] = f"{auth_scheme} {token}"
    return session


@dataclass
class ReadOnlyClient:
    """GETs against one API base URL. Optional statuses (e.g. 404) come back as None."""

    base: str
    session: requests.Session
    rate: RateLimit = field(default_factory=RateLimit)

    def _get(self, url: str, optional: tuple[int, ...]) -> requests.Response | None:
        try:
            response = self.session.get(url, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            raise LiveError(f"GET {self._path(url)}: {exc.__class__.__name__}") from None
        self.rate.update(response.headers)
        if response.status_code in optional:
            return None
        if response.status_code >= 400:
            raise LiveError(f"GET {self._path(url)}: HTTP {response.status_code}")
        return response

    def _path(self, url: str) -> str:
        return url.removeprefix(self.base)

    def status(self, path: str) -> int:
        """The status of a GET that answers with a status only (e.g. 204 or 404)."""
        response = self._get(self.base + path, optional=(404,))
        return 404 if response is None else response.status_code

    def get(self, path: str, optional: tuple[int, ...] = ()) -> Any:
        """The decoded body; a list endpoint's pages concatenated (`Link: rel="next"`)."""
        url: str | None = self.base + path
        body: Any = None
        while url is not None:
            response = self._get(url, optional)
            if response is None:
                return None
            page = response.json() if response.content else None
            body = page if body is None else _concat(body, page)
            match = _NEXT.search(response.headers.get("Link", ""))
            url = match.group(1) if match else None
        return body


def _concat(body: Any, page: Any) -> Any:
    """Pages of a list concatenate; so do the item lists of `{"total_count", "<items>": [...]}`."""
    if isinstance(body, list) and isinstance(page, list):
        return body + page
    if isinstance(body, dict) and isinstance(page, dict):
        merged = dict(body)
        for key, value in page.items():
            if isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + value
        return merged
    return page


def github_client(token: str) -> ReadOnlyClient:
    return ReadOnlyClient(
        GITHUB_API,
        _session(
            token,
            "Bearer",
            {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
        ),
    )


def heroku_client(token: str) -> ReadOnlyClient:
    return ReadOnlyClient(
        "https://api.heroku.com",
        _session(token, "Bearer", {"Accept": "application/vnd.heroku+json; version=3"}),
    )


def azure_devops_client(organization: str, token: str) -> ReadOnlyClient:
    session = _session("", "Basic", {"Accept": "application/json"})
    session.auth = ("", token)
    return ReadOnlyClient(f"https://dev.azure.com/{organization}", session)

"""Read-only HTTP clients for the live APIs: GET only, retries, pagination, rate-limit accounting.

Built on `requests` with urllib3's `Retry`: 429 and 5xx are retried with exponential back-off,
honouring `Retry-After`; a connection that cannot be made or a response that never comes is tried
once more, after which the service counts as unavailable (`Unavailable`): with no network a
snapshot ends within seconds (at most `WORST_CASE_S`) instead of retrying every request. There is
deliberately no method that writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

GITHUB_API = "https://api.github.com"
GITHUB_HOURLY_BUDGET = 5000
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 20.0
CONNECT_RETRIES = 1
READ_RETRIES = 1
BACKOFF_S = 0.5
WORST_CASE_S = (1 + max(CONNECT_RETRIES, READ_RETRIES)) * READ_TIMEOUT_S + 2 * BACKOFF_S
"""The longest one unanswered request can take (a server that accepts and never answers)."""
_ERRNO = re.compile(r"\[Errno -?\d+\] ([A-Za-z][A-Za-z ]+)")


class LiveError(Exception):
    """A request failed for good (after retries): status and path, never a header or a body."""


class Unavailable(Exception):
    """Every further request to this service would fail too: it cannot be reached, it refuses
    the credentials (401), or its rate limit is spent. One line, never a header or a body."""


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
        connect=CONNECT_RETRIES,
        read=READ_RETRIES,
        backoff_factor=BACKOFF_S,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    for scheme in ("https://", "http://"):  # http: only ever a test's local server
        session.mount(scheme, HTTPAdapter(max_retries=retry))
    session.headers.update(extra_headers)
    if token:
        session.headers["Authorization"] = f"{auth_scheme} {token}"
    return session


@dataclass
class ReadOnlyClient:
    """GETs against one API base URL. Optional statuses (e.g. 404) come back as None."""

    base: str
    session: requests.Session
    service: str = "GitHub"
    rate: RateLimit = field(default_factory=RateLimit)
    on_request: Callable[[str, int], None] | None = None
    """Called before each GET with its path and this run's count so far (progress)."""

    def _get(self, url: str, optional: tuple[int, ...]) -> requests.Response | None:
        path = self._path(url)
        if self.on_request is not None:
            self.on_request(path, self.rate.requests + 1)
        try:
            response = self.session.get(url, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        except (requests.ConnectionError, requests.Timeout) as exc:
            host = urlsplit(url).netloc
            raise Unavailable(
                f"{self.service} cannot be reached ({host}: {_reason(exc)}, GET {path})"
            ) from None
        except requests.RequestException as exc:
            raise LiveError(f"GET {path}: {exc.__class__.__name__}") from None
        self.rate.update(response.headers)
        status = response.status_code
        if status == 401:
            raise Unavailable(f"{self.service} refuses the token (HTTP 401, GET {path})")
        if status in (403, 429) and response.headers.get("X-RateLimit-Remaining") == "0":
            raise Unavailable(
                f"{self.service}'s rate limit is spent until "
                f"{_reset(response.headers.get('X-RateLimit-Reset'))} (GET {path})"
            )
        if status in optional:
            return None
        if status >= 400:
            raise LiveError(f"GET {path}: HTTP {status}")
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


def _reason(exc: Exception) -> str:
    """Why a connection failed, in a few words: the OS's errno text, or a timeout."""
    if isinstance(exc, requests.Timeout) or "timed out" in str(exc):
        return "no answer within the timeout"
    match = _ERRNO.search(str(exc))
    return match.group(1).strip().lower() if match else exc.__class__.__name__


def _reset(value: str | None) -> str:
    """`X-RateLimit-Reset` (epoch seconds) as a UTC time."""
    if value is None or not value.isdigit():
        return "the hour ends"
    return datetime.fromtimestamp(int(value), UTC).strftime("%H:%M UTC")


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
        service="Heroku",
    )


def azure_devops_client(organization: str, token: str) -> ReadOnlyClient:
    session = _session("", "Basic", {"Accept": "application/json"})
    session.auth = ("", token)
    return ReadOnlyClient(f"https://dev.azure.com/{organization}", session, service="Azure DevOps")

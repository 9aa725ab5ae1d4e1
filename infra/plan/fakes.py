"""What the mock engine answers for resources and invokes: a table by type token.

Fake values are deterministic functions of the request, so plans are stable, and recognisable, so the
plan can show a reader *what* they stand for (``<repo_id:conda-forge/staged-recipes>``) instead of a
meaningless number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any


def fake_int(label: str) -> int:
    return 10_000_000 + int(hashlib.sha256(label.encode()).hexdigest()[:7], 16)


class FakeRegistry:
    """Remembers every fake value handed out, so the plan can render it by what it stands for."""

    def __init__(self) -> None:
        self.labels: dict[Any, str] = {}

    def make_int(self, kind: str, label: str) -> int:
        value = fake_int(f"{kind}:{label}")
        self.labels[value] = f"<{kind}:{label}>"
        return value

    def make_str(self, kind: str, label: str) -> str:
        value = f"<{kind}:{label}>"
        self.labels[value] = value
        return value


InvokeFake = Callable[[FakeRegistry, dict[str, Any]], dict[str, Any]]


def _get_repository(reg: FakeRegistry, args: dict[str, Any]) -> dict[str, Any]:
    full = args.get("fullName") or args.get("full_name") or args.get("name", "")
    return {
        "fullName": full,
        "name": full.split("/")[-1],
        "repoId": reg.make_int("repo_id", full),
        "nodeId": reg.make_str("node_id", full),
    }


def _get_heroku_app(reg: FakeRegistry, args: dict[str, Any]) -> dict[str, Any]:
    name = args.get("name", "")
    return {"id": reg.make_str("heroku_app_id", name), "name": name}


INVOKES: dict[str, InvokeFake] = {
    "github:index/getRepository:getRepository": _get_repository,
    "heroku:app/getApp:getApp": _get_heroku_app,
}
"""Invoke token → fake result. Domains add their data sources here."""

RESOURCE_OUTPUTS: dict[str, Callable[[FakeRegistry, str, dict[str, Any]], dict[str, Any]]] = {}
"""Resource type → extra fake outputs (beyond echoing the inputs), e.g. a repository's numeric id."""

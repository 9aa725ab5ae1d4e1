"""The offline source: deterministic placeholders for plans and tests. Never chosen implicitly.

Each placeholder is derived from the reference alone (no value is ever read), carries a
recognisable prefix so the plan can mask it wherever it ends up, and is the same on every run so
plans are stable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from infra.config.manifest import OnePasswordRef

PLACEHOLDER_PREFIX = "cfinfra-offline-placeholder:"


def placeholder(uri: str) -> str:
    digest = hashlib.sha256(uri.encode()).hexdigest()[:16]
    return f"{PLACEHOLDER_PREFIX}{digest}"


class OfflineSource:
    """Resolves every reference to a placeholder. For `cfinfra plan`/`diff` and the tests only."""

    name = "offline"

    def __init__(self) -> None:
        self.issued: dict[str, str] = {}
        """Placeholder → reference URI, for masking and for lineage in the plan."""

    def resolve_all(self, refs: Iterable[OnePasswordRef]) -> Mapping[str, str]:
        out = {}
        for ref in refs:
            value = placeholder(ref.uri)
            self.issued[value] = ref.uri
            out[ref.uri] = value
        return out

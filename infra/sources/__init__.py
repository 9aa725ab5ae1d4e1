"""Where secret values come from: 1Password for real runs, a deterministic offline source for plans.

A source resolves *every* reference of the manifest in one go, before the program declares anything,
and either returns all values or raises ``SecretSourceError`` naming every failing reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from infra.config.manifest import OnePasswordRef


class SecretSource(Protocol):
    """Resolves 1Password references to values.

    Implementations never log or embed values in errors.
    """

    name: str

    def resolve_all(self, refs: Iterable[OnePasswordRef]) -> Mapping[str, str]:
        """Map each reference's URI to its value.

        Raise ``SecretSourceError`` listing every failure otherwise.
        """
        ...

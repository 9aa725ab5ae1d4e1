"""The manifest seen from the receiving side: which secret value goes into which target.

Components ask for the deliveries of their target kind and get, for each, the manifest entry, the
target and the value as a Pulumi secret ``Output``. No component ever sees a raw string value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import pulumi

from infra.config.loader import Project
from infra.config.manifest import ProviderCredentialTarget, ProviderKind, SecretEntry

T = TypeVar("T")


@dataclass(frozen=True)
class Delivery(Generic[T]):
    entry: SecretEntry
    target: T
    value: pulumi.Output[str]


class SecretValues:
    """Every resolved value, wrapped once as a Pulumi secret and shared by all its targets."""

    def __init__(
        self, project: Project, resolved: Mapping[str, str], environment: str | None = None
    ):
        self._project = project
        self._environment = environment
        self._outputs: dict[str, pulumi.Output[str]] = {
            e.id: pulumi.Output.secret(resolved[e.secret.onepassword.uri])
            for e in project.secrets
            if e.secret.onepassword.uri in resolved
        }

    def of(self, kind: type[T]) -> Iterator[Delivery[T]]:
        for entry in self._project.secrets:
            for target in entry.secret.targets:
                if isinstance(target, kind) and entry.id in self._outputs:
                    yield Delivery(entry, target, self._outputs[entry.id])

    def credential(
        self, provider: ProviderKind, host: str | None = None
    ) -> dict[str, pulumi.Output[str]]:
        """The provider's credential inputs (``token``, ``app_auth.pem_file``, ...), as secrets.

        Only the credential of the run's environment (``environment``: None for the deploy, the
        read-only environment's name for a read-only run) is ever resolved or handed out.
        Validation guarantees one complete set per provider and run; an empty answer
        here is a bug, so it raises instead of letting the provider read the environment.
        """
        found = {
            d.target.input: d.value
            for d in self.of(ProviderCredentialTarget)
            if d.target.provider is provider
            and d.target.host == host
            and d.target.environment == self._environment
        }
        if not found:
            where = f" of host {host}" if host else ""
            raise AssertionError(f"no credential for the {provider} provider{where}")
        return found

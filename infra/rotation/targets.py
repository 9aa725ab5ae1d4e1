"""The Pulumi resources that carry a secret, with the URNs a targeted ``pulumi up`` needs.

Computed by running the real program offline (``infra.plan.engine.run_program`` with the offline
source): a resource carries a secret when the secret's placeholder appears anywhere in its inputs.
That is exactly what ``pulumi up`` would write the new value into, so a targeted update of these
URNs delivers the value to every target of the manifest entry and touches nothing else (a variable
group or a Heroku config association is rewritten whole, from 1Password's current values).

The URNs are the recording monitor's, which builds them as the engine does
(``infra.plan.engine.RecordingMonitor.make_urn``: every ancestor's type below the stack in the
chain), so they are the URNs ``pulumi up --target`` names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from infra.config.loader import Project
from infra.config.manifest import SecretEntry
from infra.pulumi_formats import ROOT_STACK_TYPE


@dataclass(frozen=True)
class TargetResource:
    """One resource a rotation of a secret updates."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    """Recorded inputs, offline placeholders in place of values (no secret is ever here)."""


@dataclass(frozen=True)
class Carriers:
    """Every registered resource of the program and the secrets each one carries."""

    resources: tuple[TargetResource, ...]
    carried: dict[str, frozenset[str]]
    """URN → ids of the secrets whose value appears in its inputs."""

    def of(self, secret_id: str) -> list[TargetResource]:
        """The resources carrying ``secret_id``, sorted by URN (the targeted update's list)."""
        return sorted(
            (r for r in self.resources if secret_id in self.carried[r.urn]), key=lambda r: r.urn
        )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def carriers(project: Project) -> Carriers:
    """Run the program offline once and map every resource to the secrets it carries."""
    from infra.plan.engine import RecordingMonitor, run_program
    from infra.plan.fakes import FakeRegistry
    from infra.program import declare
    from infra.sources.offline import OfflineSource

    source = OfflineSource()
    monitor: RecordingMonitor = run_program(
        project.stack, lambda: declare(project, source), FakeRegistry()
    )
    ids_by_uri = {e.secret.onepassword.uri: e.id for e in project.secrets}
    resources = []
    carried: dict[str, frozenset[str]] = {}
    for urn, reg in monitor.registrations.items():
        if reg.type == ROOT_STACK_TYPE:
            continue
        secrets = frozenset(
            ids_by_uri[source.issued[s]] for s in _strings(reg.inputs) if s in source.issued
        )
        resources.append(TargetResource(urn, reg.type, reg.name, reg.inputs))
        carried[urn] = secrets
    return Carriers(tuple(resources), carried)


def target_urns(project: Project, entries: Sequence[SecretEntry]) -> dict[str, list[str]]:
    """Secret id → the URNs a targeted ``pulumi up`` of that secret's targets names."""
    found = carriers(project)
    return {e.id: [r.urn for r in found.of(e.id)] for e in entries}

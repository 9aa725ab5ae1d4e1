"""Run the real program under the Pulumi SDK's mock engine and record every registration.

No Pulumi CLI, no plugins, no credentials: the SDK's own ``set_mocks`` replaces the engine. A subclass
of ``MockMonitor`` records each ``RegisterResourceRequest`` with its options (protect, retain on delete,
parent, import id), which ``Mocks.new_resource`` alone cannot see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pmocks
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

from infra.config.loader import Project, load_project
from infra.plan.fakes import INVOKES, RESOURCE_OUTPUTS, FakeRegistry
from infra.plan.mask import Masker
from infra.plan.model import Plan, PlannedResource
from infra.sources.offline import OfflineSource

PROJECT_NAME = "conda-forge-infra"


class FakeOutputs(pulumi.runtime.Mocks):
    """Resources echo their inputs (plus table-driven fakes); invokes answer from ``INVOKES``."""

    def __init__(self, registry: FakeRegistry):
        self.registry = registry

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        extra = RESOURCE_OUTPUTS.get(args.typ)
        outputs = dict(args.inputs)
        if extra is not None:
            outputs.update(extra(self.registry, args.name, args.inputs))
        return args.resource_id or f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        fake = INVOKES.get(args.token)
        if fake is None:
            raise NotImplementedError(f"the offline plan has no fake for invoke {args.token}")
        return fake(self.registry, dict(args.args)), []


@dataclass
class Registration:
    type: str
    name: str
    parent_urn: str
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    import_id: str


@dataclass
class RecordingMonitor(pmocks.MockMonitor):
    """A ``MockMonitor`` that keeps every registration with its resource options."""

    registrations: dict[str, Registration] = field(default_factory=dict)

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        from pulumi.runtime.proto import resource_pb2

        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # One deserialisation, keeping secret markers so the plan knows which inputs are secret.
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        self.registrations[urn] = Registration(
            type=request.type,
            name=request.name,
            parent_urn=request.parent,
            inputs=inputs,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            import_id=request.importId,
        )
        if not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        plain = rpc.deserialize_properties(request.object)
        id_, state = self.mocks.new_resource(
            pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=plain,
                provider=request.provider,
                resource_id=request.importId,
                custom=True,
            )
        )
        obj = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[urn] = pmocks.MockMonitor.ResourceRegistration(urn, id_ or "", state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)


def _parent_key(parent_urn: str) -> str | None:
    if not parent_urn:
        return None
    # urn:pulumi:<stack>::<project>::<type chain>::<name>; the last type of the chain is the parent's.
    parts = parent_urn.split("::")
    type_chain, name = parts[2], "::".join(parts[3:])
    ptype = type_chain.split("$")[-1]
    return None if ptype == "pulumi:pulumi:Stack" else f"{ptype}::{name}"


def run_program(
    stack: str, program: Callable[[], None], registry: FakeRegistry | None = None
) -> RecordingMonitor:
    """Run ``program`` under mocks on a fresh event loop and return the monitor with its records."""
    registry = registry or FakeRegistry()
    monitor = RecordingMonitor(FakeOutputs(registry))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        pulumi.runtime.set_mocks(
            monitor.mocks, project=PROJECT_NAME, stack=stack, preview=False, monitor=monitor
        )
        pulumi.runtime.mocks.test(program)()
    finally:
        pulumi.runtime.settings.reset_options()
        loop.close()
        asyncio.set_event_loop(None)
    return monitor


def plan_project(project: Project) -> Plan:
    """The offline plan of a validated project."""
    from infra.program import declare

    source = OfflineSource()
    registry = FakeRegistry()
    monitor = run_program(project.stack, lambda: declare(project, source), registry)
    masker = Masker(placeholders=source.issued, fake_labels=registry.labels)
    resources = [
        PlannedResource(
            type=reg.type,
            name=reg.name,
            inputs=masker.mask_inputs(reg.type, reg.name, reg.inputs),
            protect=reg.protect,
            retain_on_delete=reg.retain_on_delete,
            parent=_parent_key(reg.parent_urn),
            import_id=reg.import_id or None,
        )
        for reg in monitor.registrations.values()
    ]
    masker.raise_if_leaked()
    resources.sort(key=lambda r: (r.type, r.name))
    return Plan(stack=project.stack, resources=resources)


def plan_stack(root: Path, stack: str) -> Plan:
    """Validate, then plan. Raises ``ConfigError`` before anything is declared."""
    return plan_project(load_project(root, stack))

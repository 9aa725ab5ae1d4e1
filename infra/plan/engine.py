"""Run the real program under the Pulumi SDK's mock engine and record every registration.

No Pulumi CLI, no plugins, no credentials: the SDK's own ``set_mocks`` replaces the engine. A
subclass of ``MockMonitor`` records each ``RegisterResourceRequest`` with its options (protect,
retain on delete, parent, import id), which ``Mocks.new_resource`` alone cannot see.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pmocks
from pulumi.runtime import rpc
from pulumi.runtime.settings import get_project, get_stack
from pulumi.runtime.sync_await import _sync_await

from infra.config.loader import Project
from infra.errors import ConfigError, SecretSourceError
from infra.plan.fakes import INVOKES, RESOURCE_OUTPUTS, FakeRegistry
from infra.plan.lineage import secret_lineage
from infra.plan.mask import Masker
from infra.plan.model import Plan, PlannedResource, resource_key
from infra.pulumi_formats import PROVIDER_TYPE_PREFIX, ROOT_STACK_TYPE, build_urn, parse_urn
from infra.runtime_config import feed_runtime, read_stack_file_config
from infra.sources.offline import OfflineSource

PROJECT_NAME = "conda-forge-infra"
PROGRAM_LOG = logging.getLogger("cfinfra.program")
"""Where the program's ``pulumi.log`` messages go under mocks (the CLI prints each once)."""
M = TypeVar("M", bound=pmocks.MockMonitor)


class FakeOutputs(pulumi.runtime.Mocks):
    """Resources echo their inputs (plus table-driven fakes); invokes answer from ``INVOKES``."""

    def __init__(self, registry: FakeRegistry):
        self.registry = registry

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        extra = RESOURCE_OUTPUTS.get(args.typ)
        outputs = dict(args.inputs)
        if extra is not None:
            outputs.update(extra(self.registry, args.name, args.inputs))
        # Ids read like what they stand for, so a plan that wires one resource into another stays
        # legible.
        return args.resource_id or self.registry.make_str("id", args.name), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        fake = INVOKES.get(args.token)
        if fake is None:
            raise NotImplementedError(f"the offline plan has no fake for invoke {args.token}")
        return fake(self.registry, dict(args.args)), []


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent_urn: str
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    import_id: str
    ignore_changes: tuple[str, ...] = ()


@dataclass
class RecordingMonitor(pmocks.MockMonitor):
    """A ``MockMonitor`` that keeps every registration with its resource options."""

    registrations: dict[str, Registration] = field(default_factory=dict)

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN as the engine computes it, not as the SDK's mock monitor does.

        The engine (``resource.NewURN`` in pulumi/pulumi ``sdk/go/common/resource/urn.go``) prefixes
        the parent's *whole* qualified type chain, and nothing for children of the root stack. The
        stock mock keeps only the parent's last type and prefixes the Stack's type too, so its URNs
        match none of ``pulumi preview``'s.
        """
        return engine_urn(get_stack(), get_project(), parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        from pulumi.runtime.proto import resource_pb2

        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == ROOT_STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # One deserialisation, keeping secret markers so the plan knows which inputs are secret.
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        if request.type.startswith(PROVIDER_TYPE_PREFIX) and request.version:
            # The engine keeps a provider's plugin version among its inputs, and a new version is
            # an update of the provider in `pulumi preview`: record it so the reviewed change set
            # of a dependency bump explains that update.
            inputs = {**inputs, "version": request.version}
        self.registrations[urn] = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            parent_urn=request.parent,
            inputs=inputs,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            import_id=request.importId,
            # The SDK has already turned the option's Python names into the inputs' (camelCase).
            ignore_changes=tuple(sorted(request.ignoreChanges)),
        )
        if not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # Outputs echo the inputs: the request's own serialised object is the answer (secret markers
        # included, as the real engine keeps them), so nothing is deserialised or serialised twice.
        # Types with outputs the program reads beyond its inputs (a repository's numeric id, an ARN)
        # get them from the RESOURCE_OUTPUTS table.
        mocks = self.mocks
        assert isinstance(mocks, FakeOutputs)
        id_ = request.importId or mocks.registry.make_str("id", request.name)
        obj = struct_pb2.Struct()
        obj.CopyFrom(request.object)
        extra = RESOURCE_OUTPUTS.get(request.type)
        if extra is not None:
            plain = rpc.deserialize_properties(request.object)
            obj.MergeFrom(
                _sync_await(
                    rpc.serialize_properties(extra(mocks.registry, request.name, plain), {})
                )
            )
        self.resources[urn] = pmocks.MockMonitor.ResourceRegistration(urn, id_, {})
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)


def engine_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """``urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`` (the engine's rule)."""
    return build_urn(stack, project, type_, name, parent_urn)


def _parent_key(parent_urn: str) -> str | None:
    if not parent_urn:
        return None
    parent = parse_urn(parent_urn)
    return None if parent.is_root_stack else resource_key(parent.type, parent.name)


class _TrackingPolicy(asyncio.DefaultEventLoopPolicy):
    """Remembers every loop created during a run so all of them can be closed after it.

    The SDK's mock monitor gives each executor thread an event loop of its own and never closes it;
    left to the garbage collector those loops fail noisily at exit ("Invalid file descriptor: -1").
    """

    def __init__(self) -> None:
        super().__init__()
        self.loops: list[asyncio.AbstractEventLoop] = []

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        self.loops.append(loop)
        return loop


def run_program(
    stack: str,
    program: Callable[[], None],
    registry: FakeRegistry | None = None,
    monitor: M | None = None,
    *,
    config: Mapping[str, Any] | None = None,
    root: Path | None = None,
) -> M:
    """Run ``program`` under mocks on a fresh event loop and return the monitor with its records.

    ``config`` (a stack file's ``config:`` mapping) and ``root`` are handed to the runtime the way
    the language host hands them over in a real run. The default monitor records registrations; a
    caller may pass another (e.g. the SDK's stock one).

    The program runs on a thread of its own, so its Python stack starts there whoever calls it:
    for every resource the SDK turns each frame under the resource's constructor into a source
    position (``_get_stack_trace`` in ``pulumi/runtime/resource.py``, for the engine's diagnostics,
    which the mock engine drops), and under ``cfinfra`` a third of those frames were typer's and
    click's (under pytest, pytest's). What the program declares is the same on any thread.
    """
    if monitor is None:
        monitor = RecordingMonitor(FakeOutputs(registry or FakeRegistry()))  # type: ignore[assignment]
    assert monitor is not None
    raised: list[BaseException] = []
    # A daemon: an interrupted caller (Ctrl-C) must not wait for the program to finish.
    thread = threading.Thread(
        target=_run_under_mocks,
        args=(raised, monitor, stack, program, config, root),
        name="cfinfra-program",
        daemon=True,
    )
    thread.start()
    thread.join()
    if raised:
        raise raised[0]
    return monitor


def _run_under_mocks(
    raised: list[BaseException],
    monitor: pmocks.MockMonitor,
    stack: str,
    program: Callable[[], None],
    config: Mapping[str, Any] | None,
    root: Path | None,
) -> None:
    """``run_program``'s thread: what it raises is kept in ``raised`` and raised by the caller.

    (One function, not two: every frame here is one more the SDK converts per resource.)
    """
    try:
        previous_policy = asyncio.get_event_loop_policy()
        policy = _TrackingPolicy()
        asyncio.set_event_loop_policy(policy)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            pulumi.runtime.set_mocks(
                monitor.mocks,
                project=PROJECT_NAME,
                stack=stack,
                preview=False,
                monitor=monitor,
                logger=PROGRAM_LOG,
            )
            pulumi.runtime.settings.SETTINGS.root_directory = str(root) if root else None
            feed_runtime(config or {})
            pulumi.runtime.mocks.test(program)()
        finally:
            feed_runtime({})
            pulumi.runtime.settings.reset_options()
            _cancel_leftovers(loop)
            loop.run_until_complete(loop.shutdown_default_executor())
            asyncio.set_event_loop(None)
            for created in policy.loops:
                if not created.is_running():
                    created.close()
            asyncio.set_event_loop_policy(previous_policy)
    except BaseException as exc:
        raised.append(exc)


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel and await what a failed program left running, as ``asyncio.run`` does.

    At the program's first error the SDK stops awaiting its outputs (``wait_for_rpcs`` re-raises
    the first failed one) and returns with the rest pending: registrations waiting on the mock
    monitor, applies never started. Left on the loop they are destroyed with it whenever the
    garbage collector gets to them, in whatever test or command runs next ("Task was destroyed
    but it is pending!", "coroutine 'Output.apply.<locals>.run' was never awaited"), and the
    executor's shutdown fails the registrations still queued ("Executor shutdown has been
    called"). Cancelled here, they end now, before the executor shuts down.
    """
    while pending := asyncio.all_tasks(loop):
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def plan_stack(root: Path, stack: str, *, environment: str | None = None) -> Plan:
    """The offline plan of ``Pulumi.<stack>.yaml``: the real program (``infra.program.run``) under
    mocks, with the stack file's configuration handed over through the runtime as the engine does.
    ``environment`` is the run's (``CFINFRA_ENVIRONMENT``): None plans the deploy.

    Raises ``ConfigError`` (every problem, nothing declared) like a real run would.
    """
    from infra.program import run

    root = root.resolve()
    config = read_stack_file_config(root, stack)
    source = OfflineSource()
    registry = FakeRegistry()
    ran: list[Project] = []
    failed: list[Exception] = []

    def program() -> None:
        try:
            ran.append(run(lambda _: source, environment))
        except (ConfigError, SecretSourceError) as exc:
            failed.append(exc)

    monitor: RecordingMonitor = run_program(stack, program, registry, config=config, root=root)
    if failed:
        raise failed[0]
    (project,) = ran
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
            urn=reg.urn,
            ignore_changes=reg.ignore_changes,
        )
        for reg in monitor.registrations.values()
    ]
    masker.raise_if_leaked()
    resources.sort(key=lambda r: (r.type, r.name))
    return Plan(stack=project.stack, resources=resources, lineage=secret_lineage(project))


def plan_project(project: Project) -> Plan:
    """The offline plan of the stack ``project`` was loaded from (same as ``plan_stack``)."""
    return plan_stack(project.root, project.stack)

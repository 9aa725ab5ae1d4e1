"""Run ``infra/`` the way Pulumi's Python language host runs it, against a monitor this test serves.

The resource monitor and the engine are gRPC servers in the test process, built on the SDK's own
generated servicers; behind them, the offline plan's recording monitor answers registrations
(outputs echo inputs, as in the offline plan). The program runs in a subprocess started like the
language host starts ``pulumi-language-python-exec`` (``language_host_exec.py``): the project's
virtual environment's Python, the stack configuration in ``PULUMI_CONFIG``, the project root in the
runtime settings, the working directory ``infra/``. Nothing in the subprocess is replaced but
1Password's network client.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, resource_pb2, resource_pb2_grpc

from infra.plan.engine import PROJECT_NAME, FakeOutputs, RecordingMonitor, engine_urn
from infra.plan.fakes import FakeRegistry

EXEC = Path(__file__).resolve().parent / "language_host_exec.py"
# The monitor methods the SDK calls; each is answered by the recording mock monitor.
_MONITOR_METHODS = (
    "SupportsFeature",
    "GetDeploymentInfo",
    "Invoke",
    "ReadResource",
    "RegisterResource",
    "RegisterResourceOutputs",
    "RegisterStackTransform",
    "RegisterStackInvokeTransform",
    "RegisterResourceHook",
    "RegisterErrorHook",
    "RegisterPackage",
    "SignalAndWaitForShutdown",
)
_loops = threading.local()


def _ensure_loop() -> None:
    """Deserialising properties needs an event loop on the gRPC worker thread."""
    if getattr(_loops, "loop", None) is None:
        _loops.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_loops.loop)


class _Monitor(RecordingMonitor):
    """The recording monitor, with URNs built from the stack this test serves (the gRPC worker
    threads have no Pulumi settings of their own)."""

    def __init__(self, stack: str):
        super().__init__(FakeOutputs(FakeRegistry()))
        self.stack = stack
        self.seen: list[tuple[str, str]] = []
        """Every registration in order, the root Stack included (``registrations`` skips it)."""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return engine_urn(self.stack, PROJECT_NAME, parent, type_, name)


def _servicer(monitor: _Monitor) -> resource_pb2_grpc.ResourceMonitorServicer:
    def forward(name: str) -> Any:
        def method(self: Any, request: Any, context: Any) -> Any:
            _ensure_loop()
            if name == "SupportsFeature":  # the mock answers with a plain object
                answer = monitor.SupportsFeature(request)
                return resource_pb2.SupportsFeatureResponse(hasSupport=answer.hasSupport)
            if name == "RegisterResource":
                monitor.seen.append((request.type, request.name))
            return getattr(monitor, name)(request)

        return method

    cls = type(
        "MonitorServicer",
        (resource_pb2_grpc.ResourceMonitorServicer,),
        {name: forward(name) for name in _MONITOR_METHODS},
    )
    return cls()


@dataclass
class _Engine(engine_pb2_grpc.EngineServicer):
    """The engine's side: the log messages the program sends, and the root stack resource."""

    logs: list[tuple[int, str]] = field(default_factory=list)
    root: str = ""

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request: Any, context: Any) -> Any:
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()

    def RequirePulumiVersion(self, request: Any, context: Any) -> Any:
        return engine_pb2.RequirePulumiVersionResponse()


@dataclass
class LanguageHostRun:
    """What one run left behind: every registration (with its options), the engine's log, the
    exit code and the subprocess's own output."""

    returncode: int
    registrations: dict[str, Any]
    seen: list[tuple[str, str]]
    logs: list[tuple[int, str]]
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        return [message for severity, message in self.logs if severity == engine_pb2.ERROR]


def run_like_the_language_host(
    root: Path,
    stack: str,
    config: Mapping[str, Any],
    env: Mapping[str, str],
    fake_1password_seed: Path | None,
    timeout: float = 300,
) -> LanguageHostRun:
    """Run ``root``'s ``infra/`` program for ``stack`` with ``config`` handed over by the runtime.

    ``env`` is the whole environment of the subprocess (nothing else leaks in from the test's).
    """
    monitor = _Monitor(stack)
    engine = _Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_servicer(monitor), server)
    engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        address = f"127.0.0.1:{port}"
        # The language host passes object values JSON-encoded, as `pulumi config` stores them.
        pulumi_config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
        argv = [
            sys.executable,
            str(EXEC),
            f"--project={PROJECT_NAME}",
            f"--stack={stack}",
            "--organization=conda-forge",
            f"--root_directory={root}",
            f"--pwd={root / 'infra'}",
            f"--monitor={address}",
            f"--engine={address}",
            "--dry_run=true",
        ]
        if fake_1password_seed is not None:
            argv.append(f"--fake-1password={fake_1password_seed}")
        argv.append(".")
        proc = subprocess.run(
            argv,
            env={
                **env,
                "PULUMI_CONFIG": json.dumps(pulumi_config),
                "PULUMI_CONFIG_SECRET_KEYS": "[]",
            },
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        server.stop(grace=None)
    return LanguageHostRun(
        returncode=proc.returncode,
        registrations=dict(monitor.registrations),
        seen=list(monitor.seen),
        logs=list(engine.logs),
        stdout=proc.stdout,
        stderr=proc.stderr,
    )


def clean_env(**extra: str) -> dict[str, str]:
    """A minimal environment: no provider credential of any kind can come from it."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    return {k: os.environ[k] for k in keep if k in os.environ} | extra

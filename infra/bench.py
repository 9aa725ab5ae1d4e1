"""``cfinfra bench``: the offline plan's cost next to bare SDK registration, measured in one run.

Bare registration is the floor: N ``ActionsOrganizationSecret`` resources registered under the
SDK's stock ``MockMonitor`` with trivial mocks, N being the number of resources the plan registers.
The plan does everything else too (load and validate config, resolve secrets, record options, mask,
sort).
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pulumi


class _EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return {}, []


def bare_registration(n: int) -> None:
    """Register ``n`` org secrets under the stock mock monitor (the SDK's own floor)."""
    import pulumi_github as github

    def program() -> None:
        for i in range(n):
            github.ActionsOrganizationSecret(
                f"s{i}", secret_name=f"S{i}", value=pulumi.Output.secret("x"), visibility="all"
            )

    from infra.plan.engine import run_program

    run_program("bench", program, monitor=pulumi.runtime.mocks.MockMonitor(_EchoMocks()))


@dataclass
class Timing:
    median_s: float
    best_s: float

    @classmethod
    def of(cls, fn: Callable[[], object], rounds: int) -> Timing:
        times = []
        for _ in range(rounds):
            gc.collect()
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return cls(statistics.median(times), min(times))


def run_bench(root: Path, stack: str, rounds: int) -> dict[str, float]:
    from infra.plan.engine import plan_stack

    plan = plan_stack(root, stack)  # warm-up: imports, lazy provider modules, pydantic
    n = len(plan.resources)
    bare_registration(n)  # warm-up
    plan_t = Timing.of(lambda: plan_stack(root, stack), rounds)
    bare_t = Timing.of(lambda: bare_registration(n), rounds)
    tracemalloc.start()
    plan_stack(root, stack)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "resources": n,
        "plan_median_s": plan_t.median_s,
        "plan_best_s": plan_t.best_s,
        "bare_median_s": bare_t.median_s,
        "bare_best_s": bare_t.best_s,
        "plan_ms_per_resource": 1000 * plan_t.median_s / n,
        "bare_ms_per_resource": 1000 * bare_t.median_s / n,
        "ratio": plan_t.median_s / bare_t.median_s,
        "plan_peak_mib": peak / 2**20,
    }

"""``run_program`` runs the program on a stack of its own and hands back what it raised."""

from __future__ import annotations

import gc
import traceback
import warnings

import pulumi
import pytest

from infra.plan.engine import run_program
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK


def test_the_program_runs_on_a_stack_of_its_own() -> None:
    """The SDK turns every frame under a resource's constructor into a source position, per
    resource: the caller's frames (typer's and click's under `cfinfra`) must not be among them."""
    seen: list[str] = []

    def program() -> None:
        seen.extend(frame.name for frame in traceback.extract_stack())
        pulumi.ComponentResource("test:x:Thing", "thing")

    def the_callers_frame() -> None:
        monitor = run_program("prod", program)
        assert len(monitor.registrations) == 1

    the_callers_frame()
    assert "program" in seen
    assert "the_callers_frame" not in seen


def test_what_the_program_raises_is_raised_to_the_caller() -> None:
    def program() -> None:
        raise LookupError("from the program")

    with pytest.raises(LookupError, match="from the program"):
        run_program("prod", program)


def test_the_runtime_is_reset_after_a_run() -> None:
    """A run leaves no mocks behind: the next one starts from its own settings."""
    stacks: list[str] = []
    run_program("first", lambda: stacks.append(pulumi.get_stack()))
    run_program("second", lambda: stacks.append(pulumi.get_stack()))
    assert stacks == ["first", "second"]


def test_a_program_that_fails_midway_leaves_nothing_running(monkeypatch, caplog) -> None:
    """At the first error the SDK stops awaiting the program's outputs; what is left must end
    with the run, not be destroyed pending in whatever runs next ("Task was destroyed but it is
    pending!", "coroutine ... was never awaited": the archived-repository test showed them after
    the missing-feedstock one). The fixture plan fails midway on a feedstock GitHub does not know.
    """
    from pulumi.runtime.settings import SETTINGS

    from infra.github.repositories import RepositoryNotFound
    from infra.plan import fakes
    from infra.plan.engine import plan_stack

    real = fakes.INVOKES["github:index/getRepository:getRepository"]

    def lookup(registry, args):
        found = real(registry, args)
        return {**found, "id": ""} if args["fullName"].endswith("/numpy-feedstock") else found

    monkeypatch.setitem(fakes.INVOKES, "github:index/getRepository:getRepository", lookup)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RepositoryNotFound):
            plan_stack(FIXTURE_ROOT, FIXTURE_STACK)
        SETTINGS.outputs.clear()  # as the next run does first
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)] == []
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []

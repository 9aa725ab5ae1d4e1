"""Crash injection: the process dies right after each side effect of a rotation, in turn.

The workflow under test is the real one: ``run`` (creates and stores), ``run --deployed`` after
``pulumi up`` (deactivates the superseded key), and, once the overlap has passed, ``run`` (deletes
it). The starting state also holds an inactive leftover key, so the first run must make room.

After *every* side effect, crash or not, the world checks the invariant: the key stored in
1Password is active in IAM and STS accepts its secret (moto checks the signature). After a crash,
re-running the workflow must converge to exactly one key, the stored one.
"""

from __future__ import annotations

import pytest

from tests.rotation.aws_world import MAX_AGE_DAYS, OVERLAP_DAYS, USER, Crash, World

CYCLE = [
    "iam:DeleteAccessKey",  # 1 make room: the inactive leftover
    "iam:CreateAccessKey",  # 2 the new key
    "op:items.put",  # 3 store it (and the id of the key it supersedes)
    "iam:UpdateAccessKey",  # 4 --deployed: deactivate the superseded key
    "op:items.put",  # 5 record when (starts the overlap)
    "iam:DeleteAccessKey",  # 6 after the overlap: delete it
]

# test id -> the side effects (1-based position in the world's trace, label) to crash after.
STEPS = {
    "delete-inactive-leftover": [(1, CYCLE[0])],
    "create-new-key": [(2, CYCLE[1])],
    "store-new-key": [(3, CYCLE[2])],
    "deactivate-old-key": [(4, CYCLE[3])],
    "record-deactivation": [(5, CYCLE[4])],
    "delete-old-key": [(6, CYCLE[5])],
    # Crashing again while healing: the key created at #2 was never stored, so the next run
    # deactivates (#3) and deletes (#4) it before creating another.
    "create-new-key-then-deactivate-lost-key": [(2, CYCLE[1]), (3, "iam:UpdateAccessKey")],
    "create-new-key-then-delete-lost-key": [(2, CYCLE[1]), (4, "iam:DeleteAccessKey")],
}


def prepare(world: World) -> None:
    """An inactive leftover key (forces "make room"), then the stored key falls due."""
    leftover = world.admin.create_access_key(UserName=USER)["AccessKey"]
    world.secrets_seen.append(leftover["SecretAccessKey"])
    world.admin.update_access_key(
        UserName=USER, AccessKeyId=leftover["AccessKeyId"], Status="Inactive"
    )
    world.advance(MAX_AGE_DAYS - 10)
    world.install_hooks()


def workflow(world: World) -> None:
    """One pass of the scheduled rotation workflow, then the later run after the overlap."""
    world.run()
    # (`pulumi up` delivers 1Password's value to the targets here; targets are not modelled.)
    world.run(deployed=True)
    world.advance(OVERLAP_DAYS + 1)
    world.run()


def converge(world: World, passes: int = 4) -> int:
    """Re-run the workflow until one key is left; returns the passes it took."""
    for n in range(1, passes + 1):
        workflow(world)
        if world.converged():
            return n
    raise AssertionError(f"not converged after {passes} passes: {world.keys()}")


def test_an_uninterrupted_cycle_has_exactly_these_side_effects(world: World) -> None:
    prepare(world)
    workflow(world)
    assert world.trace == CYCLE
    assert world.converged()


@pytest.mark.parametrize("crashes", list(STEPS.values()), ids=list(STEPS))
def test_crash_after_step_keeps_a_working_stored_key_and_rerun_converges(
    world: World, crashes: list[tuple[int, str]]
) -> None:
    prepare(world)
    world.crash_after = {position for position, _ in crashes}
    for _ in crashes:
        with pytest.raises(Crash):
            workflow(world)
        # The hook already checked the invariant at the moment of the crash; check again after.
        world.assert_stored_key_works()
    # Each crash happened right after the side effect the test case is named for.
    assert [world.trace[position - 1] for position, _ in crashes] == [label for _, label in crashes]

    converge(world)
    assert len(world.keys()) == 1  # after the overlap: exactly one key in total
    world.assert_stored_key_works()


def test_rerunning_a_converged_rotation_changes_nothing(world: World) -> None:
    prepare(world)
    converge(world)
    effects = len(world.trace)
    world.run()
    world.run(deployed=True)
    assert len(world.trace) == effects

"""Crash injection for the `anaconda` rotator: the process dies right after each side effect.

Side effects are the 1Password writes, anaconda.org's create and remove, and the targeted
`pulumi up`. After *every* side effect the world checks the invariant (the stored token is valid
and every target holds a valid token). After a crash, running again converges: one valid token,
stored and delivered everywhere, nothing left over. In emergency mode the leaked token is dead once
the run that follows the crash ends, without waiting for any overlap and even without the flag.
"""

from __future__ import annotations

import pytest

from tests.rotation.anaconda_world import World

DUE = 180 - 10
OVERLAP = 1

ROUTINE = [
    "op:items.put",  # 1 record the new token's name (intent)
    "anaconda:create",  # 2 create it
    "op:items.put",  # 3 store it; the old one kept as previous
    "pulumi:up",  # 4 targeted update of the three targets
    "op:items.put",  # 5 record delivered-at (every target verified)
    "anaconda:remove",  # 6 after the overlap: remove the old token
    "op:items.put",  # 7 clear the old token from the item
]
EMERGENCY = [
    "op:items.put",  # 1 record the leaked token's fingerprint
    "op:items.put",  # 2 intent
    "anaconda:create",  # 3
    "op:items.put",  # 4 store
    "pulumi:up",  # 5 deliver
    "op:items.put",  # 6 delivered-at
    "anaconda:remove",  # 7 the leaked token, at once
    "op:items.put",  # 8 clear the old token and close the emergency
]


def routine(world: World) -> None:
    """The scheduled workflow: a run, then a run once the overlap has passed."""
    world.run()
    world.advance(OVERLAP + 0.5)
    world.run()


def test_an_uninterrupted_routine_rotation_has_exactly_these_side_effects(anaconda: World) -> None:
    anaconda.advance(DUE)
    anaconda.install_hooks()
    routine(anaconda)
    assert anaconda.trace == ROUTINE
    assert anaconda.converged()


def test_an_uninterrupted_emergency_rotation_has_exactly_these_side_effects(
    anaconda: World,
) -> None:
    anaconda.install_hooks()
    anaconda.run(emergency=True)
    assert anaconda.trace == EMERGENCY
    assert anaconda.converged()


@pytest.mark.parametrize("step", range(1, len(ROUTINE) + 1), ids=lambda n: f"{n}-{ROUTINE[n - 1]}")
def test_routine_crash_after_each_side_effect_converges(anaconda: World, step: int) -> None:
    old = anaconda.stored()
    anaconda.advance(DUE)
    anaconda.install_hooks()
    anaconda.crash_after = {step}
    with pytest.raises(BaseException, match=f"side effect #{step} "):
        routine(anaconda)
    anaconda.assert_invariant()
    for _ in range(3):
        routine(anaconda)
        if anaconda.converged():
            break
    assert anaconda.converged()
    assert not anaconda.valid(old)


@pytest.mark.parametrize(
    "step", range(1, len(EMERGENCY) + 1), ids=lambda n: f"{n}-{EMERGENCY[n - 1]}"
)
@pytest.mark.parametrize("flag_again", [False, True], ids=["rerun", "rerun-emergency"])
def test_emergency_crash_after_each_side_effect_leaves_the_leaked_token_dead_after_one_rerun(
    anaconda: World, step: int, flag_again: bool
) -> None:
    leaked = anaconda.stored()
    anaconda.install_hooks()
    anaconda.crash_after = {step}
    with pytest.raises(BaseException, match=f"side effect #{step} "):
        anaconda.run(emergency=True)
    anaconda.assert_invariant()
    # No time passes: an emergency never waits for an overlap.
    anaconda.run(emergency=flag_again)
    assert not anaconda.valid(leaked)
    assert anaconda.converged()


def test_crashing_again_while_healing_a_lost_token_still_converges(anaconda: World) -> None:
    anaconda.advance(DUE)
    anaconda.install_hooks()
    # Die after the create (the token's value is lost), then again right after the next run
    # removes that lost token (before it clears the intent from 1Password).
    anaconda.crash_after = {2, 3}
    for _ in range(2):
        with pytest.raises(BaseException, match="crash after"):
            routine(anaconda)
        anaconda.assert_invariant()
    assert anaconda.trace[:3] == ["op:items.put", "anaconda:create", "anaconda:remove"]
    routine(anaconda)
    routine(anaconda)
    assert anaconda.converged()


def test_rerunning_a_converged_rotation_changes_nothing(anaconda: World) -> None:
    anaconda.advance(DUE)
    anaconda.install_hooks()
    routine(anaconda)
    effects = len(anaconda.trace)
    anaconda.run()
    anaconda.run()
    assert len(anaconda.trace) == effects

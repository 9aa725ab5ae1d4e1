"""The `anaconda` rotator against recorded anaconda.org, GitHub, Azure DevOps and Heroku HTTP,
the 1Password fake, and the offline plan for delivery."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infra.rotation.base import RotationError
from tests.rotation.anaconda_world import ORG, SCOPES, SECRET, VAULT, World, prod_carriers

DUE = 180 - 10  # inside the due-soon window of the 180-day policy
OVERLAP = 1


def field(world: World, label: str) -> str:
    return world.op.field_value(VAULT, SECRET, label)


def test_a_fresh_token_is_left_alone(anaconda: World) -> None:
    report = anaconda.run()
    assert report.actions == []
    assert "next rotation from" in report.notes[0]
    assert anaconda.op.calls["items.put"] == 0


def test_routine_rotation_delivers_everywhere_before_the_old_token_goes(anaconda: World) -> None:
    old = anaconda.stored()
    anaconda.advance(DUE)

    report = anaconda.run()
    new = anaconda.stored()
    assert new != old
    # Delivered to exactly the three targets of the manifest entry, by URN, and verified.
    assert anaconda.delivered_urns == [[r.urn for r in prod_carriers().of(SECRET)]]
    assert anaconda.held_by_targets() == [new] * 3
    assert field(anaconda, "delivered-at")
    # The old token stays valid (overlap) and is kept in the item until it is removed.
    assert anaconda.valid(old)
    assert field(anaconda, "previous-credential") == old
    assert field(anaconda, "previous-token-name") == "conda-forge-prod-2029"
    token = anaconda.tokens[new]
    assert token.org == ORG
    assert token.scopes == SCOPES  # copied from the old token
    assert token.name.startswith("cfinfra-prod-binstar-token-2030")
    assert any("old token" in n and "stays valid" in n for n in report.notes)

    anaconda.advance(OVERLAP / 2)
    assert anaconda.run().actions == []
    assert anaconda.valid(old)

    anaconda.advance(OVERLAP)
    report = anaconda.run()
    assert not anaconda.valid(old)
    assert anaconda.converged()
    assert any("removed old token `conda-forge-prod-2029`" in a for a in report.actions)


def test_emergency_replaces_delivers_and_kills_the_leaked_token_in_one_run(
    anaconda: World,
) -> None:
    leaked = anaconda.stored()
    report = anaconda.run(emergency=True)
    assert not anaconda.valid(leaked)
    assert anaconda.converged()
    assert not field(anaconda, "emergency-leaked-sha256")
    # The report says what was switched when.
    text = "\n".join(report.actions)
    for expected in (
        "declared token",
        "created token",
        "GitHub org secret PROD_BINSTAR_TOKEN",
        "Azure variable cdt-builds/anaconda-org/BINSTAR_TOKEN",
        "Heroku config var conda-forge/PROD_BINSTAR_TOKEN",
        "removed old token",
    ):
        assert expected in text
    assert all(a.split()[2] == "UTC" for a in report.actions)


def test_emergency_during_a_routine_overlap_kills_both_old_tokens(anaconda: World) -> None:
    first = anaconda.stored()
    anaconda.advance(DUE)
    anaconda.run()
    second = anaconda.stored()
    assert anaconda.valid(first)
    anaconda.run(emergency=True)
    assert not anaconda.valid(first)
    assert not anaconda.valid(second)
    assert anaconda.converged()


def test_a_failed_delivery_keeps_the_old_token_and_the_next_run_finishes(anaconda: World) -> None:
    old = anaconda.stored()
    anaconda.advance(DUE)
    anaconda.fail_delivery = True
    with pytest.raises(RotationError, match="targeted `pulumi up` failed"):
        anaconda.run(emergency=True)
    assert anaconda.valid(old)  # even in an emergency: targets still hold it
    assert anaconda.held_by_targets() == [old] * 3
    anaconda.fail_delivery = False
    anaconda.run()  # the emergency resumes without the flag
    assert not anaconda.valid(old)
    assert anaconda.converged()


def test_a_target_that_did_not_take_the_token_stops_before_the_old_one_goes(
    anaconda: World,
) -> None:
    old = anaconda.stored()
    anaconda.advance(DUE)
    real = anaconda.deliver

    def skip_heroku(secret: object, urns: list[str]) -> None:
        real(secret, [u for u in urns if "heroku" not in u])  # type: ignore[arg-type]

    anaconda.deliver = skip_heroku  # type: ignore[method-assign]
    with pytest.raises(RotationError, match="Heroku config var conda-forge/PROD_BINSTAR_TOKEN"):
        anaconda.run(emergency=True)
    assert anaconda.valid(old)
    assert not field(anaconda, "delivered-at")


def test_dry_run_changes_nothing(anaconda: World) -> None:
    anaconda.advance(DUE)
    report = anaconda.run(dry_run=True)
    assert report.actions == [
        "would create a token, check it and store it in 1Password (token is 170 d old, "
        "policy 180 d)"
    ]
    assert anaconda.op.calls["items.put"] == 0
    assert anaconda.trace == []


def test_a_rejected_issuer_api_key_stops_with_a_message_and_no_token_is_lost(
    anaconda: World,
) -> None:
    old = anaconda.stored()
    anaconda.api_key = "not-the-key"
    anaconda.advance(DUE)
    with pytest.raises(RotationError, match=r"API key \(Bearer\) may not create") as raised:
        anaconda.run()
    assert "rotate-a-token.md#the-anacondaorg-issuer-credentials" in str(raised.value)
    assert anaconda.stored() == old
    assert anaconda.valid(old)


def test_the_anaconda_org_token_is_refused_where_the_api_key_is_needed(anaconda: World) -> None:
    # The old model: one anaconda.org token under both schemes. anaconda.org wants the
    # anaconda.com API key as Bearer (as anaconda-client sends it) and refuses the token there.
    item = anaconda.op.item(VAULT, "anaconda-org-issuer-api-key")
    item.fields[0].value = anaconda.issuer
    asyncio.run(anaconda.op.items.put(item))
    old = anaconda.stored()
    anaconda.advance(DUE)
    with pytest.raises(RotationError, match=r"API key \(Bearer\).*401"):
        anaconda.run()
    assert "anaconda:create" not in anaconda.trace
    assert len(anaconda.tokens) == 2  # the stored token and the unrelated one: nothing minted
    assert anaconda.stored() == old


def test_a_rejected_issuer_token_keeps_the_old_token_and_says_what_to_do(anaconda: World) -> None:
    old = anaconda.stored()
    anaconda.advance(DUE)
    anaconda.run()  # created, delivered; the overlap begins
    anaconda.issuer_orgs.discard(ORG)  # the admin account left the organisation
    anaconda.advance(OVERLAP + 0.5)
    with pytest.raises(RotationError, match=r"anaconda\.org token may not remove tokens of"):
        anaconda.run()
    assert anaconda.valid(old)  # still valid: nothing pretends it was removed
    assert field(anaconda, "previous-credential") == old


@pytest.mark.parametrize("anaconda", ["post-staging-binstar-token"], indirect=True)
def test_post_staging_rotates_under_cf_post_staging_mint_to_removal(anaconda: World) -> None:
    old = anaconda.stored()
    assert anaconda.org == "cf-post-staging"
    anaconda.advance(180 - 10)
    anaconda.run()
    new = anaconda.stored()
    assert anaconda.tokens[new].org == "cf-post-staging"  # minted under the channel's owner
    assert anaconda.held_by_targets() == [new, new]  # GitHub and Heroku POST_STAGING_...
    anaconda.advance(OVERLAP + 0.5)
    anaconda.run()
    assert not anaconda.valid(old)  # removed under /authentications/org/cf-post-staging/...
    assert anaconda.converged()
    removals = [c.request.url for c in anaconda.http.calls if c.request.method == "DELETE"]
    assert removals
    assert all("/authentications/org/cf-post-staging/name/" in u for u in removals)


def test_with_delivery_left_to_the_deploy_workflow_the_rotator_waits_then_finishes(
    anaconda: World,
) -> None:
    anaconda.external_delivery = True
    old = anaconda.stored()
    anaconda.advance(DUE)
    report = anaconda.run()
    new = anaconda.stored()
    assert new != old
    assert any("waiting for delivery" in n for n in report.notes)
    assert anaconda.run().actions == []  # still waiting, no error, nothing removed
    assert anaconda.valid(old)
    anaconda.deploy()
    anaconda.run()  # every target holds it now: delivered-at recorded
    assert field(anaconda, "delivered-at")
    assert anaconda.valid(old)  # the overlap starts now
    anaconda.advance(OVERLAP + 0.5)
    anaconda.run()
    assert anaconda.converged()
    assert not anaconda.valid(old)


def test_an_emergency_left_to_the_deploy_workflow_removes_the_leaked_token_right_after_it(
    anaconda: World,
) -> None:
    anaconda.external_delivery = True
    leaked = anaconda.stored()
    anaconda.run(emergency=True)
    assert anaconda.valid(leaked)  # targets still hold it
    anaconda.deploy()
    anaconda.run()  # no flag, no time passing
    assert not anaconda.valid(leaked)
    assert anaconda.converged()


def test_the_new_token_is_dated_in_the_same_put_as_its_value(anaconda: World) -> None:
    anaconda.advance(DUE)
    anaconda.install_hooks()
    puts: list[tuple[str, str]] = []
    put = anaconda.op.items.put

    async def recording(item: Any) -> Any:
        values = {f.title: f.value for f in item.fields}
        puts.append((values.get("credential", ""), values.get("value-set-at", "")))
        return await put(item)

    anaconda.op.items.put = recording  # type: ignore[method-assign]
    anaconda.run()
    new = anaconda.stored()
    stored_with = [when for value, when in puts if value == new]
    assert stored_with[0] == "2030-06-20T00:00:00+00:00"  # the write that stored the token


def test_rotating_prod_binstar_token_keeps_its_repository_selection(anaconda: World) -> None:
    """The targeted `up` writes the value with the selection on the secret (PB-1)."""
    anaconda.advance(DUE)
    anaconda.run()
    held = anaconda.github["PROD_BINSTAR_TOKEN"]
    assert held.value == anaconda.stored()
    assert held.selection == {"conda-forge-webservices", "admin-requests"}


def test_a_value_write_that_empties_the_selection_fails_verification(
    anaconda: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old shape (selection on a second resource) PUTs no ids: the check catches it."""
    from tests.rotation import anaconda_world

    old = anaconda.stored()
    anaconda.advance(DUE)
    real = anaconda_world.provider.update_body

    def without_selection(d):  # type: ignore[no-untyped-def]
        return {k: v for k, v in real(d).items() if k != "selected_repository_ids"}

    monkeypatch.setattr(anaconda_world.provider, "update_body", without_selection)
    with pytest.raises(RotationError, match="no longer selected for admin-requests"):
        anaconda.run()
    assert anaconda.valid(old)
    assert not field(anaconda, "delivered-at")

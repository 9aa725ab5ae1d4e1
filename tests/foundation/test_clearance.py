"""Real runs check each secret's clearance against the tag its 1Password item carries.

A pull request can widen `cleared_for`; only a vault manager can re-tag the item. The checks run on
the 1Password fake (which mirrors the SDK's `vaults.list` / `items.list`, tags included).
"""

from __future__ import annotations

import pytest

from infra.config.audience import Audience
from infra.config.loader import load_project
from infra.errors import SecretSourceError
from infra.sources.clearance import TAG_PREFIX, tag_for
from infra.sources.onepassword import OnePasswordSource
from tests.conftest import REPO_ROOT
from tests.fakes.onepassword import FakeClient


def _seed(project, tags: dict[str, list[str]] | None = None) -> dict:
    """Every item the manifest reads, tagged as the manifest clears it unless ``tags`` says else."""
    seed: dict = {}
    for e in project.secrets:
        ref = e.secret.onepassword
        item = seed.setdefault(ref.vault, {}).setdefault(ref.item, {"fields": {}, "tags": []})
        item["fields"][ref.field] = f"value-of-{e.id}"
        item["tags"] = [tag_for(e.secret.cleared_for)]
    for item, item_tags in (tags or {}).items():
        seed["pulumi"][item]["tags"] = item_tags
    return seed


def _resolve(project, client):
    source = OnePasswordSource(client=client, clearances=project.secrets)
    return source.resolve_all(e.secret.onepassword for e in project.secrets)


def test_items_tagged_as_the_manifest_clears_them_resolve_in_two_listings_and_one_resolve():
    project = load_project(REPO_ROOT, "prod")
    client = FakeClient(_seed(project))
    values = _resolve(project, client)
    assert len(values) == len({e.secret.onepassword.uri for e in project.secrets})
    assert client.calls["secrets.resolve_all"] == 1
    assert client.calls["vaults.list"] == 1
    # One listing per vault the manifest names (`pulumi`, and `pulumi-deploy` for the deploy's
    # write credentials), never one per item.
    vaults = {e.secret.onepassword.vault for e in project.secrets}
    assert client.calls["items.list"] == len(vaults) == 2
    assert "items.get" not in client.calls  # no value read for the check


def test_a_manifest_widening_without_retagging_the_item_stops_the_run():
    project = load_project(REPO_ROOT, "prod")
    # The item still says core; the (reviewed, merged) manifest says feedstocks.
    widened = [
        e.model_copy(
            update={"secret": e.secret.model_copy(update={"cleared_for": Audience.FEEDSTOCKS})}
        )
        if e.id == "prod-binstar-token"
        else e
        for e in project.secrets
    ]
    client = FakeClient(_seed(project))
    with pytest.raises(SecretSourceError) as info:
        OnePasswordSource(client=client, clearances=widened).resolve_all(
            e.secret.onepassword for e in widened
        )
    message = str(info.value)
    assert "op://pulumi/prod-binstar-token/credential" in message
    assert "cleared for `feedstocks` here but only for `core` in 1Password" in message
    assert client.calls["secrets.resolve_all"] == 0  # nothing resolved, nothing declared


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        ([], "has no `cfinfra:cleared-for=<audience>` tag"),
        ([f"{TAG_PREFIX}core", f"{TAG_PREFIX}public"], "several clearance tags"),
        ([f"{TAG_PREFIX}everyone"], "names no audience"),
    ],
)
def test_an_item_without_one_valid_clearance_tag_stops_the_run(tags, why):
    project = load_project(REPO_ROOT, "prod")
    client = FakeClient(_seed(project, {"staging-binstar-token": tags}))
    with pytest.raises(SecretSourceError, match="staging-binstar-token") as info:
        _resolve(project, client)
    assert why in str(info.value)


def test_a_narrower_manifest_than_the_tag_is_fine():
    project = load_project(REPO_ROOT, "prod")
    client = FakeClient(_seed(project, {"prod-binstar-token": [tag_for(Audience.PUBLIC)]}))
    assert _resolve(project, client)

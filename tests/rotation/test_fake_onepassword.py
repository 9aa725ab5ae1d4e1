"""The 1Password fake mirrors the SDK: same surface, same types, same per-reference errors."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime
from typing import Any

import pytest
from onepassword import Client
from onepassword.items import Items
from onepassword.secrets import Secrets
from onepassword.types import (
    Item,
    ItemListFilterByState,
    ItemListFilterByStateInner,
    ItemOverview,
    ResolveAllResponse,
    ResolveReferenceErrorFieldNotFound,
    ResolveReferenceErrorItemNotFound,
    ResolveReferenceErrorParsing,
    ResolveReferenceErrorTooManyItems,
    ResolveReferenceErrorVaultNotFound,
    VaultOverview,
)
from onepassword.vaults import Vaults

from infra.errors import SecretSourceError
from infra.sources.onepassword import resolve_with_client
from tests.fakes.onepassword import FakeClient, FakeItems, FakeSecrets, FakeVaults

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def op() -> FakeClient:
    return FakeClient(
        {
            "pulumi": {
                "prod-binstar-token": {"fields": {"credential": "tok-1"}, "updated_at": T0},
                "certificate-macos-installer": {
                    "fields": {"username": "base64-blob", "credential": "pw"},
                },
                "retired": {"fields": {"credential": "old"}, "archived": True},
            },
            "other": {"azure-token": {"fields": {"credential": "az"}}},
        },
        clock=lambda: T0,
    )


@pytest.mark.parametrize(
    ("real", "fake"),
    [
        (Secrets.resolve, FakeSecrets.resolve),
        (Secrets.resolve_all, FakeSecrets.resolve_all),
        (Items.list, FakeItems.list),
        (Items.get, FakeItems.get),
        (Items.put, FakeItems.put),
        (Vaults.list, FakeVaults.list),
    ],
    ids=lambda f: f.__qualname__,
)
def test_each_method_has_the_sdks_name_arguments_and_async_ness(real: Any, fake: Any) -> None:
    def shape(f: Any) -> list[tuple[str, Any, Any]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert real.__name__ == fake.__name__
    assert inspect.iscoroutinefunction(real)
    assert inspect.iscoroutinefunction(fake)
    assert shape(real) == shape(fake)


def test_the_client_exposes_the_same_api_attributes(op: FakeClient) -> None:
    for name in ("secrets", "items", "vaults"):
        assert name in Client.__annotations__
        assert hasattr(op, name)


def test_resolve_all_answers_per_reference_with_the_sdks_types(op: FakeClient) -> None:
    refs = [
        "op://pulumi/prod-binstar-token/credential",
        "op://pulumi/no-such-item/credential",
        "op://pulumi/prod-binstar-token/no-such-field",
        "op://no-such-vault/prod-binstar-token/credential",
        "pulumi/prod-binstar-token/credential",
        "op://pulumi/retired/credential",
    ]
    response = run(op.secrets.resolve_all(refs))
    assert isinstance(response, ResolveAllResponse)
    got = response.individual_responses
    assert got[refs[0]].content is not None
    assert got[refs[0]].content.secret == "tok-1"
    assert got[refs[0]].content.vault_id == op.vault_id("pulumi")
    assert isinstance(got[refs[1]].error, ResolveReferenceErrorItemNotFound)
    assert isinstance(got[refs[2]].error, ResolveReferenceErrorFieldNotFound)
    assert isinstance(got[refs[3]].error, ResolveReferenceErrorVaultNotFound)
    assert isinstance(got[refs[4]].error, ResolveReferenceErrorParsing)
    assert got[refs[5]].error is not None  # archived items do not resolve
    assert op.calls["secrets.resolve_all"] == 1


def test_duplicate_titles_are_ambiguous_as_in_1password(op: FakeClient) -> None:
    op.add_item("pulumi", "prod-binstar-token", fields={"credential": "tok-2"})
    ref = "op://pulumi/prod-binstar-token/credential"
    error = run(op.secrets.resolve_all([ref])).individual_responses[ref].error
    assert isinstance(error, ResolveReferenceErrorTooManyItems)


def test_resolve_raises_plain_exceptions_with_1passwords_messages(op: FakeClient) -> None:
    assert run(op.secrets.resolve("op://pulumi/certificate-macos-installer/username")) == (
        "base64-blob"
    )
    with pytest.raises(Exception, match="no item matched the secret reference query"):
        run(op.secrets.resolve("op://pulumi/nope/credential"))
    with pytest.raises(Exception, match='is not prefixed with "op://"'):
        run(op.secrets.resolve("invalid_reference"))


def test_the_projects_secret_source_works_against_the_fake(op: FakeClient) -> None:
    good = "op://pulumi/prod-binstar-token/credential"
    assert run(resolve_with_client(op, [good])) == {good: "tok-1"}
    with pytest.raises(SecretSourceError, match="itemNotFound"):
        run(resolve_with_client(op, [good, "op://pulumi/nope/credential"]))


def test_listing_returns_active_overviews_unless_filtered(op: FakeClient) -> None:
    vault_id = op.vault_id("pulumi")
    active = run(op.items.list(vault_id))
    assert all(isinstance(o, ItemOverview) for o in active)
    assert sorted(o.title for o in active) == ["certificate-macos-installer", "prod-binstar-token"]
    assert active[0].updated_at == datetime(2026, 1, 1)  # naive UTC, exactly as the SDK parses
    archived = ItemListFilterByState(
        content=ItemListFilterByStateInner(active=False, archived=True)
    )
    assert [o.title for o in run(op.items.list(vault_id, archived))] == ["retired"]
    assert op.calls["items.list"] == 2
    with pytest.raises(Exception, match="vault couldn't be found"):
        run(op.items.list("nosuchvaultid"))


def test_vaults_list_returns_overviews(op: FakeClient) -> None:
    vaults = run(op.vaults.list())
    assert all(isinstance(v, VaultOverview) for v in vaults)
    assert sorted(v.title for v in vaults) == ["other", "pulumi"]


def test_put_updates_fields_version_and_timestamp(op: FakeClient) -> None:
    later = datetime(2026, 3, 1, tzinfo=UTC)
    op.clock = lambda: later
    vault_id = op.vault_id("pulumi")
    [overview] = [o for o in run(op.items.list(vault_id)) if o.title == "prod-binstar-token"]
    item = run(op.items.get(vault_id, overview.id))
    assert isinstance(item, Item)
    item.fields[0].value = "tok-2"
    saved = run(op.items.put(item))
    assert saved.version == item.version + 1
    assert saved.updated_at == datetime(2026, 3, 1)
    assert op.field_value("pulumi", "prod-binstar-token", "credential") == "tok-2"


def test_put_with_a_stale_version_is_refused(op: FakeClient) -> None:
    vault_id = op.vault_id("pulumi")
    item_id = next(o.id for o in run(op.items.list(vault_id)) if o.title == "prod-binstar-token")
    stale = run(op.items.get(vault_id, item_id))
    run(op.items.put(stale))
    with pytest.raises(Exception, match="not up to date"):
        run(op.items.put(stale))


def test_get_of_an_unknown_item_raises(op: FakeClient) -> None:
    with pytest.raises(Exception, match="not found"):
        run(op.items.get(op.vault_id("pulumi"), "nosuchitem"))


def test_test_helpers_are_not_counted_as_calls(op: FakeClient) -> None:
    op.field_value("pulumi", "prod-binstar-token", "credential")
    op.item("pulumi", "prod-binstar-token")
    assert sum(op.calls.values()) == 0

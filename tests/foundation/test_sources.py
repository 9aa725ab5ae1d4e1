"""Secret sources.

One resolve_all round trip, every failure at once, nothing declared on failure.
"""

from __future__ import annotations

import os

import pytest

from infra.config.loader import load_project
from infra.errors import SecretSourceError
from infra.plan.engine import run_program
from infra.program import declare
from infra.sources.offline import PLACEHOLDER_PREFIX, OfflineSource
from infra.sources.onepassword import OnePasswordSource
from tests.conftest import REPO_ROOT

fake_op = pytest.importorskip("tests.fakes.onepassword", reason="the 1Password fake is not there")


def _seed_all(project) -> dict:
    """A fake vault holding every field the manifest references.

    Shaped as {vault: {item: {"fields": ...}}}.
    """
    seed: dict = {}
    for e in project.secrets:
        ref = e.secret.onepassword
        item = seed.setdefault(ref.vault, {}).setdefault(ref.item, {"fields": {}})
        item["fields"][ref.field] = f"value-of-{e.id}"
    return seed


def test_offline_source_is_deterministic_and_recognisable():
    project = load_project(REPO_ROOT, "prod")
    refs = [e.secret.onepassword for e in project.secrets]
    a, b = OfflineSource().resolve_all(refs), OfflineSource().resolve_all(refs)
    assert a == b
    assert all(v.startswith(PLACEHOLDER_PREFIX) for v in a.values())
    assert len(set(a.values())) == len(a)


def test_a_real_run_without_a_token_fails_closed(monkeypatch):
    monkeypatch.delenv("OP_SERVICE_ACCOUNT_TOKEN", raising=False)
    project = load_project(REPO_ROOT, "prod")
    with pytest.raises(SecretSourceError, match="OP_SERVICE_ACCOUNT_TOKEN is not set"):
        OnePasswordSource().resolve_all(e.secret.onepassword for e in project.secrets)


def test_1password_source_resolves_everything_in_one_round_trip():
    project = load_project(REPO_ROOT, "prod")
    client = fake_op.FakeClient(_seed_all(project))
    values = OnePasswordSource(client=client).resolve_all(
        e.secret.onepassword for e in project.secrets
    )
    assert len(values) == len({e.secret.onepassword.uri for e in project.secrets})
    assert client.calls["secrets.resolve_all"] == 1


def test_missing_items_are_all_reported_and_nothing_is_declared():
    project = load_project(REPO_ROOT, "prod")
    seed = _seed_all(project)
    del seed["pulumi"]["prod-binstar-token"]
    del seed["pulumi"]["heroku-email"]
    client = fake_op.FakeClient(seed)
    source = OnePasswordSource(client=client)
    errors: list[Exception] = []

    def program() -> None:
        try:
            declare(project, source)
        except SecretSourceError as exc:
            errors.append(exc)

    monitor = run_program("prod", program)
    (exc,) = errors
    assert "op://pulumi/prod-binstar-token/credential" in str(exc)
    assert "op://pulumi/heroku-email/credential" in str(exc)
    assert "value-of-" not in str(exc)
    assert monitor.registrations == {}, "nothing may be declared when a secret is missing"


def test_secret_values_never_reach_an_unmarked_input():
    """The plan refuses to finish if a placeholder appears outside a Pulumi secret (mask.py)."""
    from infra.plan.mask import Masker, SecretLeakError

    m = Masker(placeholders={PLACEHOLDER_PREFIX + "x": "op://v/i/f"}, fake_labels={})
    assert m.mask_inputs("t", "n", {"a": PLACEHOLDER_PREFIX + "x"}) == {"a": "[secret]"}
    with pytest.raises(SecretLeakError, match=r"t::n\.a"):
        m.raise_if_leaked()
    assert os.environ.get("CFINFRA_NEVER_SET") is None

"""``collect_status`` and its renderings, on the 1Password fake with a fixed clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.config.loader import load_manifest
from infra.config.manifest import EXPIRES_RECORDED, Secret, SecretEntry
from infra.rotation.policy import RotationState
from infra.rotation.render import markdown, summary
from infra.rotation.status import collect_status, counts, exit_code
from tests.conftest import REPO_ROOT
from tests.fakes.onepassword import FakeClient

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def entry(secret_id: str, vault: str = "pulumi", max_age_days: int = 180) -> SecretEntry:
    secret = Secret.model_validate(
        {
            "description": f"{secret_id} for tests",
            "owner": "core",
            "onepassword": {"vault": vault, "item": secret_id, "field": "credential"},
            "sensitivity": "internal",
            "cleared_for": "core",
            "rotation": {"max_age_days": max_age_days, "mode": "manual"},
        }
    )
    return SecretEntry(id=secret_id, file=f"secrets/{secret_id}.yaml", secret=secret)


def aged(days: float) -> dict[str, Any]:
    """An item whose value was set ``days`` ago (``value-set-at``) and that was edited just now
    (a tag, a title): only the former counts."""
    set_at = (NOW - timedelta(days=days)).isoformat(timespec="seconds")
    return {
        "fields": {
            "credential": "value-never-read",
            "value-set-at": {"value": set_at, "type": "Text", "section": "Rotation"},
        },
        "updated_at": NOW,
    }


def status(op: FakeClient, entries: list[SecretEntry]) -> Any:
    return asyncio.run(collect_status(op, entries, NOW))


def test_each_secret_gets_its_state_and_the_urgent_ones_come_first() -> None:
    op = FakeClient(
        {
            "pulumi": {"fresh": aged(10), "soon": aged(160), "late": aged(200)},
            "other": {"elsewhere": aged(1)},
        }
    )
    entries = [
        entry("fresh"),
        entry("soon"),
        entry("late"),
        entry("gone"),
        entry("elsewhere", "other"),
    ]
    rows = status(op, entries)
    assert [(r.secret_id, r.state) for r in rows] == [
        ("late", RotationState.OVERDUE),
        ("gone", RotationState.MISSING),
        ("soon", RotationState.DUE_SOON),
        ("fresh", RotationState.OK),
        ("elsewhere", RotationState.OK),
    ]
    late = rows[0]
    assert (late.age_days, late.due_on.isoformat()) == (200, "2026-05-12")  # type: ignore[union-attr]
    assert "no active item `gone`" in rows[1].note
    assert exit_code(rows) == 1


def test_one_listing_per_vault_however_many_secrets_and_no_value_is_read() -> None:
    op = FakeClient({"pulumi": {f"s{i}": aged(i) for i in range(40)}, "other": {"x": aged(1)}})
    entries = [entry(f"s{i}") for i in range(40)] + [entry("x", "other")]
    rows = status(op, entries)
    assert len(rows) == 41
    assert op.calls["vaults.list"] == 1
    assert op.calls["items.list"] == 2
    listed = [args[0] for method, args in op.call_log if method == "items.list"]
    assert sorted(listed) == sorted([op.vault_id("pulumi"), op.vault_id("other")])
    for reads_values in ("items.get", "secrets.resolve"):
        assert op.calls[reads_values] == 0
    # One round trip for the bookkeeping fields of all 41: no value is among them.
    assert op.calls["secrets.resolve_all"] == 1
    (refs,) = next(args for name, args in op.call_log if name == "secrets.resolve_all")
    assert len(refs) == 41
    assert all(ref.endswith("/value-set-at") for ref in refs)


def test_an_unknown_vault_makes_its_secrets_missing_without_listing_anything() -> None:
    op = FakeClient({"pulumi": {"a": aged(1)}})
    [row] = status(op, [entry("a", vault="nope")])
    assert row.state is RotationState.MISSING
    assert "vault `nope` not found" in row.note
    assert op.calls["items.list"] == 0


def test_archived_and_duplicated_items_are_missing() -> None:
    op = FakeClient({"pulumi": {"old": {**aged(1), "archived": True}, "twice": aged(1)}})
    op.add_item("pulumi", "twice", fields={"credential": "v"})
    rows = {r.secret_id: r for r in status(op, [entry("old"), entry("twice")])}
    assert rows["old"].state is RotationState.MISSING
    assert rows["twice"].state is RotationState.MISSING
    assert "ambiguous" in rows["twice"].note


def test_all_fresh_exits_0() -> None:
    op = FakeClient({"pulumi": {"a": aged(1)}})
    assert exit_code(status(op, [entry("a")])) == 0


def test_markdown_names_what_needs_action_and_links_the_runbook() -> None:
    op = FakeClient({"pulumi": {"late": aged(365), "fresh": aged(1)}})
    rows = status(op, [entry("late"), entry("fresh")])
    text = markdown(rows, NOW)
    assert text.startswith("## Secret rotation status, 2026-06-01 UTC")
    assert "Action needed: `late` (overdue)" in text
    assert "docs/runbooks/rotate-a-token.md" in text
    assert "| **overdue** | `late` | `pulumi/late` | 365 | manual, 180 d | 2025-11-28 |" in text
    assert summary(rows) == "1 overdue, 0 expiring, 0 missing, 0 due-soon, 1 ok"
    assert "value-never-read" not in text


def test_the_repositorys_manifest_reports_cleanly_when_every_item_is_fresh() -> None:
    entries = load_manifest(REPO_ROOT)
    seed: dict[str, dict[str, Any]] = {}
    for e in entries:
        ref = e.secret.onepassword
        # The kinds that always expire carry a recorded date (far enough ahead).
        item = with_expires(400) if e.secret.credential_kind in EXPIRES_RECORDED else aged(5)
        seed.setdefault(ref.vault, {})[ref.item] = item
    op = FakeClient(seed)
    rows = status(op, entries)
    assert exit_code(rows) == 0, [(r.secret_id, r.state, r.note) for r in rows if r.state.failing]
    assert op.calls["items.list"] == len(seed)


def automatic(secret_id: str, rotator: str = "anaconda") -> SecretEntry:
    base = entry(secret_id).secret.model_dump(mode="json", exclude_none=True)
    rotation: dict[str, Any] = {"max_age_days": 180, "mode": "automatic", "rotator": rotator}
    if rotator == "anaconda":
        rotation["anaconda"] = {
            "org": "conda-forge",
            "issuer": "anaconda-org-issuer-token",
            "issuer_api_key": "anaconda-org-issuer-api-key",
            "used_for": [{"consumer": "c", "channel": "conda-forge", "evidence": "e"}],
        }
    else:
        rotation["aws_iam_user"] = "cirun"
    base["rotation"] = rotation
    return SecretEntry(
        id=secret_id, file=f"secrets/{secret_id}.yaml", secret=Secret.model_validate(base)
    )


def bookkeeping(days: float, **fields: str) -> dict[str, Any]:
    item = aged(days)
    for title, value in fields.items():
        item["fields"][title] = {"value": value, "type": "Text", "section": "Rotation"}
    return item


def test_a_rotation_waiting_for_delivery_or_overlap_is_in_progress_not_due() -> None:
    stored = (NOW - timedelta(days=1)).isoformat()
    op = FakeClient(
        {
            "pulumi": {
                "delivering": bookkeeping(1, **{"value-set-at": stored}),
                "overlapping": bookkeeping(
                    3,
                    **{
                        "value-set-at": stored,
                        "delivered-at": stored,
                        "previous-token-name": "cf-2026-01-01",
                    },
                ),
                "done": bookkeeping(3, **{"value-set-at": stored, "delivered-at": stored}),
                "iam": bookkeeping(0, **{"previous-access-key-id": "AKIAOLD"}),
                "manual": aged(1),
            }
        }
    )
    entries = [
        automatic("delivering"),
        automatic("overlapping"),
        automatic("done"),
        automatic("iam", "aws-iam-access-key"),
        entry("manual"),
    ]
    rows = {r.secret_id: r for r in status(op, entries)}
    assert {k for k, r in rows.items() if r.in_progress} == {"delivering", "overlapping", "iam"}
    assert all(r.state is RotationState.OK for r in rows.values())
    assert exit_code(list(rows.values())) == 0  # not due: only --counts tells the workflow
    assert counts(list(rows.values())) == {
        "ok": 5,
        "due-soon": 0,
        "overdue": 0,
        "expiring": 0,
        "missing": 0,
        "in-progress": 3,
        "needs-action": 0,
    }
    # Only the automatic rotations' items are read, to see their bookkeeping.
    assert op.calls["items.get"] == 4
    # The bookkeeping fields only, in one round trip: never a value.
    assert op.calls["secrets.resolve"] == 0
    assert op.calls["secrets.resolve_all"] == 1
    (refs,) = next(args for name, args in op.call_log if name == "secrets.resolve_all")
    assert all(ref.endswith("/value-set-at") for ref in refs)


def test_a_tag_title_or_description_edit_does_not_make_an_old_value_new() -> None:
    item = aged(200)  # edited today (updated_at = now), value set 200 days ago
    rows = status(FakeClient({"pulumi": {"old": item}}), [entry("old")])
    assert rows[0].state is RotationState.OVERDUE
    assert rows[0].age_days == 200


def test_an_item_without_value_set_at_is_missing_and_says_how_to_record_it() -> None:
    item = {"fields": {"credential": "v"}, "updated_at": NOW - timedelta(days=3)}
    rows = status(FakeClient({"pulumi": {"bare": item}}), [entry("bare")])
    assert rows[0].state is RotationState.MISSING
    assert "bootstrap-ages" in rows[0].note
    assert exit_code(rows) == 1


def pat(secret_id: str) -> SecretEntry:
    base = entry(secret_id).secret.model_dump(mode="json", exclude_none=True)
    base["credential_kind"] = "azure-devops-pat"
    base["rotation"]["max_age_days"] = 365
    return SecretEntry(
        id=secret_id, file=f"secrets/{secret_id}.yaml", secret=Secret.model_validate(base)
    )


def with_expires(days_from_now: int) -> dict[str, Any]:
    item = aged(10)
    expires = (NOW + timedelta(days=days_from_now)).date().isoformat()
    item["fields"]["expires"] = {"value": expires, "type": "Text", "section": "Rotation"}
    return item


def test_a_pat_expiring_within_the_policys_window_is_expiring_and_fails() -> None:
    op = FakeClient({"pulumi": {"soon": with_expires(20), "later": with_expires(60)}})
    rows = {r.secret_id: r for r in status(op, [pat("soon"), pat("later")])}
    # 365 d policy: a window of 30 days.
    assert rows["soon"].state is RotationState.EXPIRING
    assert rows["later"].state is RotationState.OK
    assert exit_code(list(rows.values())) == 1
    assert "(expires)" in markdown(list(rows.values()), NOW)


def test_a_pat_without_a_recorded_expiry_is_missing() -> None:
    rows = status(FakeClient({"pulumi": {"pat": aged(10)}}), [pat("pat")])
    assert rows[0].state is RotationState.MISSING
    assert "`expires`" in rows[0].note

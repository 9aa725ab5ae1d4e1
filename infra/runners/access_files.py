"""Write ``access/<feedstock>.yaml`` in one canonical form, so tool edits are minimal diffs.

Canonical means: grants sorted by policy id, a grant's resources in ``resources.yaml`` order,
large-runner providers in ``providers.yaml`` order, fixed key order, unset keys omitted. Reading a
canonical file and writing it back gives the same bytes: that makes "grant, then revoke" a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from infra.config.kinds import schema_header
from infra.config.runners import CirunGrant, FeedstockAccess, RunnerData
from infra.config.yamlio import dump_yaml

_GRANT_KEYS = ("name", "id", "resources", "pull_request", "roles", "users", "users_from_json")


def _ordered(values: Sequence[str], order: Sequence[str]) -> list[str]:
    rank = {v: i for i, v in enumerate(order)}
    # Anything not in the reference order (refused by the rules anyway) sorts last, by name.
    return sorted(values, key=lambda v: (rank.get(v, len(rank)), v))


def _grant_dict(grant: CirunGrant, resource_order: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _GRANT_KEYS:
        value = getattr(grant, key)
        if value is None:
            continue
        if key == "resources":
            value = _ordered(value, resource_order)
        elif key == "roles":
            value = [str(r) for r in value]
        out[key] = value
    return out


def render_access_file(
    feedstock: str,
    access: FeedstockAccess,
    resource_order: Sequence[str],
    provider_order: Sequence[str],
) -> str:
    """The canonical text of one feedstock's access file."""
    doc: dict[str, Any] = {}
    if access.cirun:
        grants = sorted(access.cirun, key=lambda g: g.policy_id(feedstock))
        doc["cirun"] = [_grant_dict(g, resource_order) for g in grants]
    if access.large_runners:
        doc["large_runners"] = _ordered(access.large_runners, provider_order)
    # The header of an access file in the default data folder (docs/runners.md).
    return schema_header(f"data/runners/access/{feedstock}.yaml") + dump_yaml(doc)


def canonical_text(data: RunnerData, feedstock: str, access: FeedstockAccess) -> str:
    return render_access_file(
        feedstock, access, [r.label for r in data.resources], [p.id for p in data.providers]
    )


def access_text(data: RunnerData, feedstock: str, access: FeedstockAccess | None) -> str | None:
    """One access file's canonical text; None (delete the file) for ``None`` or empty access."""
    if access is None or (not access.cirun and not access.large_runners):
        return None
    return canonical_text(data, feedstock, access)

"""The rendered Markdown of every fixture, compared with committed snapshots.

Re-bless after an intended change with:

    CFINFRA_BLESS=1 uv run pytest tests/drift/test_drift_snapshots.py
"""

from __future__ import annotations

import os

import pytest

from infra.drift.report import parse_preview, render_markdown
from tests.drift.drift_helpers import SNAPSHOTS, fixture_names, read_fixture

BLESS_HINT = "CFINFRA_BLESS=1 uv run pytest tests/drift/test_drift_snapshots.py"


@pytest.mark.parametrize("name", fixture_names())
def test_rendered_report_matches_snapshot(name: str) -> None:
    rendered = render_markdown(parse_preview(read_fixture(name)))
    snapshot = SNAPSHOTS / f"{name}.md"
    if os.environ.get("CFINFRA_BLESS") == "1":
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(rendered, encoding="utf-8", newline="\n")
    assert snapshot.exists(), f"no snapshot for {name}; create it with: {BLESS_HINT}"
    expected = snapshot.read_text(encoding="utf-8")
    assert rendered == expected, f"{snapshot} is stale; if the change is intended: {BLESS_HINT}"


def test_every_snapshot_has_a_fixture() -> None:
    """A renamed or deleted fixture must not leave an orphan snapshot that nothing checks."""
    orphans = sorted({p.stem for p in SNAPSHOTS.glob("*.md")} - set(fixture_names()))
    assert not orphans, f"snapshots without a fixture: {orphans}"

"""The rendered Markdown of every preview fixture, compared with committed snapshots.

Accept an intended change with `uv run pytest --snapshot-update` (tests/snapshots.py); a snapshot
whose fixture is gone is reported as unused and fails the run.
"""

from __future__ import annotations

import pytest

from infra.drift.report import parse_preview, render_markdown
from tests.drift.drift_helpers import fixture_names, read_fixture


@pytest.mark.parametrize("name", fixture_names())
def test_rendered_report_matches_snapshot(name: str, md_snapshot) -> None:
    assert render_markdown(parse_preview(read_fixture(name))) == md_snapshot

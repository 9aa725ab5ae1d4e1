"""Fixtures for the drift-report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drift.drift_helpers import FIXTURES


@pytest.fixture
def fixtures_dir() -> Path:
    """The directory of `pulumi preview --json` fixture files."""
    return FIXTURES

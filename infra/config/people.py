"""People and teams of the GitHub organisation, as data files. (Filled in by the GitHub org work.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.errors import Problem


def load_people(root: Path, config: Any) -> tuple[Any, list[Problem]]:
    """Load and validate people/team data files. Returns (data or None, problems)."""
    return None, []

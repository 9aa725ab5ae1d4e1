"""``cfinfra:runners``: CI runners, the GPU hosts and per-feedstock access. (Filled in by the runners work.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.config.base import Model
from infra.errors import Problem


class RunnersConfig(Model):
    """Runner settings in the stack file."""


def load_runners(root: Path, config: Any) -> tuple[Any, list[Problem]]:
    """Load and validate runner data files. Returns (data or None, problems)."""
    return None, []

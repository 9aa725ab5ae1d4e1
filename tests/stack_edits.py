"""Helpers that break a copy of a stack (`fixture_copy`, `project_copy`) and read the verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.loader import load_project
from infra.errors import ConfigError


def edit_yaml(path: Path, fn: Callable[[Any], object]) -> None:
    """Apply ``fn`` to the loaded document and write it back (comments are not kept)."""
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def stack_of(root: Path) -> str:
    """The one stack whose file `root` holds: `fixture` in a fixture copy, `prod` in a prod copy."""
    (stack,) = [p.name.split(".")[1] for p in root.glob("Pulumi.*.yaml")]
    return stack


def problems_of(root: Path, stack: str | None = None) -> list[str]:
    """Every problem loading the stack at ``root`` reports (it must fail)."""
    with pytest.raises(ConfigError) as info:
        load_project(root, stack or stack_of(root))
    return [str(p) for p in info.value.problems]


def refused_by_validate(root: Path, stack: str) -> str:
    """Run the real ``cfinfra validate`` on ``root`` and return its output, asserting it refused:
    exit 3 when a leak is among the problems, 2 otherwise, and never a traceback."""
    from typer.testing import CliRunner

    from infra.cli import app

    result = CliRunner().invoke(app, ["validate", "--stack", stack, "--root", str(root)])
    expected = 3 if "LEAK:" in result.output else 2
    assert result.exit_code == expected, result.output
    assert "Traceback" not in result.output
    return result.output

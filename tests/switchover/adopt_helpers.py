"""Shared helpers for the adoption tests: the YAML project fixtures and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "yaml-projects"
PROJECTS = ("sync-secrets-gha", "sync-secrets-azure", "sync-secrets-heroku")
runner = CliRunner()


def project_dirs(base: Path = FIXTURES) -> list[Path]:
    return [base / name for name in PROJECTS]


def copy_projects(dest: Path) -> Path:
    """A throw-away copy of the three YAML projects, to edit."""
    for name in PROJECTS:
        shutil.copytree(FIXTURES / name, dest / name)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) by ``new`` in ``path``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"expected exactly one {old!r} in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def write_project(folder: Path, body: str) -> Path:
    """A minimal Pulumi YAML project with ``body`` (variables/resources) appended."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(
        f"name: {folder.name}\nruntime: yaml\nconfig:\n  github:owner: {{value: conda-forge}}\n"
        + body,
        encoding="utf-8",
    )
    return folder

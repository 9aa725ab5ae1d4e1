"""Every data file names its published JSON Schema on its first line, so editors validate it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.config.kinds import KINDS, kind_of, schema_header
from tests.conftest import REPO_ROOT


def _data_files(root: Path) -> list[Path]:
    files = [*root.glob("Pulumi.*.yaml"), *root.glob("secrets/*"), *root.glob("data/**/*.yaml")]
    return sorted(p for p in files if p.is_file())


def test_every_yaml_data_file_is_of_a_known_kind() -> None:
    unknown = [p.relative_to(REPO_ROOT).as_posix() for p in _data_files(REPO_ROOT)]
    unknown = [rel for rel in unknown if kind_of(rel) is None]
    assert unknown == []


def test_every_data_file_starts_with_its_schema_header() -> None:
    wrong = []
    for path in _data_files(REPO_ROOT):
        rel = path.relative_to(REPO_ROOT).as_posix()
        first = path.read_text(encoding="utf-8").split("\n", 1)[0] + "\n"
        if first != schema_header(rel):
            wrong.append(f"{rel}: first line must be {schema_header(rel)!r}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.schema)
def test_the_header_points_at_a_published_schema(kind) -> None:
    published = REPO_ROOT / kind.schema_path
    assert json.loads(published.read_text(encoding="utf-8"))["$schema"].startswith("https://")


def test_the_header_is_relative_to_the_file() -> None:
    assert schema_header("secrets/x.yaml") == (
        "# yaml-language-server: $schema=../docs/reference/secret.schema.json\n"
    )
    assert schema_header("data/github/repositories/.cirun.yaml") == (
        "# yaml-language-server: $schema=../../../docs/reference/repository.schema.json\n"
    )
    assert schema_header("README.md") == ""

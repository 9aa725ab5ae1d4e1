"""The committed JSON Schemas are the ones the models generate."""

from __future__ import annotations

from infra.docs.schema import render_schemas
from tests.conftest import REPO_ROOT


def test_committed_schemas_are_current():
    stale = [
        str(rel)
        for rel, text in render_schemas().items()
        if not (REPO_ROOT / "docs" / rel).is_file()
        or (REPO_ROOT / "docs" / rel).read_text() != text
    ]
    assert not stale, f"stale schemas {stale}: regenerate with `uv run cfinfra schema`"


def test_every_field_is_documented():
    import json

    for rel, text in render_schemas().items():
        schema = json.loads(text)
        for name, model in schema.get("$defs", {}).items():
            for field, spec in model.get("properties", {}).items():
                assert spec.get("description"), f"{rel}: {name}.{field} has no description"

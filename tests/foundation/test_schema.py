"""Every field of every published JSON Schema is documented (staleness: tests/docs)."""

from __future__ import annotations

from infra.docs.schema import render_schemas


def test_every_field_is_documented():
    import json

    for rel, text in render_schemas().items():
        schema = json.loads(text)
        for name, model in schema.get("$defs", {}).items():
            for field, spec in model.get("properties", {}).items():
                assert spec.get("description"), f"{rel}: {name}.{field} has no description"

"""The JSON Schemas of the stack file and of a manifest entry, generated from the Pydantic models.

Editors (via ``# yaml-language-server: $schema=...``), the docs and reviewers read the same schema
the program validates with. ``render_schemas`` is pure; ``write_schemas`` writes them under
``docs/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from infra.config.manifest import Secret
from infra.config.stack import StackFile

SCHEMA_DIR = Path("reference")
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "stack-config.schema.json": (StackFile, "Pulumi.<stack>.yaml of conda-forge-infra"),
    "secret.schema.json": (
        Secret,
        "A secrets manifest entry (secrets/<id>.yaml) of conda-forge-infra",
    ),
}


def render_schemas() -> dict[Path, str]:
    """Schema file (relative to ``docs/``) → its JSON text, deterministic."""
    out = {}
    for filename, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **schema,
            "title": title,
        }
        out[SCHEMA_DIR / filename] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(docs_dir: Path) -> list[Path]:
    """Write every schema under ``docs_dir``; returns the paths written."""
    written = []
    for rel, text in render_schemas().items():
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

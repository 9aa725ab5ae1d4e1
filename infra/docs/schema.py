"""The JSON Schema of every data file kind (``infra.config.kinds``), generated from its model.

Editors (via the ``# yaml-language-server: $schema=...`` line every data file starts with), the docs
and reviewers read the same schema the program validates with. ``render_schemas`` is pure;
``cfinfra docs`` writes them under ``docs/reference/`` with the rest of the generated docs.
"""

from __future__ import annotations

import json
from pathlib import Path

from infra.config.kinds import KINDS

SCHEMA_DIR = Path("reference")


def render_schemas() -> dict[Path, str]:
    """Schema file (relative to ``docs/``) → its JSON text, deterministic."""
    out = {}
    for kind in KINDS:
        schema = kind.model.model_json_schema(by_alias=True, mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **schema,
            "title": f"{kind.title} of conda-forge-infra",
        }
        out[SCHEMA_DIR / kind.schema] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out

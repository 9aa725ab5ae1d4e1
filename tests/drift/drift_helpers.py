"""Helpers for the drift-report tests: fixture files and tiny hand-built previews.

A plain module (not ``conftest``), imported as ``tests.drift.drift_helpers``, so it cannot clash
with the repository's top-level ``tests/conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "preview"
URN_PREFIX = "urn:pulumi:prod::conda-forge-infra::"
ROOT_URN = URN_PREFIX + "pulumi:pulumi:Stack::conda-forge-infra-prod"


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.json"))


def read_fixture(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text(encoding="utf-8")


def one_update(
    prop: str,
    old: Any,
    new: Any,
    *,
    type_: str = "github:index/repository:Repository",
    name: str = "staged-recipes",
) -> str:
    """A preview holding one `update` of one property, as JSON text."""
    urn = f"{URN_PREFIX}{type_}::{name}"
    return json.dumps(
        {
            "steps": [
                {"op": "same", "urn": ROOT_URN},
                {
                    "op": "update",
                    "urn": urn,
                    "oldState": {"urn": urn, "inputs": {prop: old}, "outputs": {prop: old}},
                    "newState": {"urn": urn, "inputs": {prop: new}, "outputs": {}},
                    "diffReasons": [prop],
                    "detailedDiff": {prop: {"kind": "update", "inputDiff": True}},
                },
            ],
            "diagnostics": [],
            "changeSummary": {"update": 1},
        }
    )

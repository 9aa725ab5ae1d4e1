"""Strict YAML reading.

Duplicate keys are errors, and a broken file is a Problem, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from infra.errors import Problem

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Base):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def display_path(path: Path, root: Path | None) -> str:
    """A path relative to the project root where possible, so messages read the same everywhere."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def load_yaml(path: Path, root: Path | None = None) -> tuple[Any, list[Problem]]:
    """Parse one YAML file. Returns ``(data, problems)``; data is None when the file is unusable."""
    shown = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(shown, "", f"cannot read file: {exc.__class__.__name__}")]
    try:
        return yaml.load(text, Loader=StrictLoader), []  # noqa: S506 - StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(shown, where, f"invalid YAML: {what}")]


def dump_yaml(data: Any) -> str:
    """Deterministic block-style YAML, keys in the order given."""
    return yaml.safe_dump(
        data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
    )

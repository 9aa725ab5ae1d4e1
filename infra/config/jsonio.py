"""The one way this project reads JSON from outside: the same limits as the YAML reader.

Every JSON file a command is handed (a ``pulumi preview --json``, a ``pulumi stack export``, a
reviewed change set, a plan, a snapshot of the live state, an id map) goes through ``load_json``,
and every failure is one ``Problem``: never a traceback, a hang or a crash. What it refuses:

- anything that is not a regular file or ``-`` (standard input): a FIFO would block forever, a
  device never ends (``yamlio.read_text``, shared with the YAML reader);
- files over ``MAX_BYTES``;
- nesting deeper than ``MAX_DEPTH``: Python's decoder recurses once per level (100,000 ``[`` is a
  ``RecursionError``), and so does every reader after it;
- integers longer than ``MAX_INT_DIGITS`` digits (Python refuses over 4,300 digits with a
  ``ValueError`` and a long one costs quadratic time), floats longer than ``MAX_FLOAT_CHARS``
  characters or not finite, and ``NaN``/``Infinity`` (not JSON, but accepted by Python);
- duplicate keys (Python silently keeps the last one, another reader may keep the first);
- a top-level value of the wrong kind (``expect``): a list where an object belongs.

``parse_yaml`` (``infra.config.yamlio``) is the reader for YAML that arrives *inside* such JSON
(a file's body in a snapshot): the same reader as the stack's own data.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from infra.config.yamlio import STDIN, display_path, read_text
from infra.errors import Problem

MAX_BYTES = 64 * 1024 * 1024
"""Largest JSON file read (a preview or stack export of the production stack is a few MB)."""
MAX_DEPTH = 64
"""Deepest nesting of objects and arrays (a provider's state nests about ten levels)."""
MAX_INT_DIGITS = 40
"""Longest integer (an id or a count: GitHub's are under 20 digits)."""
MAX_FLOAT_CHARS = 40
"""Longest written float."""


class _Refused(Exception):
    pass


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"a number longer than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_FLOAT_CHARS:
        raise _Refused(f"a number longer than {MAX_FLOAT_CHARS} characters")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("a number too large for a float")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"`{name}` is not JSON")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {key[:60]!r}")
        out[key] = value
    return out


def _too_deep(data: Any) -> bool:
    """Nesting beyond ``MAX_DEPTH``, found without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        children = list(value.values()) if isinstance(value, dict) else value
        if depth > MAX_DEPTH:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


_KINDS: dict[type, str] = {dict: "an object", list: "an array"}


def parse_json(text: str, shown: str, expect: type | None = dict) -> tuple[Any, list[Problem]]:
    """Parse JSON text under every limit; ``(data, problems)``, data None when refused.

    ``expect`` is the type the top-level value must have (an object by default; None: any).
    """

    def refuse(where: str, why: str) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, where, why)]

    if not text.strip():
        return refuse("", "empty (no JSON in it)")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except _Refused as exc:
        return refuse("", str(exc))
    except json.JSONDecodeError as exc:
        return refuse(f"line {exc.lineno}, column {exc.colno}", f"not JSON: {exc.msg}")
    except RecursionError:
        return refuse("", f"nested deeper than {MAX_DEPTH} levels")
    except (ValueError, OverflowError) as exc:
        return refuse("", f"not JSON: {exc.__class__.__name__}")
    if _too_deep(data):
        return refuse("", f"nested deeper than {MAX_DEPTH} levels")
    if expect is not None and not isinstance(data, expect):
        found = _KINDS.get(type(data), "a single value")
        return refuse(
            "", f"expected {_KINDS.get(expect, expect.__name__)} at the top level, found {found}"
        )
    return data, []


def load_json(
    path: Path, root: Path | None = None, *, expect: type | None = dict
) -> tuple[Any, list[Problem]]:
    """Read and parse one JSON file (``-``: standard input) from anywhere: a file named on the
    command line is not confined to the project."""
    text, problems = read_text(path, root, confine=False, max_bytes=MAX_BYTES)
    if text is None:
        return None, problems
    shown = "standard input" if str(path) == STDIN else display_path(path, root)
    return parse_json(text, shown, expect)

"""Reading a snapshot: a JSON object `{"GET <REST path>": decoded response body}`.

The format is documented in docs/snapshot.md, with its JSON Schema in
docs/reference/snapshot.schema.json. A snapshot can be written by `cfinfra snapshot` or by hand with
`gh api --paginate` (pages of a list concatenated into one array).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.errors import Problem

KEY_PREFIXES = ("GET /", "GET https://")
META_KEY = "_meta"


class SnapshotError(Exception):
    """The snapshot cannot be read; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Snapshot:
    """A loaded snapshot: responses by REST path (without the `GET ` prefix)."""

    file: str
    responses: dict[str, Any]
    meta: dict[str, Any]

    def get(self, path: str) -> Any:
        """The recorded body of `GET path`, or None when it was not recorded."""
        return self.responses.get(path)

    def has(self, path: str) -> bool:
        return path in self.responses

    def under(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """Recorded (path, body) pairs whose path starts with ``prefix``, sorted."""
        for path in sorted(self.responses):
            if path.startswith(prefix):
                yield path, self.responses[path]


def parse_snapshot(data: Any, shown: str) -> Snapshot:
    if not isinstance(data, dict):
        raise SnapshotError([Problem(shown, "", "expected a JSON object of `GET <path>` keys")])
    problems = []
    responses: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for key, body in data.items():
        if key == META_KEY:
            meta = body if isinstance(body, dict) else {}
            continue
        if not isinstance(key, str) or not key.startswith(KEY_PREFIXES):
            problems.append(
                Problem(shown, str(key), "a key is `GET /<GitHub REST path>` or `GET https://...`")
            )
            continue
        responses[key.removeprefix("GET ")] = body
    if problems:
        raise SnapshotError(problems)
    return Snapshot(shown, responses, meta)


def load_snapshot(path: Path) -> Snapshot:
    """Load and check a snapshot file (``-``: stdin) through the project's hardened JSON reader
    (`infra.config.jsonio`: size, nesting, number limits, duplicate keys, regular files only);
    raises SnapshotError (exit 2 in the CLI)."""
    from infra.config.jsonio import load_json

    data, problems = load_json(path)
    if problems:
        raise SnapshotError(problems)
    return parse_snapshot(data, str(path))


def file_text(body: Any) -> str | None:
    """The text of a recorded `GET /repos/{o}/{r}/contents/{path}` (base64 content), or None."""
    if not isinstance(body, dict) or body.get("encoding") != "base64":
        return None
    try:
        return base64.b64decode(str(body.get("content", "")), validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None

"""No credential in a clear-text input: every string of every data file is asked of a scanner.

Values never live in this repository's files: the stack file, the manifest and the data folders are
public, and what they hold is published as plain resource inputs (descriptions, URLs, file
contents, config vars not marked sensitive). A token pasted into any of them would be published
with it, so every string (and every key) is scanned before anything else reads it.

The scanner is `detect-secrets <https://github.com/Yelp/detect-secrets>`_ (the same one
``infra.secretscan`` runs on reports): token formats of GitHub, AWS, Slack, PyPI, Stripe, JWTs,
private keys, basic-auth URLs and high-entropy base64/hex strings, in its ordinary mode. Each value
is scanned whole (quoted, under a neutral name, so the keyword plugin judges the value and not the
key it sits under) and word by word (a token inside a sentence). Results are cached per value, so
the project's thousand strings are scanned once per process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from infra.errors import Problem, format_loc

MIN_LENGTH = 8
"""Shorter strings are not scanned (no credential format is that short)."""

_WORD = re.compile(r"[^\s\"'`<>()\[\]{},;]{16,}")
_CACHE: dict[str, tuple[str, ...]] = {}
_PLUGINS: list[Any] | None = None
"""The scanner's plugins, set up by the first scan inside a ``scanning()`` block."""
_settings: ExitStack | None = None
_depth = 0


@contextmanager
def scanning() -> Iterator[None]:
    """Hold the scanner's default settings (and its plugins) for every scan inside the block.

    Switching the process-global settings in and out costs more than scanning a file's strings, so
    a project load switches once, not once per file. The settings inside are the same either way.
    They are set up by the block's first scan, not by the block: a load whose files were all
    scanned already (``infra.config.prefetch``) never imports the scanner.
    """
    global _PLUGINS, _settings, _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _settings is not None:
            settings, _settings, _PLUGINS = _settings, None, None
            settings.close()


def _plugins() -> list[Any]:
    """The plugins under the scanner's default settings (call inside a ``scanning()`` block)."""
    global _PLUGINS, _settings
    if _PLUGINS is None:
        from detect_secrets.core.scan import get_plugins
        from detect_secrets.settings import default_settings

        settings = ExitStack()
        settings.enter_context(default_settings())
        _settings, _PLUGINS = settings, get_plugins()
    return _PLUGINS


def _scan(values: Iterable[str]) -> None:
    todo = sorted({v for v in values if len(v) >= MIN_LENGTH and v not in _CACHE})
    if not todo:
        return
    from detect_secrets.util.code_snippet import get_code_snippet

    with scanning():
        plugins = _plugins()
        for value in todo:
            lines = [f"value = {json.dumps(value)}"]
            lines += [f"word = {json.dumps(w)}" for w in _WORD.findall(value) if w != value]
            kinds: set[str] = set()
            for line in lines:
                context = get_code_snippet(lines=[line], line_number=1)
                for plugin in plugins:
                    for secret in plugin.analyze_line(
                        filename="cfinfra-input", line=line, line_number=1, context=context
                    ):
                        kinds.add(str(secret.type))
            _CACHE[value] = tuple(sorted(kinds))


def credential_kinds(value: str) -> tuple[str, ...]:
    """The kinds of credential ``value`` looks like (sorted), empty when it looks harmless."""
    _scan([value])
    return _CACHE.get(value, ())


def _strings(node: Any, loc: list[str | int]) -> Iterator[tuple[list[str | int], str, bool]]:
    """Every string of a loaded document: (key path, string, is it a key)."""
    if isinstance(node, str):
        yield loc, node, False
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield [*loc, key], key, True
            yield from _strings(value, [*loc, key if isinstance(key, str) else str(key)])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, [*loc, i])


def credential_problems(data: Any, file: str) -> list[Problem]:
    """A problem for every string of ``data`` that looks like a credential (never the value)."""
    found = list(_strings(data, []))
    _scan(s for _, s, _ in found)
    problems = []
    for loc, text, is_key in found:
        kinds = _CACHE.get(text, ())
        if kinds:
            what = "this key" if is_key else "this value"
            problems.append(
                Problem(
                    file,
                    format_loc(loc),
                    f"{what} looks like a credential ({', '.join(kinds)}): values live in "
                    "1Password, never in this repository (if it is one, rotate it now)",
                )
            )
    return problems

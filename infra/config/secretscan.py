"""Does a clear-text string look like a credential? The one scanner, for data files and reports.

Asked of every string (and key) of every data file before anything else reads it (the stack file,
the manifest, the data folders' YAML and CSV files, runner requests): what they hold is public, and
a token pasted into any of them would be published with it. Asked again of every value a report
prints (the PR diff, the drift report), where a match is masked.

The answer comes from `detect-secrets <https://github.com/Yelp/detect-secrets>`_ (Yelp's maintained
scanner: token formats of GitHub, AWS, Slack, PyPI, Stripe, JWTs, private keys, basic-auth URLs,
``password = ...`` keywords, and high-entropy base64/hex strings), in its ordinary (non-eager)
mode, not from patterns written here. Two passes per value:

1. the value as a quoted string after a name (``name = "value"``), which is what the keyword and
   the high-entropy plugins expect. A data file's value is scanned under a neutral name, so the
   keyword plugin judges the value and not the key it sits under; a report's value under its
   property name;
2. each whitespace-separated word of 16 characters or more, quoted on its own, so a token pasted
   into a sentence (``rotated: ghp_...``) is found too.

A false positive refuses or masks a harmless value (a reader looks it up); a false negative
publishes a credential. Results are cached per value. The scanner's settings are process-global:
every scan runs inside ``scanning()``, which restores them after.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from infra.errors import Problem, format_loc

MIN_LENGTH = 8
"""Shorter strings are not scanned (no credential format is that short)."""

_WORD = re.compile(r"[^\s\"'`<>()\[\]{},;]{16,}")
_CACHE: dict[tuple[str, str], tuple[str, ...]] = {}
_PLUGINS: list[Any] | None = None
"""The scanner's plugins while a ``scanning()`` block holds its default settings."""


@contextmanager
def scanning() -> Iterator[None]:
    """Hold the scanner's default settings (and its plugins) for every scan inside the block.

    Switching the process-global settings in and out costs more than scanning a file's strings, so
    a project load switches once, not once per file. The settings inside are the same either way.
    """
    global _PLUGINS
    if _PLUGINS is not None:
        yield
        return
    from detect_secrets.core.scan import get_plugins
    from detect_secrets.settings import default_settings

    with default_settings():
        _PLUGINS = get_plugins()
        try:
            yield
        finally:
            _PLUGINS = None


def _secrets_in(line: str) -> Iterator[Any]:
    """detect-secrets' findings on one line (call inside a ``scanning()`` block)."""
    from detect_secrets.util.code_snippet import get_code_snippet

    context = get_code_snippet(lines=[line], line_number=1)
    for plugin in _PLUGINS or []:
        yield from plugin.analyze_line(
            filename="cfinfra-input", line=line, line_number=1, context=context
        )


def _key(name: str) -> str:
    """A property path's last segment as a plain identifier (what the keyword plugin reads)."""
    last = re.split(r"[.\[\]\"]+", name.strip('.[]"'))[-1] if name else "value"
    return re.sub(r"\W", "_", last) or "value"


def _scan(values: Iterable[str], name: str = "value") -> None:
    key = _key(name)
    todo = sorted({v for v in values if len(v) >= MIN_LENGTH and (key, v) not in _CACHE})
    if not todo:
        return
    with scanning():
        for value in todo:
            lines = [f"{key} = {json.dumps(value)}"]
            lines += [f"word = {json.dumps(w)}" for w in _WORD.findall(value) if w != value]
            kinds = {str(secret.type) for line in lines for secret in _secrets_in(line)}
            _CACHE[(key, value)] = tuple(sorted(kinds))


def credential_kinds(value: str, name: str = "value") -> tuple[str, ...]:
    """The kinds of credential ``value`` looks like (sorted), empty when it looks harmless.

    ``name`` is the property it sits under, for a report's value (the keyword plugin reads it).
    """
    _scan([value], name)
    return _CACHE.get((_key(name), value), ())


def looks_like_credential(value: str, name: str = "value") -> bool:
    return bool(credential_kinds(value, name))


JUDGED_KINDS = frozenset(
    {"Base64 High Entropy String", "Hex High Entropy String", "Secret Keyword"}
)
"""The kinds found by judgement, not by a token format: randomness, or a word such as ``secret:``
before the string. Only these take a long name joined from harmless words for a credential (a
report's own ``inputs no longer secret: `a.b.secret``` included); ``infra.markdown`` tells the
two apart."""


def _whole_matches(line: str) -> Iterator[tuple[str, str]]:
    """(token, kind) for every whole match of the format plugins' published patterns.

    A format plugin reports what its pattern's group captured, and for some formats that is only
    a prefix (GitHub's ``(ghp|gho|...)_[A-Za-z0-9_]{36}`` reports ``ghp``): masking that would
    leave the token itself in a report. The whole match is the token.
    """
    from detect_secrets.plugins.base import RegexBasedDetector

    for plugin in _PLUGINS or []:
        if isinstance(plugin, RegexBasedDetector):
            for pattern in plugin.denylist:
                for m in pattern.finditer(line):
                    yield m.group(0), str(plugin.secret_type)


def credential_findings(text: str) -> dict[str, frozenset[str]]:
    """The substrings of free text (a diagnostic, a log line) the scanner takes for credentials,
    each with the kinds it was found as."""
    found: dict[str, set[str]] = {}
    with scanning():
        for raw in text.splitlines() or [text]:
            for line in [raw, *(f"word = {json.dumps(w)}" for w in _WORD.findall(raw))]:
                for s in _secrets_in(line):
                    if s.secret_value:
                        found.setdefault(s.secret_value, set()).add(str(s.type))
            for token, kind in _whole_matches(raw):
                found.setdefault(token, set()).add(kind)
    return {span: frozenset(kinds) for span, kinds in found.items()}


def credential_spans(text: str) -> list[str]:
    """The substrings of free text the scanner takes for credentials, longest first."""
    return sorted(credential_findings(text), key=len, reverse=True)


def redact(value: str, known: Iterable[str] = (), mask: str = "[secret]") -> str:
    """``value`` with every known secret and every credential-looking span replaced by ``mask``."""
    out = value
    for secret in sorted({s for s in known if len(s) >= 4}, key=len, reverse=True):
        out = out.replace(secret, mask)
    for span in credential_spans(out):
        if span != mask and len(span) >= 4:
            out = out.replace(span, mask)
    return out


# --- data files ----------------------------------------------------------------------------------


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
    """A problem for every string of ``data`` that looks like a credential (never the value).

    ``data`` is a loaded document: a YAML file's, or a CSV file's as ``{"row N": {column:
    cell}}`` (its problems then read ``row N, column name``).
    """
    with scanning():
        found = list(_strings(data, []))
        _scan(s for _, s, _ in found)
    problems = []
    for loc, text, is_key in found:
        kinds = _CACHE.get(("value", text), ())
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

"""Does a clear-text value look like a credential? Asked of every value a public report prints.

The answer comes from `detect-secrets <https://github.com/Yelp/detect-secrets>`_ (Yelp's maintained
scanner: token formats of GitHub, AWS, Slack, PyPI, Stripe, JWTs, private keys, basic-auth URLs,
``password = ...`` keywords, and high-entropy base64/hex strings), not from patterns written here.

Two passes per value, both in the scanner's ordinary (non-eager) mode:

1. the value as a quoted string after its property name (``name = "value"``), which is what the
   keyword and the high-entropy plugins expect;
2. each whitespace-separated word of 16 characters or more, quoted on its own, so a token pasted
   into a description (``rotated: ghp_...``) is found too.

A false positive masks a harmless value (a reader looks it up in the run log); a false negative
puts a credential in a public issue. The scanner's settings are process-global, so every scan runs
inside ``default_settings()`` and restores them after.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[^\s\"'`<>()\[\]{},;]{16,}")


def _line_findings(line: str) -> set[str]:
    from detect_secrets.core.scan import get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    context = get_code_snippet(lines=[line], line_number=1)
    found: set[str] = set()
    for plugin in get_plugins():
        for secret in plugin.analyze_line(
            filename="cfinfra-report", line=line, line_number=1, context=context
        ):
            found.add(str(secret.type))
    return found


@lru_cache(maxsize=4096)
def findings(value: str, name: str = "value") -> tuple[str, ...]:
    """The kinds of credential ``value`` looks like (sorted), empty when it looks harmless."""
    from detect_secrets.settings import default_settings

    if len(value) < 8:
        return ()
    lines = [f"{_key(name)} = {json.dumps(value)}"]
    lines += [f"word = {json.dumps(w)}" for w in _WORD.findall(value) if w != value]
    found: set[str] = set()
    with default_settings():
        for line in lines:
            found |= _line_findings(line)
    return tuple(sorted(found))


def looks_like_credential(value: str, name: str = "value") -> bool:
    return bool(findings(value, name))


def credential_spans(value: str) -> list[str]:
    """The substrings of free text (a diagnostic, a log line) the scanner takes for credentials."""
    from detect_secrets.settings import default_settings

    spans: set[str] = set()
    with default_settings():
        from detect_secrets.core.scan import get_plugins
        from detect_secrets.util.code_snippet import get_code_snippet

        for raw in value.splitlines() or [value]:
            candidates = [raw, *(f"word = {json.dumps(w)}" for w in _WORD.findall(raw))]
            for line in candidates:
                context = get_code_snippet(lines=[line], line_number=1)
                for plugin in get_plugins():
                    for secret in plugin.analyze_line(
                        filename="cfinfra-report", line=line, line_number=1, context=context
                    ):
                        if secret.secret_value:
                            spans.add(secret.secret_value)
    return sorted(spans, key=len, reverse=True)


def redact(value: str, known: Iterable[str] = (), mask: str = "[secret]") -> str:
    """``value`` with every known secret and every credential-looking span replaced by ``mask``."""
    out = value
    for secret in sorted({s for s in known if len(s) >= 4}, key=len, reverse=True):
        out = out.replace(secret, mask)
    for span in credential_spans(out):
        if span != mask and len(span) >= 4:
            out = out.replace(span, mask)
    return out


def _key(name: str) -> str:
    """A property path's last segment as a plain identifier (what the keyword plugin reads)."""
    last = re.split(r"[.\[\]\"]+", name.strip('.[]"'))[-1] if name else "value"
    return re.sub(r"\W", "_", last) or "value"

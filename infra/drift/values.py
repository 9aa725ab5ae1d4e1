"""A drifted property's values as the report may print them: looked up, masked, rendered.

The report goes to a public issue. Pulumi already prints secrets as ``"[secret]"``, but a provider
that forgets to mark a field secret would otherwise put a live credential into it. So a property is
masked when its value contains ``[secret]`` or a Pulumi secret object anywhere, when its name, or
any key nested in its value, looks sensitive (``SENSITIVE_WORDS``), or when any string in it looks
like a credential to the scanner (``infra.secretscan``). A secret object is replaced by
``[secret]`` as soon as the preview is read (``scrub``): nothing walks into it, and its plaintext is
kept only to cut it out of everything else the report prints. Masking too much costs a reader one
click into the run; masking too little costs a rotation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from infra.config.secretscan import looks_like_credential
from infra.drift.model import Change, ResourceDrift
from infra.pulumi_formats import SECRET_MASK as SECRET
from infra.pulumi_formats import SECRET_SIG as _SECRET_SIG_VALUE
from infra.pulumi_formats import SECRET_SIG_KEY as _SECRET_SIG_KEY
from infra.pulumi_formats import UNKNOWN

#: Substrings of a property name (or nested key) that make its value unprintable.
SENSITIVE_WORDS: Final = ("secret", "token", "password", "key", "value", "sensitive")
#: Longer values are cut: the report is a pointer to the problem, the run log has the rest.
MAX_VALUE_CHARS: Final = 200
NOT_SET: Final = "(not set)"

MISSING: Final = object()


def mask_known(resource: ResourceDrift, known: set[str]) -> ResourceDrift:
    """A value that repeats a secret object's plaintext elsewhere, in the clear, is masked too."""
    secrets = [k for k in known if len(k) >= 4]

    def leaks(value: str | None) -> bool:
        return value is not None and any(k in value for k in secrets)

    changes = tuple(
        replace(
            c,
            old=SECRET if leaks(c.old) else c.old,
            new=SECRET if leaks(c.new) else c.new,
        )
        for c in resource.changes
    )
    return replace(resource, changes=changes)


def scrub(value: Any, known: set[str]) -> Any:
    """``value`` with every Pulumi secret object replaced by ``[secret]``, never walked into.

    The strings a secret object holds are added to ``known`` (raw and JSON-decoded), so the
    diagnostics can be cleaned of them; they are not kept anywhere else.
    """
    if isinstance(value, dict):
        if _SECRET_SIG_KEY in value:
            for inner in value.values():
                if isinstance(inner, str) and inner != _SECRET_SIG_VALUE:
                    known.add(inner)
                    try:
                        decoded = json.loads(inner)
                    except ValueError:
                        continue
                    if isinstance(decoded, str):
                        known.add(decoded)
            return SECRET
        return {k: scrub(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, known) for v in value]
    return value


def lookup(state: Mapping[str, Any], path: str, first: str) -> Any:
    """Find ``path`` in a state's inputs or outputs (``first`` first); ``MISSING`` if absent."""
    segments = _split_path(path)
    if segments is None:
        return MISSING
    for section in (first, "outputs" if first == "inputs" else "inputs"):
        value: Any = state.get(section)
        for segment in segments:
            if value == SECRET:
                break  # a secret parent makes every child secret: stop here, it renders masked
            in_dict = isinstance(value, dict) and isinstance(segment, str) and segment in value
            in_list = isinstance(value, list) and isinstance(segment, int) and segment < len(value)
            if in_dict or in_list:
                value = value[segment]
            else:
                value = MISSING
                break
        if value is not MISSING:
            return value
    return MISSING


def _split_path(path: str) -> list[str | int] | None:
    """Split a Pulumi property path (``a.b[0]["c.d"]``); ``None`` when it cannot be parsed."""
    segments: list[str | int] = []
    buf = ""
    i = 0
    decoder = json.JSONDecoder()
    while i < len(path):
        char = path[i]
        if char == ".":
            if buf:
                segments.append(buf)
            buf, i = "", i + 1
        elif char == "[":
            if buf:
                segments.append(buf)
            buf = ""
            if path.startswith('["', i):
                try:
                    key, end = decoder.raw_decode(path, i + 1)
                except json.JSONDecodeError:
                    return None
                if not path.startswith("]", end):
                    return None
                segments.append(str(key))
                i = end + 1
            else:
                end = path.find("]", i)
                if end == -1:
                    return None
                token = path[i + 1 : end]
                segments.append(int(token) if token.isdigit() else token)
                i = end + 1
        else:
            buf, i = buf + char, i + 1
    if buf:
        segments.append(buf)
    return segments


def change(path: str, kind: str, *, old: Any, new: Any) -> Change:
    if _is_sensitive(path, old, new):
        return Change(
            path,
            kind,
            old=None if old is MISSING else SECRET,
            new=None if new is MISSING else SECRET,
        )
    return Change(path, kind, old=_render_value(old), new=_render_value(new))


def _is_sensitive(path: str, *values: Any) -> bool:
    return (
        _sensitive_name(path)
        or any(_contains_sensitive(v) for v in values)
        or any(_looks_like_credential(path, v) for v in values)
    )


def _looks_like_credential(path: str, value: Any) -> bool:
    """Any string inside ``value`` that ``detect-secrets`` takes for a credential."""
    if isinstance(value, str):
        return looks_like_credential(value, path)
    if isinstance(value, dict):
        return any(_looks_like_credential(f"{path}.{k}", v) for k, v in value.items())
    if isinstance(value, list):
        return any(_looks_like_credential(path, v) for v in value)
    return False


def _sensitive_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_WORDS)


def _contains_sensitive(value: Any) -> bool:
    if value is MISSING:
        return False
    if isinstance(value, str):
        return SECRET in value
    if isinstance(value, dict):
        return any(
            k == _SECRET_SIG_KEY or _sensitive_name(str(k)) or _contains_sensitive(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_contains_sensitive(v) for v in value)
    return False


def _render_value(value: Any) -> str | None:
    if value is MISSING:
        return None
    text = json.dumps(_replace_unknowns(value), sort_keys=True, ensure_ascii=False)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def _replace_unknowns(value: Any) -> Any:
    if value == UNKNOWN:
        return "(known after apply)"
    if isinstance(value, dict):
        return {k: _replace_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_unknowns(v) for v in value]
    return value

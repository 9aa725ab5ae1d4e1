"""Turn recorded inputs into reviewable, secret-free data.

Pulumi marks a whole top-level input secret when any part of it is (a webhook's whole
``configuration``, a variable group's whole ``variables``, the whole ``sensitive_vars`` map).
Masking the whole input would hide the webhook URL and variable names from reviewers, so the plan
unwraps secret markers and masks only the leaves that hold an offline placeholder. Fail-closed
rules:

- a secret-marked input holding no placeholder at all is masked whole (we cannot tell what is
  secret);
- a placeholder found *outside* any secret marker means a value escaped ``Output.secret``: the plan
  records it as a leak and refuses to finish.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc

from infra.plan.model import SECRET, resource_key
from infra.sources.offline import PLACEHOLDER_PREFIX

_UNKNOWN = rpc.UNKNOWN


class SecretLeakError(Exception):
    """A secret value reached a resource input without being marked secret."""


def _is_secret_marker(value: Any) -> bool:
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


class Masker:
    def __init__(self, placeholders: Mapping[str, str], fake_labels: Mapping[Any, str]):
        self._placeholders = placeholders
        self._labels = fake_labels
        self.leaks: list[str] = []

    def mask_inputs(self, type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key in sorted(inputs):
            value = inputs[key]
            where = f"{resource_key(type_, name)}.{key}"
            if _is_secret_marker(value):
                inner = value.get("value")
                masked, found = self._walk(inner, inside_secret=True, where=where)
                out[key] = masked if found else SECRET
            else:
                out[key], _ = self._walk(value, inside_secret=False, where=where)
        return out

    def _walk(self, value: Any, *, inside_secret: bool, where: str) -> tuple[Any, bool]:
        """Returns (masked value, whether a placeholder was found)."""
        if _is_secret_marker(value):
            inner, found = self._walk(value.get("value"), inside_secret=True, where=where)
            return (inner if found else SECRET), True
        if isinstance(value, dict):
            found_any = False
            masked: dict[str, Any] = {}
            for k in sorted(value):
                masked[k], found = self._walk(
                    value[k], inside_secret=inside_secret, where=f"{where}.{k}"
                )
                found_any |= found
            return masked, found_any
        if isinstance(value, list):
            items = [
                self._walk(v, inside_secret=inside_secret, where=f"{where}[{i}]")
                for i, v in enumerate(value)
            ]
            return [m for m, _ in items], any(f for _, f in items)
        if isinstance(value, str):
            if PLACEHOLDER_PREFIX in value:
                if not inside_secret:
                    self.leaks.append(where)
                return SECRET, True
            if value == _UNKNOWN:
                return "<unknown>", False
        if value in self._labels and not isinstance(value, bool):
            return self._labels[value], False
        return value, False

    def raise_if_leaked(self) -> None:
        if self.leaks:
            raise SecretLeakError(
                "secret values reached inputs that are not marked secret: "
                + ", ".join(sorted(self.leaks))
            )

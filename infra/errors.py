"""Problems found in configuration, collected and reported all at once.

Validation never stops at the first problem: every rule runs, every problem is collected with the
file and key path it belongs to, and the caller prints them sorted and de-duplicated, one per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one value: where it is (file and key path) and what is wrong."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


def format_loc(loc: Sequence[str | int]) -> str:
    """Render a key path the way a reader finds it in YAML: ``a.b[2].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (the key)"  # pydantic's marker for a dict key that fails validation
        elif out.startswith("row ") and "," not in out:
            out += f", column {part}"  # a CSV row: `row 26, column github`, not `row 26.github`
        else:
            out += f".{part}" if out else str(part)
    return out


class ConfigError(Exception):
    """Configuration is invalid. Carries every problem; ``str()`` is the full report."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"{n} validation error{'s' if n != 1 else ''} found")
        return "\n".join(lines)


class SecretSourceError(Exception):
    """One or more secret references could not be resolved. Never carries a secret value."""

    def __init__(self, failures: Iterable[tuple[str, str]]):
        self.failures = sorted(set(failures))
        lines = [f"{ref}: {why}" for ref, why in self.failures]
        lines.append(f"{len(self.failures)} secret reference(s) could not be resolved")
        super().__init__("\n".join(lines))

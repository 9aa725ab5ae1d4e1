"""The exit codes of every ``cfinfra`` command: one contract, stated once (the README quotes it).

Workflows read them (``drift.yml`` treats 1 as "drift", the deploy job stops on anything but 0), so
a command never exits with a raw integer: it raises ``typer.Exit(ExitCode.X)``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.errors import ConfigError

LEAK_PREFIX = "LEAK:"
"""How a leak-guard problem message starts (``infra.config.secret_rules.validate_leak_guard``)."""


class ExitCode(IntEnum):
    """What a ``cfinfra`` exit status means."""

    OK = 0
    """Done; nothing found."""
    FOUND = 1
    """The check found something: drift, a secret overdue, the removal guard tripped, an import
    left incomplete."""
    INVALID = 2
    """Invalid configuration, input or arguments (including an output path that cannot be
    written); nothing was done."""
    SECRETS = 3
    """A secret could not be resolved (1Password unreachable, a reference that does not resolve)
    or would leak (the leak guard, or a value reaching an input not marked secret)."""
    UNAVAILABLE = 4
    """A live service could not be read at all: it cannot be reached, refuses the credentials or
    has no rate limit left (`cfinfra snapshot`); nothing was written."""

    @classmethod
    def of_config_error(cls, exc: ConfigError) -> ExitCode:
        """``SECRETS`` when the leak guard is among the problems, else ``INVALID``."""
        return cls.SECRETS if any(is_leak(p.message) for p in exc.problems) else cls.INVALID


def is_leak(message: str) -> bool:
    """Whether a problem message is the leak guard's."""
    return message.startswith(LEAK_PREFIX)

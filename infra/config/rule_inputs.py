"""What the rules read, and the one shape every rule has.

A rule is ``def validate_<thing>(data: Data) -> Iterable[Problem]`` with a one-line "Ensure ..."
docstring. It names the parts of the data it reads (``Rule(check, needs=...)``); the rule table runs
it only when every one of those parts loaded, so a rule never sees a half-read world and never has
to test for ``None`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from infra.config.manifest import SecretEntry
from infra.config.people import People
from infra.config.runners import RunnerData
from infra.config.stack import StackConfig
from infra.errors import Problem

T = TypeVar("T")


class Part(StrEnum):
    """A part of the data a rule can need."""

    SECRETS = "secrets"
    """The `secrets/` manifest."""
    STACK = "stack"
    """The stack configuration (`Pulumi.<stack>.yaml`)."""
    PEOPLE = "people"
    """Org members and teams (`data/github/`)."""
    RUNNERS = "runners"
    """The runner data (`data/runners/`), once every file of it parsed."""


class MissingPart(LookupError):
    """A rule read a part it did not declare in ``needs`` (a bug in the rule table)."""


def _present(value: T | None, part: Part) -> T:
    if value is None:
        raise MissingPart(f"the rule reads `{part}` without declaring it in `needs`")
    return value


@dataclass(frozen=True)
class Data:
    """Every part that loaded; absent parts are None. Rules read them through the properties."""

    stack_file: str = "Pulumi.<stack>.yaml"
    """The stack file's name, for messages."""
    loaded_secrets: tuple[SecretEntry, ...] | None = None
    loaded_config: StackConfig | None = None
    loaded_people: People | None = None
    loaded_runners: RunnerData | None = None

    @property
    def parts(self) -> frozenset[Part]:
        present = {
            Part.SECRETS: self.loaded_secrets,
            Part.STACK: self.loaded_config,
            Part.PEOPLE: self.loaded_people,
            Part.RUNNERS: self.loaded_runners,
        }
        return frozenset(part for part, value in present.items() if value is not None)

    @property
    def secrets(self) -> tuple[SecretEntry, ...]:
        return _present(self.loaded_secrets, Part.SECRETS)

    @property
    def config(self) -> StackConfig:
        return _present(self.loaded_config, Part.STACK)

    @property
    def people(self) -> People:
        return _present(self.loaded_people, Part.PEOPLE)

    @property
    def runners(self) -> RunnerData:
        return _present(self.loaded_runners, Part.RUNNERS)


Check = Callable[[Data], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """A named check and the parts of the data it reads."""

    check: Check
    needs: frozenset[Part]

    def __init__(self, check: Check, *needs: Part) -> None:
        object.__setattr__(self, "check", check)
        object.__setattr__(self, "needs", frozenset(needs))

    @property
    def name(self) -> str:
        return getattr(self.check, "__name__", repr(self.check))

    @property
    def summary(self) -> str:
        """The first line of the rule's docstring ("Ensure ...")."""
        return (self.check.__doc__ or "").strip().splitlines()[0] if self.check.__doc__ else ""

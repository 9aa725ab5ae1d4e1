"""Who can read a secret once it has been delivered somewhere, and how sensitive a secret is.

The leak guard compares the two: every target a secret is delivered to has an *audience* that
follows from the target's settings, and every secret states the widest audience it is *cleared
for*. A secret that would reach wider than it is cleared for is refused before anything is
declared.
"""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    """Who can read a value, narrowest first.

    - `core`: conda-forge/core members, org owners and the bots they operate (Heroku operators
      included).
    - `infra-maintainers`: people with write access to a shared infrastructure repository that is
      not core-only (e.g. the staged-recipes reviewers, the miniforge team).
    - `feedstocks`: every feedstock maintainer, i.e. anyone who can get a build to run in a
      feedstock (thousands of people).
    - `public`: anyone on the internet.
    """

    CORE = "core"
    INFRA_MAINTAINERS = "infra-maintainers"
    FEEDSTOCKS = "feedstocks"
    PUBLIC = "public"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def wider_than(self, other: Audience) -> bool:
        return self.rank > other.rank


_ORDER = list(Audience)


class Sensitivity(StrEnum):
    """How much damage the value does in the wrong hands. Each level caps the audience it may be
    cleared for.

    - `public`: not secret at all (an app id, a project id) but kept in 1Password beside its
      secrets.
    - `internal`: misuse is a nuisance, contained to a staging area (e.g. the staging upload token).
    - `confidential`: misuse touches production systems other than the channel and the org.
    - `critical`: can publish to the conda-forge channel, administer the GitHub org or read every
      secret.
    """

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    CRITICAL = "critical"

    @property
    def max_audience(self) -> Audience:
        return _CEILING[self]


_CEILING = {
    Sensitivity.PUBLIC: Audience.PUBLIC,
    Sensitivity.INTERNAL: Audience.FEEDSTOCKS,
    Sensitivity.CONFIDENTIAL: Audience.INFRA_MAINTAINERS,
    Sensitivity.CRITICAL: Audience.CORE,
}

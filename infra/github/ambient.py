"""The GitHub provider's environment variables that would retarget it, checked against the stack.

terraform-provider-github v6.13.0 (``github/provider.go``, ``configureProvider``) takes the owner
from ``organization`` (itself defaulting to ``GITHUB_ORGANIZATION``) first, then from
``GITHUB_OWNER``, and only then from the explicit ``owner`` this program passes; ``base_url``
defaults to ``GITHUB_BASE_URL``. A hand-run ``pulumi up`` from a shell that has one of them set
would manage another organisation or another GitHub (docs/provider-behaviour.md PB-7). The run
stops, naming the variable, before anything is declared.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.errors import Problem

OWNER_VARIABLES = ("GITHUB_OWNER", "GITHUB_ORGANIZATION")
BASE_URL_VARIABLE = "GITHUB_BASE_URL"
GITHUB_API = "https://api.github.com"
"""The provider's default base URL (``DotComAPIURL``), without its trailing slash."""
WHERE = "environment"


def ambient_problems(org: str, env: Mapping[str, str]) -> list[Problem]:
    """Every provider variable of ``env`` that disagrees with the stack's organisation ``org``.

    An empty variable is unset for the provider (it reads them with ``ok && s != ""``); an owner
    equal to ``org`` but for case is the same organisation.
    """
    problems = []
    for name in OWNER_VARIABLES:
        value = env.get(name, "")
        if value and value.lower() != org.lower():
            problems.append(
                Problem(
                    WHERE,
                    name,
                    f"is `{value[:100]}`, but the stack manages `{org}`: the GitHub provider "
                    "would take it over the stack's owner; unset it (`unset "
                    f"{name}`) and run again",
                )
            )
    base = env.get(BASE_URL_VARIABLE, "")
    if base and base.rstrip("/") != GITHUB_API:
        problems.append(
            Problem(
                WHERE,
                BASE_URL_VARIABLE,
                f"is `{base[:200]}`, but the stack manages {GITHUB_API}: the GitHub provider "
                f"would send every request there; unset it (`unset {BASE_URL_VARIABLE}`)",
            )
        )
    return problems

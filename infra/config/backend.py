"""The state backend ``Pulumi.yaml`` names, and the secrets provider a stack needs on it.

A stack never falls back to a passphrase: on Pulumi Cloud the service encrypts the stack's secrets
(or a named KMS key does); on a self-managed backend (``s3://`` and the other object stores) the
stack file must name an ``awskms://`` secrets provider, which ``pulumi stack init
--secrets-provider`` or ``pulumi stack change-secrets-provider`` writes there. ``cfinfra validate``
runs these checks; they read files only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.config.yamlio import load_yaml
from infra.errors import Problem

PROJECT_FILE = "Pulumi.yaml"
PULUMI_CLOUD = "https://api.pulumi.com"
SELF_MANAGED = ("s3://", "gs://", "azblob://", "file://")
KMS = "awskms://"
BOOTSTRAP = "docs/state-backend.md"


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def backend_url(root: Path) -> tuple[str | None, list[Problem]]:
    """The backend URL ``Pulumi.yaml`` names, or the problem with it."""
    path = root / PROJECT_FILE
    if not path.is_file():
        return None, [Problem(PROJECT_FILE, "", "the project file is missing")]
    data, problems = load_yaml(path, root)
    if problems:
        return None, problems
    url = _get(data, "backend", "url")
    if not isinstance(url, str) or not url:
        return None, [
            Problem(
                PROJECT_FILE,
                "backend.url",
                f"the project must name its state backend (production: `{PULUMI_CLOUD}`; "
                f"see {BOOTSTRAP})",
            )
        ]
    if not url.startswith(("https://", *SELF_MANAGED)):
        return None, [
            Problem(
                PROJECT_FILE,
                "backend.url",
                "must be Pulumi Cloud (`https://...`) or a self-managed object store "
                f"({', '.join(f'`{s}`' for s in SELF_MANAGED)})",
            )
        ]
    return url, []


def check_backend(root: Path, stack: str) -> list[Problem]:
    """Ensure ``Pulumi.yaml`` names the backend and the stack names a secrets provider that is
    never a passphrase (``awskms://`` on a self-managed backend)."""
    url, problems = backend_url(root)
    stack_file = f"Pulumi.{stack}.yaml"
    path = root / stack_file
    if url is None or not path.is_file():
        return problems  # a missing stack file is reported by the stack's own validation
    data, found = load_yaml(path, root)
    if found:
        return found
    provider = _get(data, "secretsprovider")
    salt = _get(data, "encryptionsalt")
    if provider == "passphrase" or salt is not None:
        problems.append(
            Problem(
                stack_file,
                "encryptionsalt" if salt is not None else "secretsprovider",
                "the passphrase secrets provider is refused: its key is a shared password "
                f"outside 1Password and KMS (see {BOOTSTRAP})",
            )
        )
    elif url.startswith(SELF_MANAGED) and not (
        isinstance(provider, str) and provider.startswith(KMS)
    ):
        problems.append(
            Problem(
                stack_file,
                "secretsprovider",
                f"a stack on the self-managed backend `{url}` must name an `{KMS}` secrets "
                "provider, or Pulumi falls back to a passphrase; bootstrap it with "
                f'`pulumi stack change-secrets-provider "{KMS}alias/...?region=..."` '
                f"(see {BOOTSTRAP})",
            )
        )
    return problems

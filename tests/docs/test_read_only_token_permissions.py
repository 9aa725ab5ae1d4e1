"""The read-only GitHub token's permission list is the App table's, every one read-only.

docs/provider-credentials.md lists the read-only runs' fine-grained token permissions for the
admins who create it; the App table below it is what the program needs (checked against GitHub's
published data by test_app_permissions). A permission added to the table must be added to the
list, or the first read-only preview fails on the resource that needs it.
"""

from __future__ import annotations

import re

from infra.preflight.checks import APP_PERMISSION_KEYS, needed_app_permissions
from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "provider-credentials.md"


def read_only_list(text: str) -> set[str]:
    """``Organization: X`` / ``Repository: Y`` from the bullets after "every one **Read-only**"."""
    section = text.split("every one **Read-only**", 1)[1].split("\n   - `azure-", 1)[0]
    names: set[str] = set()
    for scope, items in re.findall(r"^\s+- (Organization|Repository): (.+)$", section, re.M):
        names |= {f"{scope}: {item.strip()}" for item in items.split(",")}
    return names


def test_the_read_only_token_reads_every_permission_the_program_needs_and_writes_none() -> None:
    listed = read_only_list(DOC.read_text(encoding="utf-8"))
    needed = {name for name, key in APP_PERMISSION_KEYS.items() if key in needed_app_permissions()}
    assert listed == needed


def test_a_permission_missing_from_the_list_is_noticed() -> None:
    text = DOC.read_text(encoding="utf-8").replace(", Self-hosted runners", "", 1)
    assert "Organization: Self-hosted runners" not in read_only_list(text)

"""The committed generated docs (schemas, references, inventory) match what the code renders."""

from __future__ import annotations

from infra.docs.render import REGENERATE, render_all, stale_files
from tests.conftest import REPO_ROOT


def test_committed_generated_docs_are_current(prod_plan):
    stale = stale_files(render_all(REPO_ROOT / "docs", prod_plan))
    names = ", ".join(p.relative_to(REPO_ROOT).as_posix() for p in stale)
    assert not stale, f"stale generated docs: {names}; regenerate with: {REGENERATE}"

"""The CLI's two consoles, shared by every sub-command module (importing ``infra.cli`` would cycle)."""

from rich.console import Console

out = Console(highlight=False, soft_wrap=True)
"""Results: tables, summaries, paths written."""
err = Console(stderr=True, highlight=False, soft_wrap=True)
"""Problems: validation reports, failures."""

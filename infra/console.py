"""The CLI's two consoles, shared by every sub-command module.

They live here because importing ``infra.cli`` from a sub-command module would cycle.
"""

from rich.console import Console

out = Console(highlight=False, soft_wrap=True)
"""Results: tables, summaries, paths written."""
err = Console(stderr=True, highlight=False, soft_wrap=True)
"""Problems: validation reports, failures."""

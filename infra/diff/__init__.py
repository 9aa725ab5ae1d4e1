"""``cfinfra diff``: what a pull request changes, for a reviewer, and the removal guard.

Layers, each usable on its own:

- ``compare``: the typed diff tree of two plans (pure).
- ``access``: per-person access and per-secret audiences, base against head (pure).
- ``guard``: the removal guard's rule (pure).
- ``risks``: ``build_report`` runs all of the above once; the risk labels.
- ``markdown``: the pull-request comment (deterministic, size-capped, secret-free).
- ``source``: the base's data files from a git revision; ``cli``: the command.
"""

from infra.diff.guard import GuardPolicy, GuardResult
from infra.diff.markdown import render_invalid, render_markdown
from infra.diff.risks import DiffReport, build_report

__all__ = [
    "DiffReport",
    "GuardPolicy",
    "GuardResult",
    "build_report",
    "render_invalid",
    "render_markdown",
]

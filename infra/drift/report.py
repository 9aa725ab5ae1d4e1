"""The drift report: ``pulumi preview --json`` in, the Markdown of the drift issue out.

Four jobs, one module each: ``parse`` (the preview folded per resource), ``values`` (a property's
values looked up, masked and rendered), ``security`` (which drift is security-relevant, from the
resource-type table, and why) and ``render`` (drift first and only drift, masked, within the size
the workflow posts). Everything is pure: text in, data or text out; reading files and exit codes
live in ``cli``. This module is the surface the commands and tests use.
"""

from __future__ import annotations

from infra.drift.model import Change, Diagnostic, DriftReport, PreviewFormatError, ResourceDrift
from infra.drift.parse import parse_preview
from infra.drift.render import MAX_BYTES, UP_WOULD, render_markdown, summary_line
from infra.drift.security import RUNBOOK, is_security_drift, security_concerns
from infra.drift.values import MAX_VALUE_CHARS, SECRET, SENSITIVE_WORDS

__all__ = [
    "MAX_BYTES",
    "MAX_VALUE_CHARS",
    "RUNBOOK",
    "SECRET",
    "SENSITIVE_WORDS",
    "UP_WOULD",
    "Change",
    "Diagnostic",
    "DriftReport",
    "PreviewFormatError",
    "ResourceDrift",
    "is_security_drift",
    "parse_preview",
    "render_markdown",
    "security_concerns",
    "summary_line",
]

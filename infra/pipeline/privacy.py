"""Which drift must not be written to a public issue: ``drift-triage``'s answer.

conda-forge/infrastructure is public: a drift issue saying "PROD_BINSTAR_TOKEN now reaches every
repository" or "an unknown owner appeared" discloses a hole while it is still open.
Security-relevant drift (``infra.resource_types``, the one table the drift report reads too, so
the two always agree) goes to the private channel (docs/runbooks/drift.md); everything else is an
ordinary public issue. A preview that did not complete (an error diagnostic, no root stack step)
is never ``clean``: nobody can tell what it would have shown, and its diagnostics may quote what
the provider sent, so it is treated as ``security``.
"""

from __future__ import annotations

from enum import StrEnum

from infra.drift.report import DriftReport, is_security_drift


class DriftClass(StrEnum):
    CLEAN = "clean"
    ORDINARY = "ordinary"
    SECURITY = "security"


def classify(report: DriftReport) -> tuple[DriftClass, int]:
    """The class of the drift a refreshed preview shows, and how many resources drifted."""
    drifted = report.drifted
    if report.incomplete or any(is_security_drift(r) for r in drifted):
        return DriftClass.SECURITY, len(drifted)
    return (DriftClass.ORDINARY if drifted else DriftClass.CLEAN), len(drifted)

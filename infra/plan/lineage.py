"""The lineage section of a plan: each secret's source and every audience it reaches.

Computed from the validated configuration with ``infra.config.lineage.reach`` (the same function
the leak guard uses), so the plan, the diff and the generated inventory agree with the guard by
construction.
"""

from __future__ import annotations

from infra.config.audience import Audience
from infra.config.lineage import reach
from infra.config.loader import Project
from infra.plan.model import SecretLineage, TargetLineage


def secret_lineage(project: Project) -> list[SecretLineage]:
    out = []
    writers = project.writers()
    for entry in sorted(project.secrets, key=lambda e: e.id):
        s = entry.secret
        targets = []
        widest = Audience.CORE
        for t in s.targets:
            r = reach(t, project.config, writers)
            widest = r.audience if r.audience.wider_than(widest) else widest
            targets.append(TargetLineage(target=t.label, audience=r.audience.value, why=r.why))
        rot = s.rotation
        out.append(
            SecretLineage(
                secret=entry.id,
                onepassword=s.onepassword.uri,
                owner=s.owner,
                sensitivity=s.sensitivity.value,
                cleared_for=s.cleared_for.value,
                reaches=widest.value if targets else "nobody (read from 1Password directly)",
                rotation=f"{rot.mode.value}, every {rot.max_age_days} days"
                + (f" ({rot.rotator})" if rot.rotator else ""),
                targets=sorted(targets, key=lambda t: t.target),
            )
        )
    return out

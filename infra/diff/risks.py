"""Everything a reviewer needs from two plans, and the risk labels that summarise it.

``build_report`` runs the pure comparisons (resources, people, secrets) and the removal guard once;
the Markdown renderer and the CLI only read the resulting ``DiffReport``.

Risk labels, most serious first (``docs/pull-request-diff.md`` explains each to reviewers):

- ``invalid-config``: the head (or base) does not validate; there is no plan to compare.
- ``critical``: who can read a secret may change in a way only core should approve: a *new*
  secret that reaches beyond ``core``, a secret cleared for a wider audience, or a secret read
  from another 1Password item or field (old and new references shown).
- ``removal-guard``: the removal guard's rule is violated (``infra.diff.guard``).
- ``owner-change``: someone becomes or stops being an org owner.
- ``secret-audience-widened``: a secret gains a target, or a target now reaches a wider audience.
- ``secret-reader-added``: someone can newly write a repository, and so read the org secrets
  delivered there (a team membership, a team's repository grant, a parent team).
- ``gpu-runner``: someone may newly start a GPU runner (a GPU label granted, or opened to pull
  requests); a grant recorded while `.cirun` is written by admin-requests says it is not applied.
- ``leak-guard``: the leak guard now allows more (a secret cleared for a wider audience or rated
  less sensitive), or an input that was secret in the base is plain in the head.
- ``protected-resource``: a protected resource is changed or deleted.
- ``reparented``: a resource moves to another parent; its URN changes, so without an alias Pulumi
  deletes and recreates it.
- ``deletion``: resources are deleted.
- ``secret-reference-changed``: a secret now comes from another 1Password item or field.
- ``secret-reach-changed``: same audience, different path (e.g. one more repository of it).
- ``access-change``: someone gains or loses a team membership, org membership, repository access
  or a runner grant.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.config.audience import Audience
from infra.diff.access import (
    FROM_JSON,
    NOT_APPLIED,
    PersonChange,
    SecretChange,
    SecretOp,
    person_changes,
    secret_changes,
)
from infra.diff.compare import Op, PlanDiff, diff_plans
from infra.diff.guard import GuardPolicy, GuardResult, check_removals, unset_config_vars
from infra.markdown import code
from infra.plan.model import Plan

RISK_ORDER = (
    "invalid-config",
    "critical",
    "removal-guard",
    "owner-change",
    "secret-audience-widened",
    "secret-reader-added",
    "gpu-runner",
    "leak-guard",
    "protected-resource",
    "reparented",
    "deletion",
    "secret-reference-changed",
    "secret-reach-changed",
    "access-change",
)
EXAMPLES = 5
"""How many names a risk line spells out before "and N more" (keeps the risk section bounded)."""


@dataclass(frozen=True)
class Risk:
    label: str
    detail: str
    """One line of Markdown."""


@dataclass(frozen=True)
class DiffReport:
    stack: str
    resources: PlanDiff
    people: tuple[PersonChange, ...]
    secrets: tuple[SecretChange, ...]
    guard: GuardResult

    @property
    def is_empty(self) -> bool:
        return self.resources.is_empty and not self.people and not self.secrets

    def summary(self) -> str:
        """``+3 ~1 -0``: resources created, updated, deleted."""
        n = self.resources.counts
        return f"+{n[Op.CREATE]} ~{n[Op.UPDATE]} -{n[Op.DELETE]}"


def build_report(base: Plan, head: Plan, policy: GuardPolicy | None = None) -> DiffReport:
    resources = diff_plans(base, head)
    people = person_changes(base, head)
    return DiffReport(
        stack=head.stack,
        resources=resources,
        people=people,
        secrets=secret_changes(base, head),
        guard=check_removals(
            resources, people, policy or GuardPolicy(), unset_config_vars(base, head)
        ),
    )


def few(names: list[str], limit: int = EXAMPLES) -> str:
    """``a, b, c and 4 more``, each name a code span."""
    shown = ", ".join(code(n) for n in names[:limit])
    rest = len(names) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def critical(report: DiffReport) -> list[str]:
    """The ``critical`` findings, one Markdown line each, 1Password references in full."""
    out: list[str] = []
    for s in report.secrets:
        new = s.new
        if s.op is SecretOp.ADDED and new is not None:
            wider = sorted({t.audience for t in new.targets if t.audience != Audience.CORE.value})
            if wider:
                out.append(
                    f"new secret {code(s.secret)} from {code(new.onepassword)} reaches "
                    + ", ".join(code(a) for a in wider)
                    + f" (cleared for {code(new.cleared_for)})"
                )
        if s.cleared_for and _wider(*s.cleared_for):
            a, b = s.cleared_for
            out.append(f"{code(s.secret)} cleared for a wider audience: {code(a)} → {code(b)}")
        if s.onepassword:
            a, b = s.onepassword
            out.append(f"{code(s.secret)} reads another 1Password item: {code(a)} → {code(b)}")
    return out


def _wider(old: str, new: str) -> bool:
    order = [a.value for a in Audience]
    rank = {a: i for i, a in enumerate(order)}
    return rank.get(new, len(order)) > rank.get(old, len(order))


def risks(report: DiffReport) -> list[Risk]:
    out: list[Risk] = []
    found = critical(report)
    if found:
        out.append(Risk("critical", "; ".join(found)))
    guard = report.guard
    if guard.violated:
        what = []
        if guard.removals:
            what.append(f"{len(guard.removals)} resource type(s) lose too many resources")
        if guard.owners_removed:
            what.append(f"org owner(s) removed: {few(list(guard.owners_removed))}")
        verdict = (
            "overridden with `--allow-removals`" if guard.policy.allow_removals else "blocks merge"
        )
        out.append(Risk("removal-guard", f"{'; '.join(what)} ({verdict})"))

    gained = [p.person for p in report.people if p.gained_owner]
    lost = [p.person for p in report.people if p.lost_owner]
    if gained or lost:
        parts = []
        if gained:
            parts.append(f"new owner(s): {few(gained)}")
        if lost:
            parts.append(f"owner(s) removed or demoted: {few(lost)}")
        out.append(Risk("owner-change", "; ".join(parts)))

    widened = [s for s in report.secrets if s.widened]
    if widened:
        out.append(
            Risk(
                "secret-audience-widened",
                f"now readable by more people: {few([s.secret for s in widened])}",
            )
        )

    readers = [p for p in report.people if p.gained_secrets]
    if readers:
        secrets = sorted({g.target for p in readers for g in p.gained_secrets})
        out.append(
            Risk(
                "secret-reader-added",
                f"{few([p.person for p in readers])} can newly read {few(secrets)} "
                "(write access to a repository they are delivered to)",
            )
        )

    gpu = [p for p in report.people if p.gained_gpu]
    if gpu:
        pending = all(g.pending for p in gpu for g in p.gained_gpu)
        note = f" ({NOT_APPLIED})" if pending else ""
        who = [p.person.removeprefix(FROM_JSON) for p in gpu]
        labels = sorted({g.target for p in gpu for g in p.gained_gpu})
        out.append(Risk("gpu-runner", f"{few(labels)} newly open to {few(who)}{note}"))

    loosened = [s.secret for s in report.secrets if s.guard_loosened]
    unmasked = [
        f"{c.name}.{f.path}" for c in report.resources.changes for f in c.fields if f.unmasked
    ]
    if loosened or unmasked:
        parts = []
        if loosened:
            parts.append(f"cleared wider or rated less sensitive: {few(loosened)}")
        if unmasked:
            parts.append(f"inputs no longer secret: {few(unmasked)}")
        out.append(Risk("leak-guard", "; ".join(parts)))

    protected = [c for c in report.resources.changes if c.op is not Op.CREATE and c.protected]
    if protected:
        out.append(
            Risk("protected-resource", f"changed or deleted: {few([c.name for c in protected])}")
        )

    moved = [c.name for c in report.resources.of_op(Op.DELETE) if c.reparented]
    if moved:
        out.append(
            Risk(
                "reparented",
                f"new URN (new parent or type path): deleted and re-created unless aliased, "
                f"counted by the removal guard: {few(moved)}",
            )
        )

    deleted = report.resources.of_op(Op.DELETE)
    if deleted:
        destroyed = [c.name for c in deleted if c.destroys]
        detail = f"{len(deleted):,} resource(s) deleted"
        detail += (
            f", {len(destroyed):,} of them destroyed in the cloud: {few(destroyed)}"
            if destroyed
            else ", none destroyed in the cloud (`retain_on_delete` or `downgrade_on_destroy`)"
        )
        out.append(Risk("deletion", detail))

    moved_refs = [s.secret for s in report.secrets if s.onepassword]
    if moved_refs:
        out.append(Risk("secret-reference-changed", f"new 1Password source: {few(moved_refs)}"))

    reach = [
        s.secret
        for s in report.secrets
        if not s.widened and any(t.op.value == "reach" for t in s.targets)
    ]
    if reach:
        out.append(Risk("secret-reach-changed", f"same audience, different reach: {few(reach)}"))

    access = [p.person for p in report.people if not (p.gained_owner or p.lost_owner)]
    if access:
        out.append(Risk("access-change", f"{len(access):,} person(s): {few(access)}"))

    assert [r.label for r in out] == sorted((r.label for r in out), key=RISK_ORDER.index)
    return out

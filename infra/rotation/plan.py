"""``cfinfra rotation plan SECRET``: what a rotation of one secret would do, read offline.

The reviewer's page before approving a rotation: the exact steps in order, every target in delivery
order with the audience it reaches, the overlap, what breaks (and what does not) if a step fails,
and which steps need a person. Built from the manifest and the stack configuration alone, plus the
URNs a targeted ``pulumi up`` would name (the real program run offline). No token, no network.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from infra.config.lineage import reach
from infra.config.loader import Project
from infra.config.manifest import (
    ANACONDA,
    AWS_IAM_ACCESS_KEY,
    AzureVariableTarget,
    GitHubOrgSecretTarget,
    HerokuConfigVarTarget,
    RotationMode,
    SecretEntry,
    Target,
)
from infra.config.stack import StackConfig
from infra.rotation.anaconda import GRACE_DAYS


@dataclass(frozen=True)
class Step:
    text: str
    if_it_fails: str
    person: bool = False


@dataclass(frozen=True)
class PlannedTarget:
    label: str
    audience: str
    why: str
    check: str


@dataclass(frozen=True)
class RotationPlan:
    secret_id: str
    description: str
    source: str
    owner: str
    sensitivity: str
    cleared_for: str
    how: str
    policy: str
    overlap: str
    targets: list[PlannedTarget]
    urns: list[str]
    steps: list[Step]
    notes: list[str] = field(default_factory=list)

    @property
    def by_hand(self) -> list[int]:
        """1-based numbers of the steps that need a person."""
        return [i for i, s in enumerate(self.steps, 1) if s.person]


def check_of(target: Target, config: StackConfig) -> str:
    """The read-only check that proves ``target`` took a new value (``infra.rotation.delivery``)."""
    match target:
        case GitHubOrgSecretTarget(name=name):
            return f"`updated_at` of GET /orgs/{config.github.org}/actions/secrets/{name}"
        case AzureVariableTarget(project=project, group=group, variable=variable):
            return (
                f"group `{group}` in {config.azure.organization}/{project} holds {variable} as a "
                "secret, modified since"
            )
        case HerokuConfigVarTarget(app=app, var=var):
            return f"GET /apps/{app}/config-vars: {var} equals the new value"
    return "no read-only check: a person checks it"


def _targets(entry: SecretEntry, project: Project) -> list[PlannedTarget]:
    out = []
    config, writers = project.config, project.writers()
    for target in entry.secret.targets:
        r = reach(target, config, writers)
        out.append(PlannedTarget(target.label, str(r.audience), r.why, check_of(target, config)))
    return out


def _anaconda_steps(entry: SecretEntry, n_resources: int) -> list[Step]:
    rotation = entry.secret.rotation
    assert rotation.anaconda is not None
    org, issuer = rotation.anaconda.org, rotation.anaconda.issuer
    n = len(entry.secret.targets)
    return [
        Step(
            "Record the new token's name in the 1Password item (`pending-token-name`).",
            "Nothing has changed; run again.",
        ),
        Step(
            f"Create token `cfinfra-{entry.id}-<date>` for `{org}` with the issuer credential "
            f"(`{issuer}`), scopes copied from the old token, valid "
            f"{rotation.max_age_days + GRACE_DAYS} d; check it authenticates under its name.",
            "The old token is untouched. A token created but never stored is removed by name on "
            "the next run.",
        ),
        Step(
            "Store it in the item's field; the old token stays valid and is kept as "
            "`previous-credential`.",
            "Nothing is delivered yet; the next run removes the unstored token and starts over.",
        ),
        Step(
            f"Deliver: a targeted `pulumi up` of the {n_resources} resources listed above. A "
            "variable group or config association is written whole, from 1Password's current "
            "values: the other secrets in it are rewritten unchanged.",
            "Targets keep the old token, which stays valid; the next run delivers again.",
        ),
        Step(
            f"Check (read-only) that each of the {n} targets holds the new token; record "
            "`delivered-at`.",
            "The old token stays valid; the run stops naming the target. Fix it, run again.",
        ),
        Step(
            f"Remove the old token at anaconda.org after the overlap ({rotation.overlap_days} d; "
            "with --emergency: at once) and check it no longer authenticates.",
            "Both tokens stay valid a little longer; the next run removes the old one.",
        ),
        Step(
            "Clear the old token from the item.",
            "Nothing breaks; the next run clears it.",
        ),
    ]


def _aws_steps(entry: SecretEntry) -> list[Step]:
    rotation = entry.secret.rotation
    steps = [
        Step(
            f"Create an access key for IAM user `{rotation.aws_iam_user}`, verify it with STS, "
            "store it in the item (the old key stays active).",
            "A key created but never stored is deactivated and deleted on the next run.",
        ),
    ]
    if entry.secret.targets:
        # Without targets `pulumi up` carries nothing: the by-hand steps are the delivery.
        steps.append(
            Step(
                "Deliver: `pulumi up` (the rotation workflow runs it).",
                "Consumers keep the old key, which stays active.",
            )
        )
    return [
        *steps,
        Step(
            "Deactivate the old key: `cfinfra rotation run --deployed` once consumers hold the "
            "new key.",
            "The old key stays active; run it again.",
        ),
        Step(
            f"Delete the old key after the overlap ({rotation.overlap_days} d).",
            "The inactive key lingers; the next run deletes it.",
        ),
    ]


def _manual_steps(entry: SecretEntry) -> list[Step]:
    return [
        Step(
            "Create the new credential at its issuer, next to the old one (never revoke first).",
            "Nothing has changed.",
            person=True,
        ),
        Step(
            f"Write it into {entry.secret.onepassword.uri} (same item and field).",
            "Targets keep the old value, which still works.",
            person=True,
        ),
        Step(
            "Deliver: run the `deploy` workflow (`pulumi up`).",
            "Targets keep the old value, which still works; run it again.",
            person=True,
        ),
        Step(
            "Check every consumer, then revoke the old credential at its issuer.",
            "Revoking before every consumer has the new value is the 2023 outage: do not.",
            person=True,
        ),
    ]


def rotation_plan(project: Project, entry: SecretEntry, urns: Sequence[str]) -> RotationPlan:
    s = entry.secret
    rotation = s.rotation
    notes: list[str] = []
    if rotation.mode is RotationMode.MANUAL:
        steps = _manual_steps(entry)
        overlap = "until a person revokes the old credential (at most a day after delivery)"
    elif rotation.rotator == ANACONDA:
        steps = _anaconda_steps(entry, len(urns))
        notes.append(
            "With --emergency the old token dies as soon as every target holds the new one: "
            "anything outside the targets still using it (a laptop, a CI job not listed) breaks."
        )
        overlap = f"{rotation.overlap_days} d after every target holds the new token; none with "
        overlap += "--emergency"
    elif rotation.rotator == AWS_IAM_ACCESS_KEY:
        steps = _aws_steps(entry)
        overlap = f"{rotation.overlap_days} d, deactivated (not deleted) after delivery"
    else:  # pragma: no cover - the manifest model refuses unknown rotators
        raise AssertionError(rotation.rotator)
    # Steps a person takes go right after delivery (or, with nothing to deliver, right after the
    # new value is stored): the place they update is a consumer too, and the old credential must
    # outlive them.
    after = next((i + 1 for i, st in enumerate(steps) if st.text.startswith("Deliver")), 1)
    steps[after:after] = [
        Step(text, "That place keeps the old value, which still works.", person=True)
        for text in rotation.by_hand
    ]
    if not s.targets and rotation.by_hand:
        notes.append(
            "No targets: `pulumi up` delivers nothing; the [person] steps deliver it to its "
            "consumer."
        )
    elif not s.targets:
        notes.append("No targets: nothing is delivered; its consumer reads 1Password directly.")
    how = rotation.how
    if rotation.anaconda is not None:
        how += f" (organisation {rotation.anaconda.org}, issuer `{rotation.anaconda.issuer}`)"
    return RotationPlan(
        secret_id=entry.id,
        description=s.description,
        source=s.onepassword.uri,
        owner=s.owner,
        sensitivity=str(s.sensitivity),
        cleared_for=str(s.cleared_for),
        how=f"{rotation.mode}, {how}",
        policy=f"every {rotation.max_age_days} d",
        overlap=overlap,
        targets=_targets(entry, project),
        urns=list(urns),
        steps=steps,
        notes=notes,
    )


def _wrap(text: str, indent: str, width: int, first: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent + first,
        subsequent_indent=indent + " " * len(first),
        break_on_hyphens=False,
    ) or [indent + first]


def render(plan: RotationPlan, width: int = 80) -> str:
    """The plan as plain text at most ``width`` columns wide (URNs excepted: never cut)."""
    lines = [f"Rotation plan: {plan.secret_id}"]
    lines += _wrap(plan.description, "  ", width)
    lines += [
        f"  1Password: {plan.source}",
        f"  owner {plan.owner}, {plan.sensitivity}, cleared for {plan.cleared_for}",
    ]
    lines += _wrap(plan.how, "  ", width, "mode: ")
    lines += _wrap(plan.policy, "  ", width, "policy: ")
    lines += _wrap(plan.overlap, "  ", width, "overlap: ")
    lines += ["", f"Targets, in delivery order ({len(plan.targets)}):"]
    for i, t in enumerate(plan.targets, 1):
        lines += _wrap(f"{t.label}, reaches {t.audience}", "  ", width, f"{i}. ")
        lines += _wrap(t.why, "       ", width)
        lines += _wrap(t.check, "       ", width, "check: ")
    if plan.urns:
        lines += ["", "Resources a targeted `pulumi up` updates (--target):"]
        lines += [f"  {urn}" for urn in plan.urns]
    lines += ["", "Steps:"]
    for i, step in enumerate(plan.steps, 1):
        mark = "[person] " if step.person else ""
        lines += _wrap(f"{mark}{step.text}", "  ", width, f"{i}. ")
        lines += _wrap(step.if_it_fails, "     ", width, "if it fails: ")
    lines.append("")
    if plan.by_hand:
        lines.append(f"Needs a person: step {', '.join(map(str, plan.by_hand))}.")
    else:
        lines.append("Needs a person: no step (the rotation workflow runs it).")
    for note in plan.notes:
        lines += _wrap(note, "", width)
    return "\n".join(lines) + "\n"

"""The removal guard: stop a pull request that deletes too much, or removes an org owner.

The rule (documented for reviewers in ``docs/pull-request-diff.md``):

* **Share.** A resource type trips the guard when the change deletes *more than* ``max_share``
  (default 20 %) of the resources of that type the base had.
* **Small types.** Whatever the share, a type that had at most ``small_type_floor`` (default 10)
  resources in the base trips on *any* deletion. Small types are where one deletion is a big share
  and usually a whole service (a provider, a webhook, a variable group); the floor keeps them
  guarded even when someone raises ``--max-removal-share`` for a planned clean-up of a large type.
  There is deliberately no "ignore the first N deletions" tolerance: that is exactly what would
  let 1 of 2 webhooks through.
* **Owners.** Any org owner (a ``Membership`` with role ``admin``) removed or demoted trips the
  guard, whatever the counts: losing owners can lock core out of the organisation.
* **Heroku config vars.** Any key dropped from a Heroku ``ConfigAssociation`` (``vars`` or
  ``sensitive_vars``) trips the guard, named: the provider's Update *unsets* every key it no
  longer declares on the live app (``constructVars`` sends nil; docs/provider-behaviour.md), and a
  running webservice loses that token. A key is not a resource, so counting resources never saw it.

``--allow-removals`` overrides all four; the diff still reports them.

Two bases, one rule. On a pull request the base is the target branch's plan (``cfinfra diff``).
Before a deploy the base is **what is deployed** (``cfinfra deploy-guard --deployed``, reading
``pulumi stack export``): it advances after every successful ``up``, whoever ran it, and never
needs an old commit to load, so neither an approved removal nor a schema change can wedge it. An
intended removal passes once, through the deploy workflow's ``allow-removals`` input, which only
runs after the ``production`` environment's reviewers approve.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.diff.access import PersonChange, person_changes
from infra.diff.compare import Op, PlanDiff, diff_plans
from infra.markdown import Document, document
from infra.plan.model import Plan, PlannedResource
from infra.pulumi_formats import PROVIDER_TYPE_PREFIX, ROOT_STACK_TYPE, is_secret

DEFAULT_MAX_SHARE = 0.2
DEFAULT_SMALL_TYPE_FLOOR = 10


@dataclass(frozen=True)
class GuardPolicy:
    max_share: float = DEFAULT_MAX_SHARE
    small_type_floor: int = DEFAULT_SMALL_TYPE_FLOOR
    allow_removals: bool = False


SHOWN_NAMES = 10
"""Deleted resources a guard line names before "and N more" (the Markdown lists them all)."""


@dataclass(frozen=True)
class TypeRemoval:
    """``deleted`` of the ``base_count`` resources of ``type`` go away."""

    type: str
    deleted: int
    base_count: int
    small_type: bool
    """Tripped by the small-type floor rather than by the share."""
    names: tuple[str, ...] = ()
    """The deleted resources' names, sorted: what the approver must judge."""

    @property
    def share(self) -> float:
        return self.deleted / self.base_count if self.base_count else 1.0

    def describe(self, policy: GuardPolicy) -> str:
        why = (
            f"a type with at most {policy.small_type_floor} resources loses any"
            if self.small_type
            else f"more than {policy.max_share:.0%}"
        )
        return (
            f"`{self.type}`: {self.deleted} of {self.base_count} deleted ({self.share:.0%}; {why})"
            + (f": {self.shown_names()}" if self.names else "")
        )

    def shown_names(self, limit: int = SHOWN_NAMES) -> str:
        """``a``, ``b`` and N more: every deleted resource named, up to ``limit``."""
        shown = ", ".join(f"`{n}`" for n in self.names[:limit])
        rest = len(self.names) - limit
        return f"{shown} and {rest:,} more" if rest > 0 else shown


CONFIG_ASSOCIATION = "heroku:app/configAssociation:ConfigAssociation"
VAR_MAPS = ("vars", "sensitiveVars")
CONFIG_VAR_NAMES = "configVarNames"
"""The output of a ``cfinfra:heroku:App`` naming every config var it manages, in clear: the state
keeps ``sensitiveVars`` as one secret, keys included, so the deploy guard reads the names here."""


@dataclass(frozen=True)
class UnsetVar:
    """Config var ``var`` is no longer declared by ``association``: the next ``up`` unsets it."""

    association: str
    var: str

    def describe(self) -> str:
        if not self.var:
            return (
                f"`{self.association}`: cannot tell which Heroku config vars it manages now "
                "(the state hides the names), so cannot tell which would be unset"
            )
        return f"Heroku config var `{self.var}` unset on the live app (`{self.association}`)"


def config_var_names(r: PlannedResource, plan: Plan) -> frozenset[str] | None:
    """The config var names a ``ConfigAssociation`` declares; None when they cannot be read."""
    names: set[str] = set()
    for key in VAR_MAPS:
        value = r.inputs.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or is_secret(value):
            # A secret object (what the state holds): the names are on the parent component.
            parent = next((p for p in plan.resources if p.key == r.parent), None)
            recorded = parent.inputs.get(CONFIG_VAR_NAMES) if parent else None
            if not isinstance(recorded, list):
                return None
            return frozenset(str(n) for n in recorded)
        names.update(str(k) for k in value)
    return frozenset(names)


def unset_config_vars(base: Plan, head: Plan) -> tuple[UnsetVar, ...]:
    """Every config var a ``ConfigAssociation`` on both sides stops declaring (sorted)."""
    after = {r.key: r for r in head.of_type(CONFIG_ASSOCIATION)}
    out: list[UnsetVar] = []
    for old in base.of_type(CONFIG_ASSOCIATION):
        new = after.get(old.key)
        if new is None:
            continue  # deleted: `retain_on_delete` keeps every var (and the type is counted)
        was, now = config_var_names(old, base), config_var_names(new, head)
        if was is None or now is None:
            out.append(UnsetVar(old.name, ""))
            continue
        out += [UnsetVar(old.name, var) for var in sorted(was - now)]
    return tuple(out)


@dataclass(frozen=True)
class GuardResult:
    policy: GuardPolicy
    removals: tuple[TypeRemoval, ...]
    owners_removed: tuple[str, ...]
    vars_unset: tuple[UnsetVar, ...] = ()

    @property
    def violated(self) -> bool:
        return bool(self.removals or self.owners_removed or self.vars_unset)

    @property
    def tripped(self) -> bool:
        """Violated and not overridden: the command must fail."""
        return self.violated and not self.policy.allow_removals

    def reasons(self) -> list[str]:
        out = [r.describe(self.policy) for r in self.removals]
        out += [f"org owner `{login}` removed or demoted" for login in self.owners_removed]
        out += [v.describe() for v in self.vars_unset]
        return out

    def message(self) -> str:
        """One paragraph for the terminal and the workflow log."""
        if not self.violated:
            return "removal guard: ok"
        verdict = (
            "overridden with --allow-removals"
            if self.policy.allow_removals
            else "refusing; re-run with --allow-removals if this is intended"
        )
        return "removal guard: " + "; ".join(self.reasons()) + f" ({verdict})"


def check_removals(
    diff: PlanDiff,
    people: tuple[PersonChange, ...],
    policy: GuardPolicy,
    vars_unset: tuple[UnsetVar, ...] = (),
) -> GuardResult:
    deleted: dict[str, list[str]] = {}
    for change in diff.changes:
        if change.op is Op.DELETE:
            deleted.setdefault(change.type, []).append(change.name)
    removals = []
    for type_, names in sorted(deleted.items()):
        n = len(names)
        base = diff.base_counts.get(type_, n)
        small = base <= policy.small_type_floor
        over_share = n > policy.max_share * base
        if over_share or small:
            removals.append(
                TypeRemoval(
                    type_, n, base, small_type=small and not over_share, names=tuple(sorted(names))
                )
            )
    owners_removed = tuple(p.person for p in people if p.lost_owner)
    return GuardResult(policy, tuple(removals), owners_removed, vars_unset)


def _guarded(plan: Plan) -> Plan:
    """Without the root stack and providers: the state holds default providers the plan does not,
    and a provider is never removed by a data change."""
    kept = [
        r
        for r in plan.resources
        if r.type != ROOT_STACK_TYPE and not r.type.startswith(PROVIDER_TYPE_PREFIX)
    ]
    return Plan(stack=plan.stack, resources=kept)


def check_against_deployed(deployed: Plan, head: Plan, policy: GuardPolicy) -> GuardResult:
    """The removal guard with what is deployed as the base (``infra.pipeline.deployed``)."""
    base, new = _guarded(deployed), _guarded(head)
    return check_removals(
        diff_plans(base, new),
        person_changes(base, new),
        policy,
        unset_config_vars(deployed, head),
    )


def render_guard(result: GuardResult) -> Document:
    """The guard's verdict as Markdown for the deploy run's summary."""
    lines = ["## Removal guard against what is deployed", ""]
    if not result.violated:
        return document("\n".join([*lines, "Nothing is removed beyond the guard's limits."]) + "\n")
    if result.tripped:
        lines += [
            "> [!CAUTION]",
            "> This deploy removes more than the guard allows. If that is intended, run the deploy "
            "workflow by hand with `allow-removals` (the production reviewers approve it).",
            "",
        ]
    else:
        lines += ["Removals beyond the guard's limits, approved with `allow-removals`:", ""]
    lines += [f"- {reason}" for reason in result.reasons()]
    return document("\n".join(lines) + "\n")

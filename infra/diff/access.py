"""Who gains or loses what: per-person access and per-secret audiences, base against head.

Both views are computed from *each plan on its own* and then compared, not from the resource
diff, so renaming a resource (delete + create of the same membership) is not reported as someone
losing access, and a team deleted together with its memberships still resolves to its name in the
base.

Per person, a *grant* is a role in a scope: the organisation (``admin`` = owner), a team, a
repository (outside collaborators), or a runner label on a feedstock (a policy of the generated
``.access.yml``: its ``users``, or everyone in its ``users_from_json`` list, may start the label's
runners; ``pull_request`` says whether pull requests may too). A runner grant whose file content is
in ``ignore_changes`` (``.cirun`` is written by admin-requests until the cutover) is recorded but
not applied, and says so. Per secret, the plans' ``lineage`` says every target and the
audience it reaches; comparing it says who can newly read a secret. Neither view ever needs a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import yaml

from infra.config.audience import Audience, Sensitivity
from infra.config.logins import login_key
from infra.config.runners import is_gpu_label
from infra.config.write_access import PERMISSIONS, can_write
from infra.plan.model import Plan, PlannedResource, SecretLineage, TargetLineage

MEMBERSHIP: Final = "github:index/membership:Membership"
TEAM: Final = "github:index/team:Team"
TEAM_MEMBERSHIP: Final = "github:index/teamMembership:TeamMembership"
COLLABORATOR: Final = "github:index/repositoryCollaborator:RepositoryCollaborator"
TEAM_REPOSITORY: Final = "github:index/teamRepository:TeamRepository"
REPOSITORY: Final = "github:index/repository:Repository"
ORG_SECRET: Final = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"  # noqa: S105 - a type token
ORG_SECRET_SELECTION: Final = (
    "github:index/actionsOrganizationSecretRepositories:"  # noqa: S105 - a type token
    "ActionsOrganizationSecretRepositories"
)
"""The selection as a resource of its own: only in plans made before the secret carried its
selection itself (docs/provider-behaviour.md PB-1), which a `--base-plan` may be."""
DERIVED: Final = ("write", "secret")
"""Scopes that follow from others (ownership, teams): an owner change says them all at once."""
REPOSITORY_FILE: Final = "github:index/repositoryFile:RepositoryFile"
ACCESS_FILE: Final = ".access.yml"
MAX_ACCESS_FILE: Final = 2_000_000
"""Characters: a bigger `.access.yml` in a plan is not read for runner grants."""
NOT_APPLIED: Final = "recorded, not applied until the cutover"
"""Said of a runner grant while `.cirun` is written by admin-requests (docs/migration.md)."""
FROM_JSON: Final = "users_from_json "
"""Prefix of the holder of a `users_from_json` grant: everyone in that list."""

# Higher index = more power; unknown roles rank lowest so they never read as a promotion.
_ROLE_ORDER: Final = {
    "org": ("member", "admin"),
    "team": ("member", "maintainer"),
    "repo": PERMISSIONS,  # GitHub's repository permissions, weakest first
    "runner": ("push", "pull_request"),
    "write": ("write",),
    "secret": ("read",),
}
_FAKE_ID = re.compile(r"^<id:(?P<name>.+)>$")


class Scope(StrEnum):
    ORG = "org"
    TEAM = "team"
    REPO = "repo"
    WRITE = "write"
    """Push access to a repository (``target``), from org ownership or a team's repository grant
    (a child team inherits its parent's): whoever can push runs its workflows."""
    SECRET = "secret"  # noqa: S105 - a scope name, not a credential
    """An org secret (``target``) delivered to a repository the person can write."""
    RUNNER = "runner"
    """A runner label on a feedstock: ``target`` is ``<label> on <repo>``, the role ``push``
    (pushes only) or ``pull_request`` (pull requests too)."""


@dataclass(frozen=True, order=True)
class Grant:
    """A role ``role`` in ``scope`` (the team or repository named ``target``; empty for the org)."""

    scope: Scope
    target: str
    role: str
    downgrade_on_destroy: bool = field(default=False, compare=False)
    """An org membership whose removal only demotes to member (``downgrade_on_destroy``)."""
    resource: str = field(default="", compare=False)
    """The engine identity of the resource holding it (URN, else type and name)."""
    pending: bool = field(default=False, compare=False)
    """A runner grant recorded in a file whose content `pulumi up` ignores (not applied)."""

    @property
    def rank(self) -> int:
        order = _ROLE_ORDER[self.scope.value]
        return order.index(self.role) if self.role in order else -1

    @property
    def label(self) -> str:
        if self.scope is Scope.ORG:
            return "owner" if self.role == "admin" else f"org {self.role}"
        if self.scope is Scope.TEAM:
            return f"{self.target} {self.role}"
        if self.scope is Scope.WRITE:
            return f"write on {self.target}"
        if self.scope is Scope.SECRET:
            return f"reads secret {self.target}"
        if self.scope is Scope.RUNNER:
            prs = "pull requests too" if self.role == "pull_request" else "pushes only"
            return f"runner {self.target}, {prs}"
        return f"{self.role} on {self.target}"

    @property
    def gpu(self) -> bool:
        """A runner grant to a GPU label (``cirun-hetzner-gpu``): one shared, costly machine."""
        return self.scope is Scope.RUNNER and is_gpu_label(self.target.split(" on ", 1)[0])

    @property
    def shown(self) -> str:
        """The label, and for a runner grant that will not be applied, that it will not."""
        return f"{self.label}, {NOT_APPLIED}" if self.pending else self.label

    @property
    def removal_label(self) -> str:
        """What losing this grant means, when the resource goes away."""
        if self.scope is Scope.ORG and self.downgrade_on_destroy:
            if self.role == "admin":
                return "owner (demoted to org member)"
            return "org member (no longer managed here; stays in the org)"
        return self.shown


@dataclass(frozen=True)
class RoleChange:
    old: Grant
    new: Grant

    @property
    def promotion(self) -> bool:
        return self.new.rank > self.old.rank


@dataclass(frozen=True)
class PersonChange:
    person: str
    added: tuple[Grant, ...] = ()
    removed: tuple[Grant, ...] = ()
    changed: tuple[RoleChange, ...] = ()
    respelled: tuple[str, str] | None = None
    """The login's spelling, base → head, when only its case changed. GitHub logins are
    case-insensitive, so it is one person and one account."""
    at_risk: tuple[Grant, ...] = ()
    """Grants held on both sides whose resource changes identity (its URN changed with the
    spelling): Pulumi deletes the old resource after creating the new one, and that delete acts
    on the same account. Empty when resources are named case-insensitively."""

    @property
    def lost_owner(self) -> bool:
        """Loses ownership, or may: a respelled owner's membership is deleted and re-created."""
        respelled_owner = any(g.label == "owner" for g in self.at_risk)
        return (
            respelled_owner
            or any(g.label == "owner" for g in self.removed)
            or any(c.old.label == "owner" for c in self.changed)
        )

    @property
    def gained_secrets(self) -> tuple[Grant, ...]:
        """Org secrets newly readable through write access (an owner change says more)."""
        if self.gained_owner or self.lost_owner:
            return ()
        return tuple(g for g in self.added if g.scope is Scope.SECRET)

    @property
    def gained_gpu(self) -> tuple[Grant, ...]:
        """GPU runner grants gained: new ones, or a GPU grant opened to pull requests."""
        return tuple(g for g in self.added if g.gpu) + tuple(
            c.new for c in self.changed if c.new.gpu and c.promotion
        )

    @property
    def gained_owner(self) -> bool:
        return any(g.label == "owner" for g in self.added) or any(
            c.new.label == "owner" for c in self.changed
        )


# --- per person ----------------------------------------------------------------------------------


class _Teams:
    """Resolves a team membership's ``teamId`` to its team: (stable identity, name to show).

    The offline plan renders ids as ``<id:RESOURCE-NAME>`` (or the import id, the team's slug, while
    adopting); a hand-written or real plan may carry the team's name, its resource name, or a
    number. Tried in order: the value (or the fake id's name) as a Team resource name, import id,
    slug or name; the membership's parent; the longest Team resource name prefixing the
    membership's resource name (``conda-forge/core/alice``); finally the raw value itself.

    The identity is the Team resource's key, so renaming a team is not everyone leaving it.
    """

    def __init__(self, plan: Plan):
        self._by_ref: dict[str, tuple[str, str]] = {}
        self._by_key: dict[str, tuple[str, str]] = {}
        self._by_resource: dict[str, tuple[str, str]] = {}
        for team in sorted(plan.of_type(TEAM), key=lambda t: t.key):
            display = str(team.inputs.get("name") or team.name)
            found = (team.key, display)
            slug = re.sub(r"[^a-z0-9_.-]+", "-", display.lower()).strip("-")
            for ref in (display, slug, team.import_id, team.name):
                if ref:
                    self._by_ref.setdefault(ref, found)
            self._by_resource[team.name] = found
            self._by_key[team.key] = found

    def by_ref(self, raw: object) -> tuple[str, str] | None:
        """The team a ``teamId``/``parentTeamId`` value names, if the plan declares it."""
        m = _FAKE_ID.match(str(raw))
        ref = m.group("name") if m else str(raw)
        return self._by_resource.get(ref) or self._by_ref.get(ref)

    def resolve(self, membership: PlannedResource) -> tuple[str, str]:
        raw = str(membership.inputs.get("teamId", ""))
        m = _FAKE_ID.match(raw)
        ref = m.group("name") if m else raw
        if ref in self._by_resource:
            return self._by_resource[ref]
        if ref in self._by_ref:
            return self._by_ref[ref]
        if membership.parent in self._by_key:
            return self._by_key[membership.parent]
        prefixes = [
            n
            for n in self._by_resource
            if any(membership.name.startswith(n + sep) for sep in "-/:")
        ]
        if prefixes:
            return self._by_resource[max(prefixes, key=len)]
        shown = ref or membership.name
        return shown, shown


def grants(plan: Plan) -> dict[tuple[str, Scope, str], Grant]:
    """(person, scope, identity) → the grant held in ``plan``; the highest role wins a tie."""
    teams = _Teams(plan)
    out: dict[tuple[str, Scope, str], Grant] = {}

    def add(person: object, ident: str, grant: Grant) -> None:
        if not isinstance(person, str) or not person:
            return
        # GitHub logins are case-insensitive: `Alice` and `alice` are one person.
        who = person if person.startswith(FROM_JSON) else login_key(person)
        key = (who, grant.scope, ident)
        if key not in out or grant.rank > out[key].rank:
            out[key] = grant

    for r in plan.resources:
        user = r.inputs.get("username")
        held_by = r.urn or r.key
        if r.type == MEMBERSHIP:
            role = str(r.inputs.get("role", "member"))
            sticky = r.inputs.get("downgradeOnDestroy") is True
            add(user, "", Grant(Scope.ORG, "", role, sticky, held_by))
        elif r.type == TEAM_MEMBERSHIP:
            ident, display = teams.resolve(r)
            role = str(r.inputs.get("role", "member"))
            add(user, ident, Grant(Scope.TEAM, display, role, resource=held_by))
        elif r.type == COLLABORATOR:
            repo = str(r.inputs.get("repository", r.name))
            role = str(r.inputs.get("permission", "push"))
            add(user, repo, Grant(Scope.REPO, repo, role, resource=held_by))
        elif r.type == REPOSITORY_FILE and r.inputs.get("file") == ACCESS_FILE:
            for holder, grant in runner_grants(r):
                add(holder, grant.target, grant)
    for person, grant in _write_and_secrets(plan, teams, out):
        add(person, grant.target, grant)
    return out


def _write_and_secrets(
    plan: Plan, teams: _Teams, held: dict[tuple[str, Scope, str], Grant]
) -> Iterator[tuple[str, Grant]]:
    """Who can write each repository, and so read each org secret delivered there.

    The leak guard's model (``infra.config.write_access``), read from a plan: org owners write
    every repository (left implicit); a team's repository grant (``TeamRepository``) reaches its
    members and the members of every team nested under it (``parentTeamId``).
    """
    parent: dict[str, str] = {}
    for t in plan.of_type(TEAM):
        found = teams.by_ref(t.inputs.get("parentTeamId")) if t.inputs.get("parentTeamId") else None
        if found is not None:
            parent[t.key] = found[0]
    granted: dict[str, set[str]] = {}
    for r in plan.of_type(TEAM_REPOSITORY):
        team = teams.by_ref(r.inputs.get("teamId"))
        repo = repo_of(r.inputs.get("repository"))
        if team is not None and repo and can_write(str(r.inputs.get("permission", "pull"))):
            granted.setdefault(team[0], set()).add(repo)
    delivered: dict[str, set[str]] = {}
    for r in (*plan.of_type(ORG_SECRET), *plan.of_type(ORG_SECRET_SELECTION)):
        ids = r.inputs.get("selectedRepositoryIds")
        names = {repo_of(v) for v in ids} if isinstance(ids, list) else set()
        delivered.setdefault(str(r.inputs.get("secretName", r.name)), set()).update(
            n.casefold() for n in names if n
        )
    # An owner writes every repository and reads every secret: that is what `owner` says, so it
    # is not spelt out (a new repository is not every owner gaining something).
    owners = _owners_of(held)
    writes: dict[str, set[str]] = {}
    for person, scope, ident in held:
        if person in owners:
            continue
        if scope is Scope.TEAM:
            chain, seen = ident, set()
            while chain and chain not in seen:  # the team and every ancestor's grants
                seen.add(chain)
                writes.setdefault(person, set()).update(granted.get(chain, set()))
                chain = parent.get(chain, "")
    for person, names in sorted(writes.items()):
        for repo in sorted(names):
            yield person, Grant(Scope.WRITE, repo, "write")
        folded = {n.casefold() for n in names}
        for secret, where in sorted(delivered.items()):
            if where & folded:
                yield person, Grant(Scope.SECRET, secret, "read")


def _owners_of(held: dict[tuple[str, Scope, str], Grant]) -> set[str]:
    return {p for (p, scope, _), g in held.items() if scope is Scope.ORG and g.role == "admin"}


def repo_of(value: object) -> str:
    """A repository's name from a plan value: a name, or an offline id ``<repo_id:org/name>``."""
    if not isinstance(value, str):
        return ""
    m = re.match(r"^<[a-z_]+:(?:[^/>]+/)?(?P<name>[^>]+)>$", value)
    return m.group("name") if m else value


def runner_grants(file: PlannedResource) -> Iterator[tuple[str, Grant]]:
    """(holder, grant) for every label a policy of a planned `.access.yml` opens to someone.

    The holder is a login of the policy's ``users``, or ``users_from_json <url>`` (everyone in
    that list). A file the plan cannot read (not text, too big, not YAML, aliases) grants nothing
    here; the file's own diff still shows it.
    """
    content = file.inputs.get("content")
    if not isinstance(content, str) or len(content) > MAX_ACCESS_FILE:
        return
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(content, Loader=yaml.SafeLoader)):
            return
        doc = yaml.safe_load(content)
    except (yaml.YAMLError, RecursionError):
        return
    if not isinstance(doc, dict):
        return
    pending = file.ignores("content")
    policies = {p.get("id"): p for p in _items(doc.get("policies")) if isinstance(p.get("id"), str)}
    for entry in _items(doc.get("access_control")):
        label = entry.get("resource")
        if not isinstance(label, str):
            continue
        for pid in entry.get("policies") or []:
            policy = policies.get(pid)
            if policy is None or not isinstance(policy.get("repo"), str):
                continue
            role = "pull_request" if policy.get("pull_request") is True else "push"
            grant = Grant(
                Scope.RUNNER,
                f"{label} on {policy['repo']}",
                role,
                resource=file.urn or file.key,
                pending=pending,
            )
            users = policy.get("users")
            if isinstance(users, list):
                yield from ((u, grant) for u in users if isinstance(u, str))
            elif isinstance(policy.get("users_from_json"), str):
                yield FROM_JSON + policy["users_from_json"], grant


def _items(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def spellings(plan: Plan) -> dict[str, str]:
    """Lower-cased login → the spelling the plan uses (the first, sorted, if it uses several)."""
    out: dict[str, str] = {}
    for r in sorted(plan.resources, key=lambda r: r.key):
        user = r.inputs.get("username")
        if r.type in (MEMBERSHIP, TEAM_MEMBERSHIP, COLLABORATOR) and isinstance(user, str):
            out.setdefault(login_key(user), user)
    return out


def person_changes(base: Plan, head: Plan) -> tuple[PersonChange, ...]:
    """Per person (sorted by login), the grants added, removed and changed between the plans,
    and logins whose spelling changed only in case."""
    old, new = grants(base), grants(head)
    before, after = spellings(base), spellings(head)
    respelled = {
        p: (before[p], after[p]) for p in before.keys() & after.keys() if before[p] != after[p]
    }
    added: dict[str, list[Grant]] = {}
    removed: dict[str, list[Grant]] = {}
    changed: dict[str, list[RoleChange]] = {}
    for key in old.keys() | new.keys():
        person = key[0]
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            added.setdefault(person, []).append(b)
        elif b is None and a is not None:
            removed.setdefault(person, []).append(a)
        elif a is not None and b is not None and a.role != b.role:
            changed.setdefault(person, []).append(RoleChange(a, b))
    # Someone becoming or ceasing to be an owner: `owner` says what they write and read.
    owner_changed = _owners_of(old) ^ _owners_of(new)
    for person in owner_changed:
        for grants_of in (added, removed):
            if person in grants_of:
                grants_of[person] = [g for g in grants_of[person] if g.scope.value not in DERIVED]
                if not grants_of[person]:
                    del grants_of[person]
    # A respelling matters only where a resource changes identity with it (a delete of the old
    # one acts on the same account); where names ignore case it changes nothing on GitHub.
    at_risk = {
        p: tuple(sorted(g for k, g in old.items() if k[0] == p and k in new and _moves(g, new[k])))
        for p in respelled
    }
    people = sorted(
        added.keys() | removed.keys() | changed.keys() | {p for p in at_risk if at_risk[p]}
    )
    return tuple(
        PersonChange(
            person=p,
            added=tuple(sorted(added.get(p, []))),
            removed=tuple(sorted(removed.get(p, []))),
            changed=tuple(sorted(changed.get(p, []), key=lambda c: (c.old, c.new))),
            respelled=respelled.get(p),
            at_risk=at_risk.get(p, ()),
        )
        for p in people
    )


def _moves(old: Grant, new: Grant) -> bool:
    return old.resource != new.resource


def owners(plan: Plan) -> set[str]:
    return {person for (person, scope, _), g in grants(plan).items() if g.label == "owner"}


# --- per secret ----------------------------------------------------------------------------------


class TargetOp(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    AUDIENCE = "audience"
    """The same target reaches a different audience."""
    REACH = "reach"
    """Same audience, different reason (e.g. one more repository of the same audience)."""


def _rank(audience: str) -> int:
    # An audience this code does not know counts as the widest: fail towards "widened".
    try:
        return Audience(audience).rank
    except ValueError:
        return len(Audience)


@dataclass(frozen=True)
class TargetChange:
    target: str
    op: TargetOp
    old: TargetLineage | None
    new: TargetLineage | None

    @property
    def widened(self) -> bool:
        """Someone can read the secret who could not before: a new target, or a wider audience."""
        if self.op is TargetOp.ADDED:
            return True
        if self.op is TargetOp.AUDIENCE and self.old and self.new:
            return _rank(self.new.audience) > _rank(self.old.audience)
        return False


class SecretOp(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class SecretChange:
    secret: str
    op: SecretOp
    old: SecretLineage | None
    new: SecretLineage | None
    targets: tuple[TargetChange, ...] = ()

    def _pair(self, attr: str) -> tuple[str, str] | None:
        if self.old is None or self.new is None:
            return None
        a, b = getattr(self.old, attr), getattr(self.new, attr)
        return (a, b) if a != b else None

    @property
    def onepassword(self) -> tuple[str, str] | None:
        """The 1Password reference, old → new (a reference, never a value)."""
        return self._pair("onepassword")

    @property
    def cleared_for(self) -> tuple[str, str] | None:
        return self._pair("cleared_for")

    @property
    def sensitivity(self) -> tuple[str, str] | None:
        return self._pair("sensitivity")

    @property
    def widened(self) -> bool:
        return self.op is SecretOp.CHANGED and any(t.widened for t in self.targets)

    @property
    def guard_loosened(self) -> bool:
        """The leak guard now allows more: cleared for a wider audience, or rated less sensitive."""
        order = list(Sensitivity)
        if self.cleared_for and _rank(self.cleared_for[1]) > _rank(self.cleared_for[0]):
            return True
        if self.sensitivity:
            a, b = self.sensitivity
            known = {s.value: i for i, s in enumerate(order)}
            return known.get(b, -1) < known.get(a, len(order))
        return False


def _target_changes(
    old: Iterable[TargetLineage], new: Iterable[TargetLineage]
) -> tuple[TargetChange, ...]:
    before = {t.target: t for t in old}
    after = {t.target: t for t in new}
    out: list[TargetChange] = []
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a is None:
            out.append(TargetChange(name, TargetOp.ADDED, None, b))
        elif b is None:
            out.append(TargetChange(name, TargetOp.REMOVED, a, None))
        elif a.audience != b.audience:
            out.append(TargetChange(name, TargetOp.AUDIENCE, a, b))
        elif a.why != b.why:
            out.append(TargetChange(name, TargetOp.REACH, a, b))
    return tuple(out)


def secret_changes(base: Plan, head: Plan) -> tuple[SecretChange, ...]:
    """Per secret id (sorted), what changed in its source, clearance and audiences."""
    before = {s.secret: s for s in base.lineage}
    after = {s.secret: s for s in head.lineage}
    out: list[SecretChange] = []
    for sid in sorted(before.keys() | after.keys()):
        a, b = before.get(sid), after.get(sid)
        if a is None and b is not None:
            out.append(SecretChange(sid, SecretOp.ADDED, None, b, _target_changes([], b.targets)))
        elif b is None and a is not None:
            out.append(SecretChange(sid, SecretOp.REMOVED, a, None, _target_changes(a.targets, [])))
        elif a is not None and b is not None and a != b:
            change = SecretChange(
                sid, SecretOp.CHANGED, a, b, _target_changes(a.targets, b.targets)
            )
            # Rotation policy or owner changes alone are not about who can read the secret.
            if change.targets or change.onepassword or change.cleared_for or change.sensitivity:
                out.append(change)
    return tuple(out)

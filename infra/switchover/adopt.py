"""`cfinfra adopt --from SNAPSHOT`: write the live values into the data files, keeping their layout.

For everything this stack manages and the snapshot recorded, the declared value is set to the live
one: organisation settings (including the not-public ones, once an owner's snapshot shows them),
the Actions policy, GitHub App ids of ruleset bypass actors, repository settings and vulnerability
alerts, the permission of each declared team grant, webhook events, team descriptions, privacy,
parents and team roles, and the Heroku dyno formation. YAML files are edited round-trip
(ruamel.yaml: comments, order, flow style and quoting stay); team CSV files keep their rows and
only change a `role` cell. Every changed value is reported; running it again changes nothing.

Not adopted, and said so: org membership roles (moving someone between `owners.csv` and
`members.csv` is a governance decision), team members declared here but not in the team (or the
other way round), team grants live but not declared (who writes a repository is an access
decision: add it to the repository's `teams` with the snapshot as evidence), and values the model
cannot express.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from infra.config.github import Repository, Webhook
from infra.config.github_org import ActionsPolicy, OrgSettings
from infra.config.loader import Project
from infra.config.secretscan import looks_like_credential, redact
from infra.live.against import live_permission
from infra.live.recorded import Snapshot

STACK_KEY = "cfinfra:github"
MASK = "[secret]"


@dataclass(frozen=True)
class Edit:
    file: str
    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        old, new = _show(self.old, self.path), _show(self.new, self.path)
        return redact(f"{self.file}: {self.path}: {old} -> {new}", mask=MASK)


def _show(value: Any, path: str) -> str:
    """A value as an edit line shows it; anything the scanner flags is masked, never printed."""
    if value is None:
        return "(not declared)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v, f'{path}.{k}')}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, path) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return MASK if looks_like_credential(str(value), path) else str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- round-trip YAML: values change, comments stay where they were --------------------------------


def _commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel's own containers (which can carry a moved comment)."""
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _commented(v)
        return out
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _last_entry(node: Any) -> tuple[Any, Any] | None:
    """(container, key or index) of the entry a block collection's text ends with.

    ruamel attaches the full-line comments that follow a block collection (often the comment of the
    *next* key) to the innermost last entry; a flow collection (``{a: 1}``) holds none.
    """
    if not isinstance(node, CommentedMap | CommentedSeq) or not node or node.fa.flow_style():
        return None
    key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
    return _last_entry(node[key]) or (node, key)


def _slot(container: Any) -> int:
    return 2 if isinstance(container, CommentedMap) else 0


def _take_tail(node: Any) -> str | None:
    """Detach the full-line comments after ``node``'s last entry (its end-of-line one stays)."""
    last = _last_entry(node)
    if last is None:
        return None
    container, key = last
    entry = container.ca.items.get(key)
    token = entry[_slot(container)] if entry else None
    if token is None:
        return None
    head, _, rest = token.value.partition("\n")
    if not rest:
        return None
    if head.strip():
        token.value = head + "\n"
    else:
        entry[_slot(container)] = None
    return str(rest)


def _put_tail(node: Any, rest: str | None) -> None:
    """Attach ``rest`` (from ``_take_tail``) after ``node``'s (new) last entry."""
    last = _last_entry(node)
    if rest is None or last is None:
        return
    container, key = last
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    token = entry[_slot(container)]
    if token is None:
        entry[_slot(container)] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        token.value = token.value + rest


def _assign(node: Any, key: str, value: Any) -> None:
    """``node[key] = value``; a key that is new goes last, *before* the comments that followed the
    mapping's old last entry (they introduce what comes after the mapping)."""
    tail = _take_tail(node)
    node[key] = _commented(value)
    _put_tail(node, tail)


def _remove(node: Any, key: str) -> None:
    tail = _take_tail(node)
    del node[key]
    _put_tail(node, tail)


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    # ruamel writes None as an empty value; the data files spell it `null` (and must keep it).
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


class YamlFiles:
    """Round-trip YAML documents and CSV texts, loaded once; nothing is written here."""

    def __init__(self, root: Path):
        self.root = root
        self.yaml = _yaml()
        self.docs: dict[Path, Any] = {}
        self.texts: dict[Path, str] = {}
        """New texts of non-YAML files (the team CSV files)."""
        self.dirty: set[Path] = set()

    def doc(self, rel: str) -> Any:
        path = self.root / rel
        if path not in self.docs:
            self.docs[path] = self.yaml.load(path.read_text(encoding="utf-8"))
        return self.docs[path]

    def dump(self, data: Any) -> str:
        buf = io.StringIO()
        self.yaml.dump(data, buf)
        return buf.getvalue()

    def changes(self) -> dict[Path, str]:
        """Every changed file's new text (write them with ``infra.config.files.write_all``)."""
        out = {path: self.dump(self.docs[path]) for path in self.dirty if path in self.docs}
        return {**out, **self.texts}


@dataclass
class Adoption:
    root: Path
    files: YamlFiles
    edits: list[Edit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def set(self, rel: str, keys: list[str], value: Any) -> None:
        """Set ``keys`` (a path of mapping keys) in YAML file ``rel`` to ``value`` if it differs."""
        node = self.files.doc(rel)
        for i, key in enumerate(keys[:-1]):
            if node.get(key) is None:  # the rest of the path is new: one insertion, built whole
                nested: Any = value
                for inner in reversed(keys[i + 1 :]):
                    nested = {inner: nested}
                _assign(node, key, nested)
                self._changed(rel, keys, None, value)
                return
            node = node[key]
        old = node.get(keys[-1])
        if _plain(old) == _plain(value):
            return
        if isinstance(old, dict) and isinstance(value, dict):
            before = _plain(old)
            for k, v in value.items():  # keep the mapping's layout (flow style, comments)
                if _plain(old.get(k)) != _plain(v) or k not in old:
                    _assign(old, k, v)
            for k in [k for k in old if k not in value]:
                _remove(old, k)
            self._changed(rel, keys, before, value)
        else:
            _assign(node, keys[-1], value)
            self._changed(rel, keys, _plain(old), value)

    def _changed(self, rel: str, keys: list[str], old: Any, new: Any) -> None:
        self.files.dirty.add(self.root / rel)
        self.edits.append(Edit(rel, ".".join(keys), old, _plain(new)))


# --- where an entity lives ----------------------------------------------------------------------


def _stack_file(project: Project) -> str:
    return project.stack_file


def _entity(project: Project, folder: str, name: str, key: str) -> tuple[str, list[str]]:
    """(file, key path) of a repository or webhook: its own file, or the stack file."""
    own = f"data/github/{folder}/{name}.yaml"
    if (project.root / own).is_file():
        return own, []
    return _stack_file(project), ["config", STACK_KEY, key, name]


# --- per surface ----------------------------------------------------------------------------------

_PROFILE = ("name", "description", "blog", "twitter_username")
_FLAGS = ("has_organization_projects", "has_repository_projects", "web_commit_signoff_required")
_NEW_REPO = {
    "dependency_graph": "dependency_graph_enabled_for_new_repositories",
    "dependabot_alerts": "dependabot_alerts_enabled_for_new_repositories",
    "dependabot_security_updates": "dependabot_security_updates_enabled_for_new_repositories",
    "secret_scanning": "secret_scanning_enabled_for_new_repositories",
    "secret_scanning_push_protection": (
        "secret_scanning_push_protection_enabled_for_new_repositories"
    ),
    "advanced_security": "advanced_security_enabled_for_new_repositories",
}


def _org_settings(a: Adoption, project: Project, snap: Snapshot, org: str) -> None:
    live = snap.get(f"/orgs/{org}")
    if not isinstance(live, dict):
        return
    s: OrgSettings = project.config.github.org_settings
    base = ["config", STACK_KEY, "org_settings"]
    stack = _stack_file(project)
    for key in _PROFILE:
        value = live.get(key) or None
        if value != getattr(s, key):
            a.set(stack, [*base, key], value)
    for key in _FLAGS:
        if key in live and live[key] != getattr(s, key):
            a.set(stack, [*base, key], live[key])
    if "default_repository_permission" in live:
        current = s.default_repository_permission
        if live["default_repository_permission"] != (current.value if current else None):
            a.set(
                stack,
                [*base, "default_repository_permission"],
                live["default_repository_permission"],
            )
    if "members_can_create_repositories" in live:
        kinds = {
            live.get(k)
            for k in (
                "members_can_create_repositories",
                "members_can_create_public_repositories",
                "members_can_create_private_repositories",
            )
            if k in live
        }
        if len(kinds) > 1:
            a.notes.append(
                "org_settings.members_can_create_repositories: GitHub allows public and private "
                "repository creation differently; one setting here cannot express it"
            )
        elif live["members_can_create_repositories"] != s.members_can_create_repositories:
            a.set(
                stack,
                [*base, "members_can_create_repositories"],
                live["members_can_create_repositories"],
            )
    if all(v in live for v in _NEW_REPO.values()):
        new = {k: bool(live[v]) for k, v in _NEW_REPO.items()}
        declared = s.new_repositories.model_dump() if s.new_repositories else None
        if new != declared:
            a.set(stack, [*base, "new_repositories"], new)


def _actions(a: Adoption, project: Project, snap: Snapshot, org: str) -> None:
    perms = snap.get(f"/orgs/{org}/actions/permissions")
    if not isinstance(perms, dict):
        return
    if perms.get("enabled_repositories") == "selected":
        a.notes.append(
            "actions: enabled for selected repositories only; this stack cannot declare the "
            "list, so the policy stays unmanaged"
        )
        return
    policy: dict[str, Any] = {
        "enabled_repositories": perms.get("enabled_repositories"),
        "allowed_actions": perms.get("allowed_actions"),
    }
    if perms.get("allowed_actions") == "selected":
        sel = snap.get(f"/orgs/{org}/actions/permissions/selected-actions") or {}
        policy["github_owned_allowed"] = bool(sel.get("github_owned_allowed"))
        policy["verified_allowed"] = bool(sel.get("verified_allowed"))
        policy["patterns_allowed"] = sorted(sel.get("patterns_allowed") or [])
    policy["sha_pinning_required"] = bool(perms.get("sha_pinning_required"))
    current = project.config.github.actions
    if current is not None and ActionsPolicy.model_validate(policy) == current:
        return
    a.set(_stack_file(project), ["config", STACK_KEY, "actions"], policy)


def _apps(a: Adoption, project: Project, snap: Snapshot) -> None:
    for slug, app in sorted(project.config.github.rulesets.apps.items()):
        live = snap.get(f"/apps/{slug}")
        if isinstance(live, dict) and isinstance(live.get("id"), int) and live["id"] != app.app_id:
            a.set(
                _stack_file(project),
                ["config", STACK_KEY, "rulesets", "apps", slug, "app_id"],
                live["id"],
            )


_REPO_FIELDS = (
    "description",
    "has_issues",
    "delete_branch_on_merge",
    "allow_merge_commit",
    "allow_squash_merge",
    "allow_rebase_merge",
)


def _repositories(a: Adoption, project: Project, snap: Snapshot, org: str) -> None:
    for name, repo in sorted(project.config.github.repositories.items()):
        live = snap.get(f"/repos/{org}/{name}")
        if not isinstance(live, dict):
            continue
        file, keys = _entity(project, "repositories", name, "repositories")
        wanted: dict[str, Any] = {}
        for key in _REPO_FIELDS:
            if key in live and (
                live[key] or None if key == "description" else live[key]
            ) != getattr(repo, key):
                wanted[key] = live[key] or None if key == "description" else live[key]
        alerts = snap.get(f"/repos/{org}/{name}/vulnerability-alerts")
        if isinstance(alerts, bool) and alerts != repo.vulnerability_alerts:
            wanted["vulnerability_alerts"] = alerts
        for key, value in wanted.items():
            a.set(file, [*keys, key], value)
        if wanted:
            Repository.model_validate({**repo.model_dump(mode="json"), **wanted})
        _team_grants(a, project, snap, org, name)


def _team_grants(a: Adoption, project: Project, snap: Snapshot, org: str, name: str) -> None:
    """The live permission of each declared grant; a live grant not declared is a note."""
    path = f"/repos/{org}/{name}/teams"
    listed = snap.get(path)
    if not isinstance(listed, list):
        return
    live = {
        str(t.get("slug", "")).lower(): live_permission(t) for t in listed if isinstance(t, dict)
    }
    gh = project.config.github
    repo = gh.repositories[name]
    file, keys = _entity(project, "repositories", name, "repositories")
    entries = [access.model_dump(mode="json") for access in repo.teams]
    for entry, access in zip(entries, repo.teams, strict=True):
        held = live.get(access.slug)
        if held is None:
            a.notes.append(f"{file}: team `{access.team}` has no grant on {name} on GitHub")
        else:
            entry["permission"] = held
    if entries != [access.model_dump(mode="json") for access in repo.teams]:
        a.set(file, [*keys, "teams"], entries)
    declared = {t.slug for t in repo.teams}
    if repo.sensitive:
        declared.add(gh.rulesets.review_team)
    for slug, held in sorted(live.items()):
        if slug not in declared:
            a.notes.append(
                f"team `{slug}` holds `{held}` on {name} on GitHub ({path}): not declared; add "
                f"it to the `teams` of {file} with the snapshot as its evidence if it is meant"
            )


def _webhooks(a: Adoption, project: Project, snap: Snapshot, org: str) -> None:
    gh = project.config.github
    for hook_id, hook in sorted(gh.webhooks.items()):
        path = f"/repos/{org}/{hook.repository}/hooks" if hook.repository else f"/orgs/{org}/hooks"
        url = gh.webhook_base_url + hook.path
        live = next(
            (h for h in snap.get(path) or [] if (h.get("config") or {}).get("url") == url), None
        )
        if live is None:
            continue
        file, keys = _entity(project, "webhooks", hook_id, "webhooks")
        if sorted(live.get("events", [])) != sorted(hook.events):
            a.set(file, [*keys, "events"], sorted(live["events"]))
        if "active" in live and live["active"] != hook.active:
            a.set(file, [*keys, "active"], live["active"])
        Webhook.model_validate(hook.model_dump(mode="json"))


def _teams(a: Adoption, project: Project, snap: Snapshot, org: str) -> None:
    people = project.people
    if people is None:
        return
    for team in people.declared_teams():
        live = snap.get(f"/orgs/{org}/teams/{team.slug}")
        spec = team.spec
        if not isinstance(live, dict) or spec is None:
            continue
        keys = [team.slug]
        if live.get("description") and live["description"] != spec.description:
            a.set("data/github/teams.yaml", [*keys, "description"], live["description"])
        if live.get("privacy") and live["privacy"] != spec.privacy.value:
            a.set("data/github/teams.yaml", [*keys, "privacy"], live["privacy"])
        parent = (live.get("parent") or {}).get("slug")
        if parent != spec.parent:
            a.set("data/github/teams.yaml", [*keys, "parent"], parent)
        _team_roles(a, snap, org, team)


def _team_roles(a: Adoption, snap: Snapshot, org: str, team: Any) -> None:
    roles: dict[str, str] = {}
    for role in ("maintainer", "member"):
        for m in snap.get(f"/orgs/{org}/teams/{team.slug}/members?role={role}") or []:
            if isinstance(m, dict) and not m.get("inherited"):  # a child team's, not this one's
                roles[str(m.get("login", "")).lower()] = role
    if not roles:
        return
    changed = {
        m.key: roles[m.key] for m in team.members if m.key in roles and roles[m.key] != m.role.value
    }
    for m in team.members:
        if m.key not in roles:
            a.notes.append(f"{team.file}: `{m.login}` is not in team `{team.slug}` on GitHub")
    if not changed:
        return
    path = a.root / team.file
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = rows[0]
    if "role" not in header:
        header.append("role")
        rows = [header] + [[*r, ""] for r in rows[1:]]
    gi, ri = header.index("github"), header.index("role")
    for row in rows[1:]:
        if row and row[gi].lower() in changed:
            a.edits.append(
                Edit(team.file, f"{row[gi]}.role", row[ri] or "member", changed[row[gi].lower()])
            )
            row[ri] = changed[row[gi].lower()]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    a.files.texts[path] = buf.getvalue()


def _memberships(a: Adoption, project: Project, snap: Snapshot, org: str) -> None:
    people = project.people
    if people is None:
        return
    for role, listed in (("admin", people.owners), ("member", people.members)):
        for p in listed:
            live = snap.get(f"/orgs/{org}/memberships/{p.login}")
            if isinstance(live, dict) and live.get("role") != role:
                a.notes.append(
                    f"`{p.login}` is `{live.get('role')}` on GitHub but listed as `{role}`: "
                    "not adopted (a role is a governance decision; move the row by hand)"
                )


def _heroku(a: Adoption, project: Project, snap: Snapshot) -> None:
    for name in sorted(project.config.heroku.apps):
        live = snap.get(f"https://api.heroku.com/apps/{name}/formation")
        if not isinstance(live, list):
            continue
        formation = {
            str(f["type"]): {"size": str(f["size"]).lower(), "quantity": int(f["quantity"])}
            for f in live
        }
        current = {
            k: {"size": v.size.value, "quantity": v.quantity}
            for k, v in project.config.heroku.apps[name].formation.items()
        }
        if formation != current:
            a.set(
                _stack_file(project),
                ["config", "cfinfra:heroku", "apps", name, "formation"],
                formation,
            )


def adopt(project: Project, snap: Snapshot) -> Adoption:
    """Compute every edit, in memory: ``files.changes()`` are the new texts; nothing is written."""
    org = project.config.github.org
    a = Adoption(project.root, YamlFiles(project.root))
    _org_settings(a, project, snap, org)
    _actions(a, project, snap, org)
    _apps(a, project, snap)
    _repositories(a, project, snap, org)
    _webhooks(a, project, snap, org)
    _teams(a, project, snap, org)
    _memberships(a, project, snap, org)
    _heroku(a, project, snap)
    return a


def iter_lines(a: Adoption) -> Iterator[str]:
    """The report: every edit and every note, with what the credential scanner flags masked."""
    for e in a.edits:
        yield f"  {e}"
    for n in a.notes:
        yield redact(f"  not adopted: {n}", mask=MASK)

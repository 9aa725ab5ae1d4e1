"""Turn conda-forge/.cirun's live `.access.yml` into `data/runners/access/` (pure, then write).

Every policy becomes a grant of its feedstock's access file, keeping its id (as `name`, or as an
explicit `id` when it does not follow `<feedstock>-feedstock[-<name>]-policy`), `roles`,
`pull_request`, and `users` or `users_from_json` (omitted when equal to `policy-defaults.yaml`). A
policy's resources are every `access_control` entry that lists it (entries may repeat a label).

A grant that cannot be kept is never dropped silently: each one is named in ``dropped``:
- a label of a retired host (its runners no longer exist; `resources.yaml` keeps it as history),
- a label `resources.yaml` does not know (add the runner there first, then import again),
- a policy for a repository that is not a feedstock, or one that no `access_control` entry uses.
With ``--global``, labels defined by the live `.cirun.global.yml` but absent from `resources.yaml`
(and the other way round) are reported as notes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config.base import validate
from infra.config.files import UnsafeName, file_in
from infra.config.runners import FEEDSTOCK_PATTERN, CirunGrant, FeedstockAccess, RunnerData
from infra.config.yamlio import display_path, load_yaml, printable
from infra.errors import Problem
from infra.runners.access_files import canonical_text

FEEDSTOCK_SUFFIX = "-feedstock"
_FEEDSTOCK = re.compile(FEEDSTOCK_PATTERN)


@dataclass
class Imported:
    """The result: access by feedstock, and everything that could not be kept, by name."""

    access: dict[str, list[CirunGrant]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    policies: int = 0
    grants: int = 0
    """Live (policy, label) pairs."""
    kept: int = 0
    """Of those, kept as data."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def read_live_yaml(path: Path, root: Path | None) -> tuple[Any, list[Problem]]:
    """A live file named on the command line (a `.cirun` checkout, anywhere): ``root`` only
    shortens its name in messages, it does not confine it."""
    if not path.is_file():
        return None, [Problem(display_path(path, root), "", "no such file")]
    return load_yaml(path, root, confine=False)


def _check_shape(doc: Any, shown: str) -> list[Problem]:
    if not isinstance(doc, dict):
        return [Problem(shown, "", "expected a mapping with `policies` and `access_control`")]
    problems = []
    if doc.get("version") != 1:
        problems.append(Problem(shown, "version", "only version 1 is understood"))
    for key in ("policies", "access_control"):
        if not isinstance(doc.get(key), list):
            problems.append(Problem(shown, key, "expected a list"))
    for i, p in enumerate(_as_list(doc.get("policies"))):
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            problems.append(Problem(shown, f"policies[{i}]", "a policy needs an `id`"))
        elif not isinstance(p.get("repo"), str):
            problems.append(Problem(shown, f"policies[{i}].repo", "a policy needs a `repo`"))
    for i, a in enumerate(_as_list(doc.get("access_control"))):
        if not isinstance(a, dict) or not isinstance(a.get("resource"), str):
            problems.append(Problem(shown, f"access_control[{i}]", "an entry needs a `resource`"))
    return problems


def _grant_name(policy_id: str, feedstock: str) -> tuple[str | None, str | None]:
    """(name, explicit id): the id is derived from the name when it follows the pattern."""
    stem = f"{feedstock}{FEEDSTOCK_SUFFIX}"
    if policy_id == f"{stem}-policy":
        return None, None
    if policy_id.startswith(f"{stem}-") and policy_id.endswith("-policy"):
        name = policy_id[len(stem) + 1 : -len("-policy")]
        if name and name.replace("-", "").isalnum() and name == name.lower():
            return name, None
    return None, policy_id


def import_access(
    doc: Mapping[str, Any],
    data: RunnerData,
    shown: str,
    global_doc: Mapping[str, Any] | None = None,
) -> tuple[Imported, list[Problem]]:
    """The grants of a live `.access.yml` as access data (nothing written)."""
    problems = _check_shape(doc, shown)
    if problems:
        return Imported(), problems
    result = Imported()
    labels_of: dict[str, list[str]] = {}
    for entry in _as_list(doc["access_control"]):
        for pid in _as_list(entry.get("policies")):
            labels = labels_of.setdefault(str(pid), [])
            if entry["resource"] not in labels:
                labels.append(entry["resource"])
    known = {r.label: r for r in data.resources}
    defaults = data.policy_defaults
    seen_ids: set[str] = set()
    for i, policy in enumerate(_as_list(doc["policies"])):
        pid, repo = policy["id"], policy["repo"]
        result.policies += 1
        if pid in seen_ids:
            problems.append(Problem(shown, f"policies[{i}].id", f"`{pid}` is defined twice"))
            continue
        seen_ids.add(pid)
        labels = labels_of.get(pid, [])
        result.grants += len(labels)
        if not repo.endswith(FEEDSTOCK_SUFFIX):
            result.dropped.append(f"{pid}: `{repo}` is not a feedstock (all its grants)")
            continue
        if not _FEEDSTOCK.match(repo.removesuffix(FEEDSTOCK_SUFFIX)):
            # It becomes a file name under data/runners/access/: a path there is an attack.
            problems.append(
                Problem(
                    shown,
                    f"policies[{i}].repo",
                    f"`{printable(repo)}` is not a feedstock repository name "
                    "(lower-case letters, digits, `._-`; no path)",
                )
            )
            continue
        if not labels:
            result.dropped.append(f"{pid}: no `access_control` entry uses it (grants nothing)")
            continue
        feedstock = repo.removesuffix(FEEDSTOCK_SUFFIX)
        kept = []
        for label in labels:
            resource = known.get(label)
            if resource is None:
                result.dropped.append(f"{pid} → {label}: label unknown to resources.yaml")
            elif not data.is_current(resource):
                result.dropped.append(f"{pid} → {label}: retired (host {resource.host})")
            else:
                kept.append(label)
        if not kept:
            result.dropped.append(f"{pid}: every label it grants is dropped (policy left out)")
            continue
        name, explicit_id = _grant_name(pid, feedstock)
        roles = [str(r) for r in _as_list(policy.get("roles"))] or None
        raw: dict[str, Any] = {
            "name": name,
            "id": explicit_id,
            "resources": kept,
            "pull_request": bool(policy.get("pull_request", False)),
        }
        if roles is not None and roles != [str(r) for r in defaults.roles]:
            raw["roles"] = roles
        if policy.get("users") is not None:
            raw["users"] = sorted(_as_list(policy["users"]), key=str.lower)
        elif policy.get("users_from_json") not in (None, defaults.users_from_json):
            raw["users_from_json"] = policy["users_from_json"]
        grant, found = validate(CirunGrant, raw, shown, prefix=(f"policies[{i}]",))
        problems.extend(found)
        if grant is None:
            continue
        result.kept += len(kept)
        result.access.setdefault(feedstock, []).append(grant)
    if global_doc is not None:
        live = {
            str(r.get("name"))
            for r in _as_list(global_doc.get("runners"))
            if isinstance(r, dict) and r.get("name")
        }
        ours = {r.label for r in data.current_resources if r.in_global_config}
        for label in sorted(live - set(known)):
            result.notes.append(f"{label}: defined by the live .cirun.global.yml, unknown here")
        for label in sorted(ours - live):
            result.notes.append(f"{label}: in resources.yaml, not in the live .cirun.global.yml")
    return result, problems


def access_changes(
    data: RunnerData, folder: Path, imported: Imported
) -> tuple[dict[Path, str | None], list[str], list[Problem]]:
    """The new text of every access file (None: delete it) so that `access/`'s cirun grants are
    exactly the imported ones; nothing is written.

    Large-runner grants (not in `.access.yml`) are kept. Returns the changes, a line per cirun
    grant that the data had but the live file does not (removed from the data), and a problem for
    any feedstock name that is not a plain file name inside ``folder``.
    """
    changes: dict[Path, str | None] = {}
    removed: list[str] = []
    problems: list[Problem] = []
    existing = {a.feedstock: a.access for a in data.access}
    for feedstock in sorted(set(existing) | set(imported.access)):
        try:
            path = file_in(folder, feedstock, ".yaml")
        except UnsafeName as exc:
            problems.append(Problem(display_path(folder, None), "", str(exc)))
            continue
        old = existing.get(feedstock, FeedstockAccess())
        grants = imported.access.get(feedstock, [])
        new_ids = {g.policy_id(feedstock) for g in grants}
        removed += [
            f"{g.policy_id(feedstock)}: in the data, not in the live file (removed)"
            for g in old.cirun
            if g.policy_id(feedstock) not in new_ids
        ]
        access = FeedstockAccess(cirun=grants, large_runners=old.large_runners)
        if not access.cirun and not access.large_runners:
            if path.exists():
                changes[path] = None
            continue
        text = canonical_text(data, feedstock, access)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            changes[path] = text
    return changes, removed, problems


def sorted_lines(lines: Sequence[str]) -> list[str]:
    return sorted(lines, key=str.lower)

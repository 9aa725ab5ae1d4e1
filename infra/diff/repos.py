"""Per repository (and feedstock): what a change does to it, from the resource diff.

Reviewers of a runner grant or a secret's reach think in repositories ("does ``vllm-feedstock``
get the GPU?"), while the resource diff is per resource. This view regroups the same changes by
the repository they concern:

- a ``Repository`` itself (created, deleted, settings changed);
- any resource whose inputs name a ``repository`` (webhooks, rulesets, files, team and
  collaborator access);
- a ``selectedRepositoryIds`` list (org secrets, runner groups): who gains or loses it;
- entries of a generated YAML file (``.cirun/.access.yml``) that name a ``repo``: a policy added,
  removed or changed, so a grant written by ``cfinfra runners apply-request`` is named after its
  feedstock.

Pure: a ``PlanDiff`` in, sorted entries out. Names are compared case-insensitively (GitHub's rule).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from infra.diff.compare import MISSING, Op, PlanDiff, ResourceChange

REPOSITORY = "github:index/repository:Repository"
_ID = re.compile(r"^<[a-z_]+:(?:[^/>]+/)?(?P<name>[^>]+)>$")
MAX_YAML = 1_000_000
"""Characters: a generated file bigger than this is not parsed for per-repository entries."""


@dataclass(frozen=True, order=True)
class RepoEvent:
    """One thing that happens to one repository; ``what`` is Markdown made by the caller."""

    repo: str
    sign: str
    """``+`` gains, ``-`` loses, ``~`` changes."""
    kind: str
    """A short noun: ``repository``, ``org secret``, ``runner access`` …"""
    subject: str
    """What it gains, loses or changes (a secret name, a policy id, a resource name)."""
    where: str = ""
    """Through which resource (``type::name``) or file."""
    pending: bool = False
    """Recorded in a file whose content ``pulumi up`` ignores: not applied (docs/migration.md)."""


def short_type(type_token: str) -> str:
    """``github:index/repositoryWebhook:RepositoryWebhook`` → ``RepositoryWebhook``."""
    return type_token.rsplit(":", 1)[-1]


def repo_name(value: object) -> str | None:
    """A repository's name from a plan value: a name, or an offline id ``<repo_id:org/name>``."""
    if not isinstance(value, str) or not value:
        return None
    m = _ID.match(value)
    return m.group("name") if m else value


def repository_events(diff: PlanDiff) -> dict[str, list[RepoEvent]]:
    """Lower-cased repository name → its events, sorted; repositories sorted by name."""
    out: dict[str, list[RepoEvent]] = {}
    for change in diff.changes:
        for event in _events(change):
            out.setdefault(event.repo.lower(), []).append(event)
    return {k: sorted(set(v)) for k, v in sorted(out.items())}


def _sides(c: ResourceChange) -> Iterator[dict[str, Any]]:
    for r in (c.before, c.after):
        if r is not None:
            yield r.inputs


def _sign(op: Op) -> str:
    return {Op.CREATE: "+", Op.DELETE: "-", Op.UPDATE: "~"}[op]


def _events(c: ResourceChange) -> Iterator[RepoEvent]:
    where = f"{short_type(c.type)} {c.name}"
    if c.type == REPOSITORY:
        for inputs in _sides(c):
            name = repo_name(inputs.get("name"))
            if name:
                fields = ", ".join(f.path for f in c.fields)
                yield RepoEvent(name, _sign(c.op), "repository", fields)
                break
    repos = {n for n in (repo_name(i.get("repository")) for i in _sides(c)) if n}
    for name in sorted(repos):
        if c.type != REPOSITORY:
            yield RepoEvent(name, _sign(c.op), short_type(c.type), c.name)
    yield from _selected(c, where)
    yield from _yaml_entries(c, where)


def _label(c: ResourceChange) -> tuple[str, str]:
    """(kind, subject) for a resource carrying ``selectedRepositoryIds``."""
    side = c.after or c.before
    inputs = side.inputs if side is not None else {}
    if "secretName" in inputs:
        return "org secret", str(inputs["secretName"])
    if "RunnerGroup" in c.type:
        return "runner group", str(inputs.get("name", c.name))
    return short_type(c.type), c.name


def _ids(value: Any) -> set[str]:
    if not isinstance(value, list):
        return set()
    return {n for n in (repo_name(v) for v in value) if n}


def _selected(c: ResourceChange, where: str) -> Iterator[RepoEvent]:
    kind, subject = _label(c)
    old = _ids(c.before.inputs.get("selectedRepositoryIds")) if c.before else set()
    new = _ids(c.after.inputs.get("selectedRepositoryIds")) if c.after else set()
    if c.op is Op.UPDATE and not any(f.path == "selectedRepositoryIds" for f in c.fields):
        return
    lowered_old = {n.lower() for n in old}
    lowered_new = {n.lower() for n in new}
    for name in sorted(new):
        if name.lower() not in lowered_old:
            yield RepoEvent(name, "+", kind, subject, where)
    for name in sorted(old):
        if name.lower() not in lowered_new:
            yield RepoEvent(name, "-", kind, subject, where)


def _yaml_entries(c: ResourceChange, where: str) -> Iterator[RepoEvent]:
    """Entries naming a ``repo`` in a generated YAML file's ``content``, base against head."""
    if not (c.before or c.after):
        return
    old = _repo_entries(c.before.inputs.get("content") if c.before else None)
    new = _repo_entries(c.after.inputs.get("content") if c.after else None)
    file = next((str(i.get("file")) for i in _sides(c) if isinstance(i.get("file"), str)), c.name)
    kind = "runner access" if file.endswith(".access.yml") else f"entry of {file}"
    # The content is in `ignore_changes` while admin-requests writes `.cirun`: nothing lands.
    pending = c.after is not None and c.after.ignores("content")
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key, MISSING), new.get(key, MISSING)
        if a == b:
            continue
        repo, ident = key
        sign = "+" if a is MISSING else "-" if b is MISSING else "~"
        yield RepoEvent(repo, sign, kind, ident, f"{where} ({file})", pending)


def _repo_entries(content: object) -> dict[tuple[str, str], str]:
    """(repo, id) → the entry as canonical JSON, for every mapping in the YAML with a ``repo``."""
    if not isinstance(content, str) or len(content) > MAX_YAML or "repo" not in content:
        return {}
    try:
        # Aliases are refused (a plan file may come from anywhere: no billion laughs), and a
        # nesting too deep for the parser is simply not looked into.
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(content, Loader=yaml.SafeLoader)):
            return {}
        doc = yaml.safe_load(content)
    except (yaml.YAMLError, RecursionError):
        return {}
    out: dict[tuple[str, str], str] = {}
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            repo = node.get("repo", node.get("repository"))
            if isinstance(repo, str) and repo:
                ident = str(node.get("id") or node.get("name") or repo)
                out[(repo, ident)] = json.dumps(node, sort_keys=True, default=str)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out

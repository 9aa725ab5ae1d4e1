"""Files found inside a snapshot, as `plan --against` compares them.

A file's body arrives base64-encoded inside outside JSON. Its YAML is read by the project's one
YAML reader (`infra.config.yamlio.parse_yaml`, the same limits as the stack's own data), and a
`.access.yml` is checked for the shape cirun reads before any grant is taken from it: a body that
is not a mapping, a policy without `repo`, `users: 3` are problems naming the snapshot and the
key path (exit 2), never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.config.yamlio import parse_yaml
from infra.errors import Problem

Grant = tuple[str, str, str, tuple[str, ...], bool, Any]
"""(label, policy id, repo, roles, pull_request, users) of one `.access.yml` grant."""


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def access_problems(doc: Any, shown: str) -> list[Problem]:
    """Every way ``doc`` is not the `.access.yml` cirun reads (empty: grants can be taken)."""
    if not isinstance(doc, dict):
        return [Problem(shown, "", "expected a mapping with `policies` and `access_control`")]
    problems = []
    for key in ("policies", "access_control"):
        if not isinstance(doc.get(key), list):
            problems.append(Problem(shown, key, "expected a list"))
    for i, p in enumerate(doc.get("policies") or []):
        at = f"policies[{i}]"
        if not isinstance(p, dict):
            problems.append(Problem(shown, at, "expected a mapping"))
            continue
        for key in ("id", "repo"):
            if not isinstance(p.get(key), str):
                problems.append(Problem(shown, f"{at}.{key}", f"a policy needs a string `{key}`"))
        for key in ("roles", "users"):
            if p.get(key) is not None and not _strings(p[key]):
                problems.append(Problem(shown, f"{at}.{key}", "expected a list of strings"))
        if not isinstance(p.get("pull_request", False), bool):
            problems.append(Problem(shown, f"{at}.pull_request", "expected true or false"))
    for i, a in enumerate(doc.get("access_control") or []):
        at = f"access_control[{i}]"
        if not isinstance(a, dict):
            problems.append(Problem(shown, at, "expected a mapping"))
            continue
        if not isinstance(a.get("resource"), str):
            problems.append(Problem(shown, f"{at}.resource", "an entry needs a string `resource`"))
        if not _strings(a.get("policies", [])):
            problems.append(Problem(shown, f"{at}.policies", "expected a list of policy ids"))
    return problems


def grants_of(doc: Mapping[str, Any]) -> set[Grant]:
    """A checked `.access.yml`'s grants as comparable tuples (logins compared lower-case)."""
    policies = {p["id"]: p for p in doc.get("policies") or []}
    out = set()
    for entry in doc.get("access_control") or []:
        for pid in entry.get("policies") or []:
            p = policies.get(pid)
            if p is None:
                continue
            users: Any = p.get("users_from_json")
            if p.get("users") is not None:
                users = tuple(sorted(u.lower() for u in p["users"]))
            out.add(
                (
                    entry["resource"],
                    pid,
                    p["repo"],
                    tuple(sorted(p.get("roles") or ())),
                    bool(p.get("pull_request", False)),
                    users,
                )
            )
    return out


def read_yaml(text: str, shown: str) -> tuple[Any, list[Problem]]:
    """YAML text found in a snapshot, through the project's one YAML reader; {} when empty."""
    data, problems = parse_yaml(text, shown)
    return ({} if data is None and not problems else data), problems


def read_access(text: str, shown: str) -> tuple[set[Grant] | None, list[Problem]]:
    """The grants of a `.access.yml`'s text, or None and every problem."""
    doc, problems = read_yaml(text, shown)
    if doc == {}:
        return set(), []  # an empty file grants nothing
    problems = problems or access_problems(doc, shown)
    return (None, problems) if problems else (grants_of(doc), [])

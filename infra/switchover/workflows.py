"""Every `uses:` of a set of GitHub Actions workflows, and what an Actions policy makes of each.

GitHub applies the organisation's Actions policy to each step's `uses:` and each job's reusable
workflow (`jobs.<id>.uses`), in workflows and in composite actions (`action.yml`). Under
`allowed_actions: selected` an action runs if it belongs to the organisation itself, is GitHub-owned
(`actions/*`, `github/*`) and `github_owned_allowed`, or matches a pattern of `patterns_allowed`
(`owner/repo[/path]@ref`, `*` wildcards; without `@`, any ref). `sha_pinning_required` refuses any
reference that is not a full commit SHA. Local (`./...`) and `docker://` references are not
governed by the allow-list.

Verified Marketplace creators cannot be known offline, so with `verified_allowed` an action that no
other rule allows is reported as "allowed only if its creator is verified".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import yaml

from infra.config.github_org import ActionsPolicy, AllowedActions, EnabledRepositories

SHA = re.compile(r"^[0-9a-f]{40}$")
GITHUB_OWNERS = frozenset({"actions", "github"})


@dataclass(frozen=True, order=True)
class Use:
    """One `uses:` reference: where it is and what it names."""

    repository: str
    file: str
    line: int
    ref: str

    @property
    def is_local(self) -> bool:
        return self.ref.startswith("./") or self.ref.startswith("docker://")

    @property
    def name(self) -> str:
        """`owner/repo[/path]`, lower-case (GitHub compares owners and names case-insensitively)."""
        return self.ref.split("@", 1)[0].lower()

    @property
    def version(self) -> str:
        return self.ref.split("@", 1)[1] if "@" in self.ref else ""

    @property
    def owner(self) -> str:
        return self.name.split("/", 1)[0]


@dataclass(frozen=True)
class Blocked:
    use: Use
    reason: str


def _uses_in(node: Any) -> Iterable[tuple[Any, str]]:
    """(yaml node, ref) of every `uses:` in a workflow or action document (composed nodes)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value == "uses"
                and isinstance(value, yaml.ScalarNode)
            ):
                yield value, str(value.value).strip()
            else:
                yield from _uses_in(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _uses_in(item)


def uses_of(repository: str, file: str, text: str) -> list[Use]:
    """Every `uses:` of one workflow or action file, with its line number.

    Raises ``yaml.YAMLError`` for text that is not YAML (the caller reports it).
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        return []
    return [
        Use(repository, file, node.start_mark.line + 1, ref)
        for node, ref in _uses_in(root)
        if ref and not ref.startswith("${{")
    ]


def _pattern_matches(pattern: str, use: Use) -> bool:
    name_pat, _, ref_pat = pattern.partition("@")
    if not fnmatchcase(use.name, name_pat.lower()):
        return False
    return not ref_pat or fnmatchcase(use.version, ref_pat)


def verdict(policy: ActionsPolicy, org: str, use: Use) -> str | None:
    """Why ``policy`` blocks ``use``, or None when it runs."""
    if policy.enabled_repositories is EnabledRepositories.NONE:
        return "Actions are disabled for every repository"
    if use.is_local:
        return None
    own = use.owner == org.lower()
    if policy.allowed_actions is AllowedActions.LOCAL_ONLY and not own:
        return f"only actions of {org} may run (`local_only`)"
    if policy.allowed_actions is AllowedActions.SELECTED and not own:
        allowed = (policy.github_owned_allowed and use.owner in GITHUB_OWNERS) or any(
            _pattern_matches(p, use) for p in policy.patterns_allowed
        )
        if not allowed:
            if policy.verified_allowed:
                return "not in the allow-list (allowed only if its creator is verified)"
            return "not in the allow-list"
    if policy.sha_pinning_required and not SHA.match(use.version):
        return f"referenced by `{use.version or '(no ref)'}`, not by a full commit SHA"
    return None


def audit(policy: ActionsPolicy, org: str, uses: Iterable[Use]) -> list[Blocked]:
    """Every use the policy would block, sorted by repository, file and line."""
    blocked = []
    for use in sorted(uses):
        reason = verdict(policy, org, use)
        if reason is not None:
            blocked.append(Blocked(use, reason))
    return blocked


def is_workflow_path(path: str) -> bool:
    """Workflow files and composite actions: the files GitHub applies the policy to."""
    parts = path.split("/")
    if parts[:2] == [".github", "workflows"] and len(parts) == 3:
        return path.endswith((".yml", ".yaml"))
    return parts[-1] in {"action.yml", "action.yaml"}

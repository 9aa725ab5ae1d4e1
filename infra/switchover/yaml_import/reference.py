"""What YAML cannot say (owners, sensitivity, clearance, audiences), taken from an existing project.

``cfinfra import-yaml --like DIR`` reads DIR's validated stack and manifest and looks entries up by
what both sides share: a secret by its 1Password reference, a repository, project or app by name, a
webhook by repository and path. Without ``--like`` every lookup misses and ``translate`` falls back
to its fail-closed defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config.azure import AzureProject
from infra.config.base import validate
from infra.config.github import Repository, read_github_entities
from infra.config.heroku import HerokuApp
from infra.config.manifest import AzureProjectIdTarget, Secret, SecretEntry
from infra.config.stack import StackConfig, StackFile
from infra.config.yamlio import display_path, load_yaml
from infra.errors import ConfigError, Problem


@dataclass(frozen=True)
class Reference:
    """An existing project's metadata, indexed for lookups. ``Reference()`` knows nothing."""

    config: StackConfig | None = None
    secrets: tuple[SecretEntry, ...] = ()
    root: Path | None = None
    raw_stack: dict[str, Any] = field(default_factory=dict, repr=False)
    """The stack file as parsed YAML: carried over where the YAML projects have nothing to say."""
    raw_secrets: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    """Manifest documents by secret id, as parsed YAML."""
    _by_uri: dict[str, SecretEntry] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, root: Path, stack: str) -> Reference:
        """Read ``root``'s stack file and manifest, each file schema-validated.

        Cross-file rules are not run: the reference only lends metadata, and the import's *output*
        is validated in full (leak guard included). That keeps ``--like`` usable while the reference
        project is mid-edit. Raises ``ConfigError`` when a file does not parse or fit its schema.
        """
        from infra.config.loader import MANIFEST_DIR, stack_file_name

        stack_path = root / stack_file_name(stack)
        shown = display_path(stack_path, root)
        data, problems = load_yaml(stack_path, root)
        parsed, found = validate(StackFile, data, shown) if data else (None, [])
        problems.extend(found)
        if parsed is None and not problems:
            problems.append(Problem(shown, "", "no stack configuration"))
        entries, raw_secrets = [], {}
        for path in sorted((root / MANIFEST_DIR).glob("*.yaml")):
            shown = display_path(path, root)
            doc, found = load_yaml(path, root)
            secret, more = validate(Secret, doc, shown) if not found else (None, [])
            problems.extend([*found, *more])
            if secret is not None:
                entries.append(SecretEntry(id=path.stem, file=shown, secret=secret))
                raw_secrets[path.stem] = doc
        repositories, webhooks, found = read_github_entities(root)
        problems.extend(found)
        if problems or parsed is None:
            raise ConfigError(problems)
        # The YAML projects' view of a stack holds its repositories and webhooks in one mapping;
        # here they come from `data/github/` (as written, `exclude_unset`).
        github = data.setdefault("config", {}).setdefault("cfinfra:github", {})
        github["repositories"] = {
            name: repo.model_dump(mode="json", exclude_unset=True)
            for name, repo in repositories.items()
        }
        github["webhooks"] = {
            hook_id: hook.model_dump(mode="json", exclude_unset=True)
            for hook_id, hook in webhooks.items()
        }
        return cls(
            config=StackConfig.compose(parsed.config, repositories, webhooks),
            secrets=tuple(entries),
            root=root,
            raw_stack=data,
            raw_secrets=raw_secrets,
            _by_uri={e.secret.onepassword.uri.lower(): e for e in entries},
        )

    def secret(self, uri: str) -> SecretEntry | None:
        return self._by_uri.get(uri.lower())

    def repository(self, name: str) -> Repository | None:
        return self.config.github.repositories.get(name) if self.config else None

    def repository_order(self) -> list[str]:
        return list(self.config.github.repositories) if self.config else []

    def webhook_id(self, path: str, repository: str | None) -> str | None:
        if self.config is None:
            return None
        for hook_id, hook in self.config.github.webhooks.items():
            if hook.path == path and hook.repository == repository:
                return hook_id
        return None

    def webhook_order(self) -> list[str]:
        return list(self.config.github.webhooks) if self.config else []

    def azure_project_named_by(self, uri: str) -> str | None:
        """The project whose id the secret at ``uri`` supplies (its `azure-project-id` target)."""
        entry = self.secret(uri)
        if entry is None:
            return None
        projects = [t.project for t in entry.secret.targets if isinstance(t, AzureProjectIdTarget)]
        return projects[0] if len(projects) == 1 else None

    def azure_project(self, name: str) -> AzureProject | None:
        return self.config.azure.projects.get(name) if self.config else None

    def azure_organization(self) -> str | None:
        return self.config.azure.organization if self.config else None

    def heroku_app(self, name: str) -> HerokuApp | None:
        return self.config.heroku.apps.get(name) if self.config else None

    def org(self) -> str | None:
        return self.config.github.org if self.config else None

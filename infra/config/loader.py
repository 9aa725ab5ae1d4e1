"""Load a stack: its ``Pulumi.<stack>.yaml``, the ``secrets/`` manifest, then run every rule.

Everything is read and checked before the program declares a single resource. All problems from all
files are collected and raised together as one ``ConfigError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.config.base import validate
from infra.config.manifest import Secret, SecretEntry
from infra.config.stack import StackConfig, StackFile
from infra.config.yamlio import display_path, load_yaml
from infra.errors import ConfigError, Problem

MANIFEST_DIR = "secrets"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$")


@dataclass(frozen=True)
class Project:
    """A validated stack: configuration and manifest, ready to be declared."""

    root: Path
    stack: str
    config: StackConfig
    secrets: tuple[SecretEntry, ...]
    people: Any = None
    """Org members and teams (``infra.config.people``), when the stack manages them."""
    runners: Any = None
    """Runner data (``infra.config.runners``), when the stack manages runners."""

    @property
    def stack_file(self) -> str:
        return stack_file_name(self.stack)


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def _load_stack_file(root: Path, stack: str) -> tuple[StackConfig | None, list[Problem]]:
    path = root / stack_file_name(stack)
    shown = display_path(path, root)
    if not path.is_file():
        return None, [Problem(shown, "", f"no stack file for stack `{stack}`")]
    data, problems = load_yaml(path, root)
    if problems:
        return None, problems
    parsed, problems = validate(StackFile, data, shown)
    return (parsed.config if parsed else None), problems


def _load_manifest(root: Path) -> tuple[list[SecretEntry], list[Problem]]:
    folder = root / MANIFEST_DIR
    shown_dir = display_path(folder, root)
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], [Problem(shown_dir, "", "the secrets manifest folder is missing")]
    if (folder / "__init__.py").exists():
        problems.append(
            Problem(
                f"{shown_dir}/__init__.py",
                "",
                "secrets/ must stay a data folder: "
                "a package named `secrets` shadows Python's stdlib",
            )
        )
    entries: list[SecretEntry] = []
    for path in sorted(folder.iterdir()):
        shown = display_path(path, root)
        if path.suffix == ".yml":
            problems.append(Problem(shown, "", "manifest files end in `.yaml`"))
            continue
        if path.suffix != ".yaml":
            continue
        if not _ID.match(path.stem):
            problems.append(
                Problem(shown, "", "the file name is the secret's id: lower-case words and dashes")
            )
            continue
        data, found = load_yaml(path, root)
        if found:
            problems.extend(found)
            continue
        secret, found = validate(Secret, data, shown)
        problems.extend(found)
        if secret is not None:
            entries.append(SecretEntry(id=path.stem, file=shown, secret=secret))
    return entries, problems


def load_manifest(root: Path) -> list[SecretEntry]:
    """The manifest alone (for commands that need no stack), with the rules that need no stack."""
    from infra.config.rules import manifest_rules

    entries, problems = _load_manifest(root)
    problems.extend(manifest_rules(entries))
    if problems:
        raise ConfigError(problems)
    return entries


def load_project(root: Path, stack: str) -> Project:
    """Load and validate everything a stack needs. Raises ``ConfigError`` listing every problem."""
    from infra.config.aws_rules import gpu_pool_rules
    from infra.config.people import load_people
    from infra.config.rules import manifest_rules, project_rules
    from infra.config.runners import load_runners

    root = root.resolve()
    config, problems = _load_stack_file(root, stack)
    entries, found = _load_manifest(root)
    problems.extend(found)
    problems.extend(manifest_rules(entries))
    people = runners = None
    if config is not None:
        problems.extend(project_rules(config, entries, stack_file_name(stack)))
        people, found = load_people(root, config)
        problems.extend(found)
        runners, found = load_runners(root, config)
        problems.extend(found)
        problems.extend(gpu_pool_rules(config, runners, stack_file_name(stack)))
    if problems or config is None:
        raise ConfigError(problems)
    return Project(
        root=root,
        stack=stack,
        config=config,
        secrets=tuple(entries),
        people=people,
        runners=runners,
    )

"""Load a stack: its ``Pulumi.<stack>.yaml``, the ``secrets/`` manifest, then run every rule.

Everything is read and checked before the program declares a single resource. All problems from all
files are collected and raised together as one ``ConfigError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.config import secretscan
from infra.config.base import validate
from infra.config.folder import load_folder
from infra.config.github import read_github_entities
from infra.config.manifest import Secret, SecretEntry
from infra.config.people import People, read_people
from infra.config.rule_inputs import Data
from infra.config.rule_table import run_rules
from infra.config.runners import RunnerData, read_runner_files
from infra.config.stack import StackConfig, StackFile, StackFileConfig
from infra.config.write_access import WriteModel, write_model
from infra.config.yamlio import display_path, load_yaml
from infra.errors import ConfigError, Problem

MANIFEST_DIR = "secrets"


@dataclass(frozen=True)
class Project:
    """A validated stack: configuration, manifest and entity data, ready to be declared."""

    root: Path
    stack: str
    config: StackConfig
    secrets: tuple[SecretEntry, ...]
    people: People | None = None
    """Org members and teams (`data/github/`)."""
    runners: RunnerData | None = None
    """Runner data (`data/runners/`), when the stack manages runners (`cfinfra:runners`)."""

    @property
    def stack_file(self) -> str:
        return stack_file_name(self.stack)

    def writers(self) -> WriteModel:
        """Who can write each managed repository (``infra.config.write_access``)."""
        return write_model(self.config.github, self.people)


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def _load_stack_file(root: Path, stack: str) -> tuple[StackFileConfig | None, list[Problem]]:
    path = root / stack_file_name(stack)
    shown = display_path(path, root)
    if not path.is_file():
        return None, [Problem(shown, "", f"no stack file for stack `{stack}`")]
    data, problems = load_yaml(path, root)
    if problems:
        return None, problems
    parsed, problems = validate(StackFile, data, shown)
    return (parsed.config if parsed else None), problems


def load_stack_settings(root: Path, stack: str) -> StackFileConfig | None:
    """``Pulumi.<stack>.yaml``'s validated settings alone, or None when it does not validate (for
    a command that only mentions a setting; ``validate`` reports the problems)."""
    settings, problems = _load_stack_file(root, stack)
    return None if problems else settings


def _load_manifest(root: Path) -> tuple[list[SecretEntry], list[Problem]]:
    folder = root / MANIFEST_DIR
    shown_dir = display_path(folder, root)
    if not folder.is_dir():
        return [], [Problem(shown_dir, "", "the secrets manifest folder is missing")]
    if (folder / "__init__.py").exists():
        # Checked first and alone: the loader would also refuse the file, less helpfully.
        return [], [
            Problem(
                f"{shown_dir}/__init__.py",
                "",
                "secrets/ must stay a data folder: "
                "a package named `secrets` shadows Python's stdlib",
            )
        ]
    entries, problems = load_folder(folder, Secret, root, what="secret")
    return [SecretEntry(id=e.id, file=e.file, secret=e.value) for e in entries], problems


def load_manifest(root: Path) -> list[SecretEntry]:
    """The manifest alone (for commands that need no stack), with the rules that need no stack."""
    entries, problems = _load_manifest(root)
    problems.extend(run_rules(Data(loaded_secrets=tuple(entries))))
    if problems:
        raise ConfigError(problems)
    return entries


def check_runner_data(runners: RunnerData) -> list[Problem]:
    """The rules that need the runner data alone (e.g. after an admin-request edits it)."""
    return run_rules(Data(loaded_runners=runners))


def load_runner_data(
    data_dir: Path, root: Path | None = None
) -> tuple[RunnerData | None, list[Problem]]:
    """The runner data alone (for `cfinfra runners`): (data or None, every problem found)."""
    runners, problems = read_runner_files(data_dir, root)
    if runners is None:
        return None, problems
    problems = check_runner_data(runners)
    return (None if problems else runners), problems


def _validate_given(
    config: Mapping[str, Any], stack: str
) -> tuple[StackFileConfig | None, list[Problem]]:
    """Validate a stack configuration handed over by the Pulumi engine, reported against the stack
    file with the same key paths as when the file is read."""
    parsed, problems = validate(StackFile, {"config": dict(config)}, stack_file_name(stack))
    return (parsed.config if parsed else None), problems


def load_project(
    root: Path,
    stack: str,
    *,
    skip: Iterable[str] = (),
    engine_config: Mapping[str, Any] | None = None,
) -> Project:
    """Load and validate everything a stack needs. Raises ``ConfigError`` listing every problem.

    Every file is parsed first, then every rule of ``infra.config.rule_table`` whose inputs parsed
    runs (minus ``skip``, rule names). ``engine_config`` is the stack configuration as the Pulumi
    engine handed it to the program (``infra.runtime_config``); without it
    ``Pulumi.<stack>.yaml`` is read, for the commands that are not Pulumi programs (``validate``,
    ``docs``, ``diff``).
    """
    with secretscan.scanning():  # one switch of the credential scanner's settings for every file
        return _load_project(root, stack, skip=skip, engine_config=engine_config)


def _load_project(
    root: Path,
    stack: str,
    *,
    skip: Iterable[str],
    engine_config: Mapping[str, Any] | None,
) -> Project:
    root = root.resolve()
    settings, problems = (
        _load_stack_file(root, stack)
        if engine_config is None
        else _validate_given(engine_config, stack)
    )
    repositories, webhooks, github_problems = read_github_entities(root)
    problems.extend(github_problems)
    # Until every repository and webhook file reads, the stack's rules wait: they cannot tell an
    # unknown repository from one whose file is broken (the leak guard would call it `public`).
    config = (
        StackConfig.compose(settings, repositories, webhooks)
        if settings is not None and not github_problems
        else None
    )
    entries, found = _load_manifest(root)
    problems.extend(found)
    people, found = read_people(root)
    problems.extend(found)
    runners: RunnerData | None = None
    if settings is not None and settings.runners is not None:
        runners, found = read_runner_files(root / settings.runners.data_dir, root)
        problems.extend(found)
    data = Data(
        stack_file=stack_file_name(stack),
        loaded_secrets=tuple(entries),
        loaded_config=config,
        loaded_people=people,
        loaded_runners=runners,
    )
    problems.extend(run_rules(data, skip))
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

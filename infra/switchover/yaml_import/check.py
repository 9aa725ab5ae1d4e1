"""Validate an import's output with the real loader: every rule, the leak guard included.

The output holds the manifest, the stack file, the repositories and the webhooks. Data files other
loaders read (people, runner access lists under ``data/``) live in the ``--like`` project, so the
check runs in a scratch folder that copies those in beside the output: the output is judged
exactly as it would be in the project.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from infra.config.azure import AzureConfig, AzureProject, VariableGroup
from infra.config.environments import Environment
from infra.config.github import (
    REPOSITORIES_DIR,
    WEBHOOKS_DIR,
    GitHubConfig,
    Repository,
    RulesetPolicy,
)
from infra.config.heroku import HerokuConfig
from infra.config.loader import MANIFEST_DIR, Project, load_project, stack_file_name
from infra.config.manifest import Secret, SecretEntry
from infra.config.rule_inputs import Data
from infra.config.secret_rules import validate_leak_guard
from infra.config.stack import StackConfig
from infra.errors import Problem
from infra.switchover.yaml_import.translate import Translation

_IGNORED = shutil.ignore_patterns("__pycache__")  # `.cirun.yaml` is data: keep dotfiles


def validate_output(output: Path, stack: str, like: Path | None) -> Project:
    """Load ``output`` as a project (beside ``like``'s other files). Raises ``ConfigError``."""
    if like is None:
        return load_project(output, stack)
    stack_file = stack_file_name(stack)
    with tempfile.TemporaryDirectory(prefix="cfinfra-import-") as tmp:
        scratch = Path(tmp)
        for entry in sorted(like.resolve().iterdir()):
            if entry.name.startswith(".") or entry.name in (MANIFEST_DIR, stack_file):
                continue
            # Copied, not linked: the loader refuses files that resolve outside the project.
            if entry.is_dir():
                shutil.copytree(entry, scratch / entry.name, ignore=_IGNORED)
            elif entry.is_file():
                shutil.copy2(entry, scratch / entry.name)
        shutil.copytree(output / MANIFEST_DIR, scratch / MANIFEST_DIR)
        shutil.copy2(output / stack_file, scratch / stack_file)
        # The import writes the repositories and webhooks too: they replace --like's.
        for folder in (REPOSITORIES_DIR, WEBHOOKS_DIR):
            if (output / folder).is_dir():
                shutil.rmtree(scratch / folder, ignore_errors=True)
                shutil.copytree(output / folder, scratch / folder)
        return load_project(scratch, stack)


def leak_check(translation: Translation, stack: str) -> list[Problem]:
    """The leak guard alone, for an output that fails other validation (e.g. sections YAML cannot
    express are missing without --like): a leak must be named even then.

    The parts the guard reads (repositories, Azure projects and groups, Heroku apps, each secret)
    are validated one by one; the enclosing models are assembled unvalidated (``model_construct``):
    the guard only reads those parts.
    """
    config = translation.config
    gh, az, he = config["cfinfra:github"], config["cfinfra:azure"], config["cfinfra:heroku"]
    try:
        github: dict[str, Any] = {
            "repositories": {
                k: Repository.model_validate(v) for k, v in gh["repositories"].items()
            },
            "environments": {
                k: Environment.model_validate(v) for k, v in (gh.get("environments") or {}).items()
            },
            "rulesets": RulesetPolicy.model_validate(gh.get("rulesets") or {}),
        }
        azure: dict[str, Any] = {
            "projects": {k: AzureProject.model_validate(v) for k, v in az["projects"].items()},
            "variable_groups": [VariableGroup.model_validate(g) for g in az["variable_groups"]],
        }
        stack_config = StackConfig.model_construct(
            github=GitHubConfig.model_construct(**github),
            azure=AzureConfig.model_construct(**azure),
            heroku=HerokuConfig.model_validate(he),
        )
    except (ValidationError, KeyError, AttributeError):
        return []  # the full validation already reports what is malformed
    entries = []
    for secret_id, doc in translation.secrets.items():
        try:
            secret = Secret.model_validate(doc)
        except ValidationError:
            continue
        entries.append(
            SecretEntry(id=secret_id, file=f"{MANIFEST_DIR}/{secret_id}.yaml", secret=secret)
        )
    data = Data(stack_file_name(stack), loaded_secrets=tuple(entries), loaded_config=stack_config)
    return list(validate_leak_guard(data))

"""Read ``data/runners/`` into ``RunnerData``: parse every file, then run every rule.

Parsing problems from all files are reported together. Cross-file rules run once every file parses
(a rule cannot tell "unknown label" from "resources.yaml is broken"), and then all of them run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from infra.config.base import validate
from infra.config.runners import (
    AccessEntry,
    AwsGpuPool,
    FeedstockAccess,
    Host,
    HostEntry,
    PolicyDefaults,
    ProvidersFile,
    ResourcesFile,
    RunnerData,
)
from infra.config.yamlio import display_path, load_yaml
from infra.errors import Problem

HOSTS_DIR = "hosts"
ACCESS_DIR = "access"
RESOURCES_FILE = "resources.yaml"
POLICY_DEFAULTS_FILE = "policy-defaults.yaml"
PROVIDERS_FILE = "providers.yaml"
AWS_GPU_POOL_FILE = "aws-gpu-pool.yaml"

M = TypeVar("M", bound=BaseModel)


def _load_file(path: Path, root: Path | None, model: type[M]) -> tuple[M | None, list[Problem]]:
    data, problems = load_yaml(path, root)
    if problems:
        return None, problems
    return validate(model, data, display_path(path, root))


def _load_required(
    data_dir: Path, root: Path | None, name: str, model: type[M]
) -> tuple[M | None, list[Problem]]:
    path = data_dir / name
    if not path.is_file():
        return None, [Problem(display_path(path, root), "", "required runner data file is missing")]
    return _load_file(path, root, model)


def _load_folder(
    folder: Path, root: Path | None, model: type[M]
) -> tuple[list[tuple[str, str, M]], list[Problem]]:
    """Every ``*.yaml`` of a folder as (file stem, shown path, model); the file name is the id."""
    entries: list[tuple[str, str, M]] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return entries, problems
    for path in sorted(folder.iterdir()):
        shown = display_path(path, root)
        if path.suffix == ".yml":
            problems.append(Problem(shown, "", "runner data files end in `.yaml`"))
            continue
        if path.suffix != ".yaml":
            continue
        parsed, found = _load_file(path, root, model)
        problems.extend(found)
        if parsed is not None:
            entries.append((path.stem, shown, parsed))
    return entries, problems


def read_runner_files(
    data_dir: Path, root: Path | None = None
) -> tuple[RunnerData | None, list[Problem]]:
    """Parse every runner data file (schema only, no cross-file rules)."""
    shown_dir = display_path(data_dir, root)
    if not data_dir.is_dir():
        return None, [Problem(shown_dir, "", "the runner data folder is missing")]
    problems: list[Problem] = []
    hosts, found = _load_folder(data_dir / HOSTS_DIR, root, Host)
    problems.extend(found)
    access, found = _load_folder(data_dir / ACCESS_DIR, root, FeedstockAccess)
    problems.extend(found)
    resources, found = _load_required(data_dir, root, RESOURCES_FILE, ResourcesFile)
    problems.extend(found)
    defaults, found = _load_required(data_dir, root, POLICY_DEFAULTS_FILE, PolicyDefaults)
    problems.extend(found)
    providers: ProvidersFile | None = ProvidersFile()
    if (data_dir / PROVIDERS_FILE).exists():
        providers, found = _load_file(data_dir / PROVIDERS_FILE, root, ProvidersFile)
        problems.extend(found)
    pool: AwsGpuPool | None = None
    if (data_dir / AWS_GPU_POOL_FILE).exists():
        pool, found = _load_file(data_dir / AWS_GPU_POOL_FILE, root, AwsGpuPool)
        problems.extend(found)
    if problems or resources is None or defaults is None or providers is None:
        return None, problems
    return (
        RunnerData(
            data_dir=shown_dir,
            hosts=tuple(HostEntry(id=stem, file=file, host=h) for stem, file, h in hosts),
            resources=tuple(resources.resources),
            policy_defaults=defaults,
            providers=tuple(providers.providers),
            access=tuple(
                AccessEntry(feedstock=stem, file=file, access=a) for stem, file, a in access
            ),
            aws_gpu_pool=pool,
        ),
        [],
    )


def load_runner_data(
    data_dir: Path, root: Path | None = None
) -> tuple[RunnerData | None, list[Problem]]:
    """Parse and validate the runner data. Returns (data or None, every problem found)."""
    from infra.runners.rules import data_rules

    data, problems = read_runner_files(data_dir, root)
    if data is None:
        return None, problems
    problems = data_rules(data)
    return (None if problems else data), problems

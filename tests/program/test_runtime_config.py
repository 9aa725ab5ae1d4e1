"""The program reads the stack configuration the engine hands over, not the stack file.

In-process (the SDK's mock engine); ``test_language_host.py`` runs the same program as a subprocess.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from infra.errors import ConfigError
from infra.plan.engine import RecordingMonitor, run_program
from infra.program import project_root, run
from infra.runtime_config import config_from_runtime, read_stack_file_config
from infra.sources.offline import OfflineSource
from tests.conftest import REPO_ROOT

HOOK = "github:index/organizationWebhook:OrganizationWebhook"


def _run(
    config: dict[str, Any], root: Path = REPO_ROOT
) -> tuple[RecordingMonitor, list[Exception]]:
    failed: list[Exception] = []

    def program() -> None:
        try:
            run(lambda _: OfflineSource())
        except ConfigError as exc:
            failed.append(exc)

    return run_program("prod", program, config=config, root=root), failed


@pytest.fixture(scope="module")
def prod_config() -> dict[str, Any]:
    return read_stack_file_config(REPO_ROOT, "prod")


def test_a_value_set_only_in_the_runtime_reaches_the_resources(prod_config):
    # What `pulumi config set --path 'cfinfra:github.webhook_base_url' ...` or `--config` does: the
    # engine hands over a value the stack file does not hold.
    config = copy.deepcopy(prod_config)
    config["cfinfra:github"]["webhook_base_url"] = "https://webservices.example.org"
    monitor, failed = _run(config)
    assert failed == []
    urls = {
        r.inputs["configuration"]["value"]["url"]
        for r in monitor.registrations.values()
        if r.type == HOOK
    }
    assert urls
    assert all(u.startswith("https://webservices.example.org/") for u in urls)


def test_invalid_runtime_config_is_reported_against_the_stack_file_and_declares_nothing(
    prod_config,
):
    config = copy.deepcopy(prod_config)
    config["cfinfra:github"]["org"] = 42
    config["cfinfra:heroku"]["apps"]["conda-forge"]["audience"] = "everyone"
    config["github:token"] = "ghp_should-never-be-here"
    monitor, failed = _run(config)
    (exc,) = failed
    report = str(exc)
    assert "Pulumi.prod.yaml: config.cfinfra:github.org:" in report
    assert "Pulumi.prod.yaml: config.cfinfra:heroku.apps.conda-forge.audience:" in report
    assert "Pulumi.prod.yaml: config.github:token:" in report
    assert "ghp_should-never-be-here" not in report
    assert monitor.registrations == {}


def test_a_secret_in_the_stack_config_is_refused_without_showing_it(prod_config):
    config = {**prod_config, "cfinfra:extra": "s3cr3t-value"}

    def program() -> None:
        pulumi.runtime.set_all_config(
            {k: v if isinstance(v, str) else pulumi.runtime.to_json(v) for k, v in config.items()},
            ["cfinfra:extra"],
        )
        values, problems = config_from_runtime("prod")
        assert "cfinfra:extra" not in values
        (problem,) = problems
        assert str(problem).startswith("Pulumi.prod.yaml: config.cfinfra:extra: is a secret")
        assert "s3cr3t-value" not in str(problem)

    run_program("prod", program)


def test_the_project_root_comes_from_the_runtime_then_from_the_package(tmp_path):
    seen: list[Path] = []
    run_program("prod", lambda: seen.append(project_root()), root=tmp_path)
    run_program("prod", lambda: seen.append(project_root()))
    assert seen == [tmp_path, REPO_ROOT]


def test_a_stack_file_without_a_config_mapping_is_refused(tmp_path):
    (tmp_path / "Pulumi.prod.yaml").write_text("config: [1, 2]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs a `config:` mapping"):
        read_stack_file_config(tmp_path, "prod")
    with pytest.raises(ConfigError, match="no stack file for stack `dev`"):
        read_stack_file_config(tmp_path, "dev")

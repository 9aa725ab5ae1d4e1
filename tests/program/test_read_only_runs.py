"""Read-only runs hold read-only credentials (issue 27, point 11).

The `read-only` environment (same-repository previews, the daily drift check, rotation status) must
authenticate every provider with a credential that can read and not write, declared per environment
in the manifest; the deploy's write credentials stay in a vault only the `production` environment's
1Password account reads. Each hostile edit below validated before the rule existed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.config.loader import load_project
from infra.errors import ConfigError
from infra.plan.engine import plan_stack
from infra.program import run_environment
from infra.sources.offline import OfflineSource
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"
WRITE_IDS = (
    "azure-runner-token",
    "heroku-runner-key",
    "github-runner-app-id",
    "github-runner-app-installation-id",
    "github-runner-app-key",
    "gpu-cloud-credential-id",
    "gpu-cloud-credential-secret",
)


def edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def problems(root: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_project(root, FIXTURE_STACK)
    return str(caught.value)


def test_a_read_only_run_without_a_read_only_credential_is_refused(fixture_copy):
    (fixture_copy / "secrets/github-read-only-token.yaml").unlink()
    report = problems(fixture_copy)
    assert "no manifest secret authenticates the github provider in `read-only` runs" in report


def test_a_write_credential_for_read_only_runs_is_refused(fixture_copy):
    edit(
        fixture_copy / "secrets/github-read-only-token.yaml",
        lambda d: d["targets"][0].update(access="write"),
    )
    report = problems(fixture_copy)
    assert (
        "secrets/github-read-only-token.yaml: targets[0].access: a credential of `read-only` runs"
        in report
    )


def test_the_deploy_credential_cannot_be_read_only(fixture_copy):
    edit(
        fixture_copy / "secrets/azure-runner-token.yaml",
        lambda d: d["targets"][0].update(access="read"),
    )
    assert "the deploy writes: its credential is `access: write`" in problems(fixture_copy)


def test_a_credential_for_an_environment_that_runs_no_program_is_refused(fixture_copy):
    edit(
        fixture_copy / "secrets/github-read-only-token.yaml",
        lambda d: d["targets"][0].update(environment="rotation"),
    )
    assert "`rotation` runs no program" in problems(fixture_copy)


def test_a_write_credential_in_a_vault_the_read_only_account_reads_is_refused(fixture_copy):
    # The route: the deploy's token where the read-only 1Password account can read it.
    edit(
        fixture_copy / "secrets/heroku-runner-key.yaml",
        lambda d: d["onepassword"].update(vault="pulumi"),
    )
    report = problems(fixture_copy)
    assert (
        "secrets/heroku-runner-key.yaml: onepassword.vault: a write credential is readable"
        in report
    )
    assert "the accounts of read-only, rotation read vault `pulumi`" in report


def test_granting_the_read_only_account_the_deploy_vault_is_refused(fixture_copy):
    edit(
        fixture_copy / STACK_FILE,
        lambda d: d["config"]["cfinfra:github"]["environments"]["read-only"].update(
            onepassword_vaults=["pulumi", "deploy"]
        ),
    )
    report = problems(fixture_copy)
    for sid in WRITE_IDS:
        assert f"secrets/{sid}.yaml: onepassword.vault:" in report


def _resolved(monkeypatch, environment: str | None) -> tuple[set[str], object]:
    asked: set[str] = set()
    resolve = OfflineSource.resolve_all

    def spy(self, refs):
        refs = list(refs)
        asked.update(r.uri for r in refs)
        return resolve(self, refs)

    monkeypatch.setattr(OfflineSource, "resolve_all", spy)
    plan = plan_stack(FIXTURE_ROOT, FIXTURE_STACK, environment=environment)
    return asked, plan


def _github_provider_inputs(plan) -> dict:
    (provider,) = [r for r in plan.resources if r.type == "pulumi:providers:github"]
    return provider.inputs


def test_a_read_only_run_resolves_the_read_only_credentials_and_never_the_write_ones(
    monkeypatch,
):
    asked, plan = _resolved(monkeypatch, "read-only")
    assert "op://pulumi/github-read-only-token/credential" in asked
    assert not [uri for uri in asked if uri.startswith("op://deploy/")]
    inputs = _github_provider_inputs(plan)
    assert "token" in inputs
    assert "appAuth" not in inputs


def test_the_deploy_resolves_the_write_credentials_and_never_the_read_only_ones(monkeypatch):
    asked, plan = _resolved(monkeypatch, None)
    assert {f"op://deploy/{sid}/credential" for sid in WRITE_IDS} <= asked
    assert not [uri for uri in asked if "read-only" in uri and "service-account" not in uri]
    inputs = _github_provider_inputs(plan)
    assert "appAuth" in inputs
    assert "token" not in inputs


def test_the_run_environment_is_the_deploy_the_read_only_one_or_refused():
    project = load_project(FIXTURE_ROOT, FIXTURE_STACK)
    assert run_environment(project, None) is None
    assert run_environment(project, "production") is None
    assert run_environment(project, "read-only") == "read-only"
    with pytest.raises(ConfigError, match="neither the deploy environment"):
        run_environment(project, "rotation")


def test_prod_declares_every_environments_vaults_so_the_vault_rule_applies():
    # Policy, not parity: without `onepassword_vaults` the rule that keeps the deploy's write
    # credentials out of the read-only account's reach checks nothing.
    from tests.conftest import REPO_ROOT

    project = load_project(REPO_ROOT, "prod")
    envs = project.config.github.environments
    assert all(e.onepassword_vaults for e in envs.values()), sorted(envs)
    readers = {v for n, e in envs.items() if n != "production" for v in e.onepassword_vaults or []}
    for entry in project.secrets:
        writes = [
            t
            for t in entry.secret.targets
            if getattr(t, "kind", None) == "provider-credential" and t.environment is None
        ]
        if writes:
            assert entry.secret.onepassword.vault not in readers, entry.id


def test_a_credential_in_a_vault_its_own_runs_account_does_not_read_is_refused(fixture_copy):
    # The run would fail to resolve it on the day; validation says so in the pull request.
    edit(
        fixture_copy / "secrets/azure-runner-token.yaml",
        lambda d: d["onepassword"].update(vault="elsewhere"),
    )
    edit(
        fixture_copy / "secrets/github-read-only-token.yaml",
        lambda d: d["onepassword"].update(vault="deploy"),
    )
    report = problems(fixture_copy)
    assert (
        "secrets/azure-runner-token.yaml: onepassword.vault: `production` runs resolve this "
        "credential, but their 1Password account reads only `pulumi`, `deploy`"
    ) in " ".join(report.split())
    assert (
        "secrets/github-read-only-token.yaml: onepassword.vault: `read-only` runs resolve this "
        "credential"
    ) in " ".join(report.split())

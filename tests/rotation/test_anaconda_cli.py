"""`cfinfra rotation run --emergency` and `cfinfra rotation plan`, offline, on the real manifest."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT
from tests.rotation.anaconda_world import ENV, SECRET, World, prod_carriers
from tests.rotation.conftest import assert_no_secret_in

runner = CliRunner()


def test_run_help_documents_emergency() -> None:
    result = runner.invoke(app, ["rotation", "run", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "--emergency" in result.output
    assert "LEAKED" in result.output


def test_emergency_needs_an_anaconda_secret() -> None:
    root = str(REPO_ROOT)
    for args in (["--emergency"], ["--emergency", "--secret", "cirun-aws-access-key"]):
        result = runner.invoke(app, ["rotation", "run", "--root", root, *args])
        assert result.exit_code == 2, result.output
        assert "leaked-token.md" in result.output


def test_plan_of_the_production_token_lists_its_three_targets_offline() -> None:
    result = runner.invoke(
        app, ["rotation", "plan", "prod-binstar-token", "--root", str(REPO_ROOT)]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout  # stderr carries the program's own warnings
    for target in (
        "1. GitHub org secret PROD_BINSTAR_TOKEN, reaches core",
        "2. Azure variable cdt-builds/anaconda-org/BINSTAR_TOKEN, reaches core",
        "3. Heroku config var conda-forge/PROD_BINSTAR_TOKEN, reaches core",
    ):
        assert target in out
    assert "overlap: 1 d after every target holds the new token" in out
    assert out.count("urn:pulumi:prod::conda-forge-infra::") == 3
    assert "Needs a person: no step" in out
    assert "if it fails:" in out
    # 80 columns, URNs excepted (never cut).
    assert all(len(line) <= 80 for line in out.splitlines() if "urn:" not in line)


def test_plan_of_a_manual_secret_says_every_step_needs_a_person() -> None:
    fixture = ["--stack", FIXTURE_STACK, "--root", str(FIXTURE_ROOT)]
    result = runner.invoke(app, ["rotation", "plan", "prod-upload-token", *fixture])
    assert result.exit_code == 0, result.output
    assert "docs/runbooks/rotate-a-token.md#manual-rotation-mode-manual" in result.output
    assert "Needs a person: step 1, 2, 3, 4." in result.output


def test_plan_of_an_unknown_secret_exits_2() -> None:
    result = runner.invoke(app, ["rotation", "plan", "nope", "--root", str(REPO_ROOT)])
    assert result.exit_code == 2


def test_emergency_run_through_the_cli_switches_every_target_and_prints_no_token(
    anaconda: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real wiring: issuer read from 1Password, URNs from the offline program run, the real
    read-only checks; only the Automation API's `pulumi up` is replaced by the world's delivery."""

    async def authenticate(token: str | None = None) -> object:
        return anaconda.op

    monkeypatch.setattr("infra.sources.onepassword.authenticate", authenticate)
    monkeypatch.setattr("infra.rotation.delivery.PulumiUpDeliverer", lambda *a, **kw: anaconda)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    leaked = anaconda.stored()
    result = runner.invoke(
        app,
        ["rotation", "run", "--root", str(REPO_ROOT), "--emergency", "--secret", SECRET],
    )
    assert result.exit_code == 0, result.output
    assert not anaconda.valid(leaked)
    assert anaconda.converged()
    assert anaconda.delivered_urns == [[r.urn for r in prod_carriers().of(SECRET)]]
    out = result.stdout
    assert "anaconda.org organisation conda-forge" in out
    assert "2030-01-01 00:00:00 UTC removed old token `conda-forge-prod-2029`" in out
    assert "declared token `conda-forge-prod-2029` leaked" in out
    assert_no_secret_in([result.output], anaconda.secrets_seen)

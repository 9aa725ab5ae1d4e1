"""A read-only run's credential swap is not drift; every other provider change still is.

A read-only run authenticates each provider with the read-only credential while the state holds
the deploy's, so its preview shows `~ pulumi:providers:github update [diff: ~token]` and Pulumi
exits 7 (docs/provider-behaviour.md PB-303). `drift-report`, `drift-triage` and `verify-preview`
set that update apart only when the run says it is read-only (`CFINFRA_ENVIRONMENT`) and every
property the engine names is a credential input of that provider (from the manifest).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.config.loader import load_project
from infra.drift.credentials import EXPECTED_LINE, credential_inputs
from infra.drift.report import parse_preview
from infra.pipeline.privacy import DriftClass, classify
from infra.plan.changeset import ChangeSet
from infra.plan.engine import plan_stack
from infra.pulumi_formats import SECRET_MASK, engine_property, parse_urn
from infra.runtime_config import RUN_ENVIRONMENT
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

PREFIX = f"urn:pulumi:{FIXTURE_STACK}::conda-forge-infra::"
ROOT = PREFIX + f"pulumi:pulumi:Stack::conda-forge-infra-{FIXTURE_STACK}"
GITHUB = PREFIX + "pulumi:providers:github::github"
HEROKU = PREFIX + "pulumi:providers:heroku::heroku"
BASE = {"baseUrl": "https://api.github.com/", "owner": "example-forge", "version": "6.15.0"}


@pytest.fixture(scope="module")
def credentials():
    return credential_inputs(load_project(FIXTURE_ROOT, FIXTURE_STACK).secrets)


def provider_step(
    urn: str,
    old: dict[str, Any],
    new: dict[str, Any],
    detailed: dict[str, str] | None,
    op: str = "update",
) -> dict[str, Any]:
    """A provider's step as `pulumi preview --json` writes it: secret inputs as `[secret]` on
    both sides, `diffReasons` the `detailedDiff` keys (the bridge's `DiffConfig`)."""
    return {
        "op": op,
        "urn": urn,
        "oldState": {"urn": urn, "custom": True, "inputs": old, "outputs": old},
        "newState": {"urn": urn, "custom": True, "inputs": new, "outputs": {}},
        "diffReasons": sorted(detailed or ()),
        "detailedDiff": (
            None
            if detailed is None
            else {p: {"kind": k, "inputDiff": True} for p, k in detailed.items()}
        ),
    }


def preview(*steps: dict[str, Any], summary: dict[str, int] | None = None) -> dict[str, Any]:
    changing = sum(s["op"] != "same" for s in steps)
    return {
        "steps": [{"op": "same", "urn": ROOT}, *steps],
        "diagnostics": [],
        "changeSummary": summary if summary is not None else {"same": 40, "update": changing},
    }


# The fixture's deploy authenticates GitHub with an App, its read-only runs with a token.
APP_TO_TOKEN = provider_step(
    GITHUB,
    {**BASE, "appAuth": SECRET_MASK},
    {**BASE, "token": SECRET_MASK},
    {"appAuth": "delete", "token": "add"},
)
TOKEN_TO_TOKEN = provider_step(
    GITHUB, {**BASE, "token": SECRET_MASK}, {**BASE, "token": SECRET_MASK}, {"token": "update"}
)


# --- the credential inputs, from the manifest -----------------------------------------------------


def test_credential_inputs_are_the_manifests_provider_credential_inputs(credentials) -> None:
    assert credentials == {
        "azuredevops": frozenset({"personalAccessToken"}),
        "github": frozenset({"appAuth", "token"}),
        "heroku": frozenset({"apiKey"}),
        "openstack": frozenset({"applicationCredentialId", "applicationCredentialSecret"}),
    }


@pytest.mark.parametrize("environment", [None, "read-only"])
def test_the_engine_names_are_the_ones_the_program_registers_as_secret(
    credentials, environment
) -> None:
    # The SDKs, not a convention, decide the name: every secret input each provider registers
    # in either run is a credential input by the engine's name, and every credential the run
    # resolves appears under that name.
    plan = plan_stack(FIXTURE_ROOT, FIXTURE_STACK, environment=environment)
    providers = [r for r in plan.resources if r.type.startswith("pulumi:providers:")]
    seen = set()
    for provider in providers:
        package = r_package(provider.type)
        secret = {k for k, v in provider.inputs.items() if v == SECRET_MASK}
        assert secret <= credentials.get(package, frozenset()), provider.type
        seen |= {(package, k) for k in secret}
    run = {
        (t.provider.value, engine_property(t.input))
        for e in load_project(FIXTURE_ROOT, FIXTURE_STACK).secrets
        for t in e.secret.targets
        if getattr(t, "kind", None) == "provider-credential" and t.environment == environment
    }
    assert run == seen


def r_package(type_: str) -> str:
    return type_.removeprefix("pulumi:providers:")


def test_engine_property_is_the_top_level_camel_case_name() -> None:
    assert engine_property("token") == "token"
    assert engine_property("app_auth.pem_file") == "appAuth"
    assert engine_property("personal_access_token") == "personalAccessToken"
    assert parse_urn(GITHUB).provider_package == "github"
    assert parse_urn(ROOT).provider_package is None


# --- the report: clean in a read-only run, drift otherwise ----------------------------------------


@pytest.mark.parametrize("step", [APP_TO_TOKEN, TOKEN_TO_TOKEN], ids=["app-to-token", "token"])
def test_a_credential_only_provider_update_is_clean_in_a_read_only_run(credentials, step) -> None:
    report = parse_preview(preview(step), credentials, pulumi_exit=7)
    assert report.is_clean
    assert [r.name for r in report.expected] == ["github"]
    assert classify(report) == (DriftClass.CLEAN, 0)


def test_the_same_update_is_security_drift_in_the_deploys_run() -> None:
    report = parse_preview(preview(TOKEN_TO_TOKEN), None, pulumi_exit=7)
    assert not report.is_clean
    assert not report.expected
    assert classify(report) == (DriftClass.SECURITY, 1)


@pytest.mark.parametrize(
    ("old", "new", "detailed"),
    [
        pytest.param(
            {**BASE, "token": SECRET_MASK},
            {**BASE, "owner": "someone-else", "token": SECRET_MASK},
            {"owner": "update", "token": "update"},
            id="token-and-owner",
        ),
        pytest.param(
            {**BASE, "token": SECRET_MASK},
            {**BASE, "baseUrl": "https://ghe.example/", "token": SECRET_MASK},
            {"baseUrl": "update", "token": "update"},
            id="token-and-base-url",
        ),
        pytest.param(
            {**BASE, "token": SECRET_MASK},
            {**BASE, "insecure": "true", "token": SECRET_MASK},
            {"insecure": "add", "token": "update"},
            id="token-and-an-added-input",
        ),
        pytest.param(
            {**BASE, "token": SECRET_MASK},
            {**BASE, "token": SECRET_MASK},
            {"apiKey": "add"},
            id="another-providers-credential-input",
        ),
        pytest.param(
            {**BASE, "token": SECRET_MASK},
            {**BASE, "owner": "someone-else", "token": SECRET_MASK},
            {"token": "update"},
            id="an-owner-change-the-diff-does-not-name",
        ),
    ],
)
def test_any_other_provider_change_stays_security_drift(credentials, old, new, detailed) -> None:
    report = parse_preview(preview(provider_step(GITHUB, old, new, detailed)), credentials, 7)
    assert not report.is_clean
    assert not report.expected
    assert classify(report) == (DriftClass.SECURITY, 1)


def test_a_provider_step_the_engine_could_not_explain_is_drift(credentials) -> None:
    # `Registry.Diff` turns a provider's unknown answer into "some change" with no keys: the
    # step names no property, so nothing shows it is only the credential.
    step = provider_step(
        GITHUB, {**BASE, "token": SECRET_MASK}, {**BASE, "token": SECRET_MASK}, None
    )
    step["diffReasons"] = []
    report = parse_preview(preview(step), credentials, 7)
    assert not report.is_clean
    assert classify(report) == (DriftClass.SECURITY, 1)


def test_a_provider_replacement_is_drift_even_for_the_credential(credentials) -> None:
    step = provider_step(
        GITHUB, {**BASE, "token": SECRET_MASK}, {**BASE, "token": SECRET_MASK}, {"token": "update"}
    )
    step["op"] = "replace"
    step["replaceReasons"] = ["token"]
    report = parse_preview(preview(step), credentials, 7)
    assert classify(report)[0] is DriftClass.SECURITY


def test_a_resource_input_named_like_a_credential_is_drift(credentials) -> None:
    urn = PREFIX + "github:index/actionsOrganizationSecret:ActionsOrganizationSecret::TOKEN"
    step = provider_step(urn, {"token": SECRET_MASK}, {"token": SECRET_MASK}, {"token": "update"})
    report = parse_preview(preview(step), credentials, 7)
    assert not report.is_clean


def test_exit_7_beyond_the_expected_updates_is_drift(credentials) -> None:
    # Pulumi counted two changes; the report accounts for one: its verdict wins.
    report = parse_preview(preview(APP_TO_TOKEN, summary={"update": 2}), credentials, 7)
    assert not report.is_clean
    assert report.unattributed


def test_exit_7_with_nothing_to_show_for_it_is_drift() -> None:
    report = parse_preview(preview(summary={"same": 3}), None, 7)
    assert report.unattributed
    assert not report.is_clean
    assert parse_preview(preview(summary={"same": 3}), None, 0).is_clean


# --- the commands ---------------------------------------------------------------------------------


def invoke(monkeypatch, tmp_path: Path, command: str, doc: dict, *args: str, env: str | None):
    if env is None:
        monkeypatch.delenv(RUN_ENVIRONMENT, raising=False)
    else:
        monkeypatch.setenv(RUN_ENVIRONMENT, env)
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    opts = ["--stack", FIXTURE_STACK, "--root", str(FIXTURE_ROOT)]
    return CliRunner().invoke(app, [command, str(path), *opts, *args])


def test_drift_report_of_a_read_only_run_says_so_in_one_line_and_exits_0(
    monkeypatch, tmp_path
) -> None:
    doc = preview(APP_TO_TOKEN)
    result = invoke(
        monkeypatch, tmp_path, "drift-report", doc, "--pulumi-exit", "7", env="read-only"
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if EXPECTED_LINE in line.lower()]
    assert lines == [
        "The read-only run's provider credential differs from the deploy's, as expected "
        "(not drift; provider `github`)."
    ]
    assert "**No drift.**" in result.stdout
    assert "appAuth" not in result.stdout
    assert SECRET_MASK not in result.stdout


def test_drift_report_of_the_same_preview_without_the_switch_is_drift(
    monkeypatch, tmp_path
) -> None:
    doc = preview(APP_TO_TOKEN)
    result = invoke(monkeypatch, tmp_path, "drift-report", doc, "--pulumi-exit", "7", env=None)
    assert result.exit_code == 1
    assert "Security-relevant drift" in result.stdout


def test_drift_report_exit_7_it_cannot_attribute_is_drift_with_a_warning(
    monkeypatch, tmp_path
) -> None:
    doc = preview(summary={"update": 1})
    result = invoke(monkeypatch, tmp_path, "drift-report", doc, "--pulumi-exit", "7", env=None)
    assert result.exit_code == 1
    assert "> [!WARNING]" in result.stdout
    assert "no resource in this report accounts for" in result.stdout


def test_drift_report_refuses_an_exit_that_is_no_verdict(monkeypatch, tmp_path) -> None:
    result = invoke(
        monkeypatch, tmp_path, "drift-report", preview(), "--pulumi-exit", "1", env=None
    )
    assert result.exit_code == 2


def test_a_run_environment_the_stack_does_not_know_is_refused(monkeypatch, tmp_path) -> None:
    for command in ("drift-report", "drift-triage"):
        result = invoke(monkeypatch, tmp_path, command, preview(APP_TO_TOKEN), env="rotation")
        assert result.exit_code == 2
        assert "neither the deploy environment" in result.stderr


def test_drift_triage_agrees_with_the_report(monkeypatch, tmp_path) -> None:
    doc = preview(APP_TO_TOKEN)
    read_only = invoke(monkeypatch, tmp_path, "drift-triage", doc, env="read-only")
    assert (read_only.exit_code, read_only.stdout.strip()) == (0, "clean 0")
    deploy = invoke(monkeypatch, tmp_path, "drift-triage", doc, env="production")
    assert (deploy.exit_code, deploy.stdout.strip()) == (1, "security 1")


def test_verify_preview_of_a_read_only_run_expects_the_credential_update(
    monkeypatch, tmp_path
) -> None:
    reviewed = tmp_path / "reviewed.json"
    ChangeSet(base="b0", head="h1", changes=()).write(reviewed)
    doc = preview(HEROKU_KEY)
    args = ("--reviewed", str(reviewed))
    read_only = invoke(monkeypatch, tmp_path, "verify-preview", doc, *args, env="read-only")
    assert read_only.exit_code == 0, read_only.output
    assert "as expected (not a change)" in read_only.stdout
    deploy = invoke(monkeypatch, tmp_path, "verify-preview", doc, *args, env=None)
    assert deploy.exit_code == 1
    owner = preview(
        provider_step(
            HEROKU,
            {"apiKey": SECRET_MASK},
            {"apiKey": SECRET_MASK, "email": "x@example.org"},
            {"apiKey": "update", "email": "add"},
        )
    )
    assert (
        invoke(monkeypatch, tmp_path, "verify-preview", owner, *args, env="read-only").exit_code
        == 1
    )


HEROKU_KEY = provider_step(
    HEROKU, {"apiKey": SECRET_MASK}, {"apiKey": SECRET_MASK}, {"apiKey": "update"}
)

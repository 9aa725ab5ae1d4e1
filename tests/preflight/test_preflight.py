"""``cfinfra preflight`` against the fixture stack, the 1Password fake, recorded HTTP mirroring
each service (expiry headers, permission and authentication errors) and moto for AWS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import responses
from freezegun import freeze_time
from moto import mock_aws
from typer.testing import CliRunner

from infra.cli import app
from infra.preflight import cli as preflight_cli
from tests.preflight.world import NOW, PULUMI_TOKEN, World, build

runner = CliRunner()
REGION = "us-east-1"
HEROKU_VARS = {"PROD_UPLOAD_TOKEN", "WEBSERVICES_TOKEN", "WEBSERVICES_APP_ID"}


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Every credential in place and every check holding; the CLI wired to the fakes."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "PULUMI_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("OP_SERVICE_ACCOUNT_TOKEN", "ops-test")
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", PULUMI_TOKEN)
    with mock_aws(), responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        admin = boto3.session.Session(region_name=REGION)
        admin.client("s3").create_bucket(Bucket="example-forge-pulumi-state")
        kms = admin.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/example-forge-pulumi", TargetKeyId=key)
        iam = admin.client("iam")
        iam.create_user(UserName="cirun")
        with freeze_time(NOW - timedelta(days=10)):  # IAM dates the key: a known age
            access = iam.create_access_key(UserName="cirun")["AccessKey"]
        role = iam.create_role(RoleName="cfinfra-read-only", AssumeRolePolicyDocument="{}")
        creds = admin.client("sts").assume_role(
            RoleArn=role["Role"]["Arn"], RoleSessionName="preflight"
        )["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=REGION,
        )
        w = build(tmp_path, access["AccessKeyId"])
        w.heroku_vars = set(HEROKU_VARS)
        w.install(http)
        w.session = session  # type: ignore[attr-defined]

        async def fake_op() -> Any:
            return w.op

        monkeypatch.setattr(preflight_cli, "_onepassword", fake_op)
        monkeypatch.setattr(preflight_cli, "_aws_session", lambda: session)
        monkeypatch.setattr(preflight_cli, "_now", lambda: NOW)
        yield w


def run(world: World) -> Any:
    return runner.invoke(
        app, ["preflight", "--root", str(world.root), "--stack", "fixture"], terminal_width=80
    )


def lines(result: Any) -> list[str]:
    return (result.stdout + result.stderr).splitlines()


def test_help_works() -> None:
    result = runner.invoke(app, ["preflight", "--help"])
    assert result.exit_code == 0
    assert "read-only" in result.stdout


def test_with_no_credentials_it_names_each_missing_one_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "OP_SERVICE_ACCOUNT_TOKEN",
        "PULUMI_ACCESS_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with responses.RequestsMock():  # any network call would fail the test
        result = runner.invoke(
            app, ["preflight", "--root", "tests/fixtures/stack", "--stack", "fixture"]
        )
    assert result.exit_code == 3, result.output
    for missing in ("OP_SERVICE_ACCOUNT_TOKEN", "AWS credentials", "Pulumi Cloud login"):
        assert missing in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_everything_in_place_holds_and_nothing_is_written_or_printed(world: World) -> None:
    before = world.op.calls["items.put"]
    result = run(world)
    assert result.exit_code == 0, result.output
    out = "\n".join(lines(result))
    for expected in (
        "1password",
        "GitHub App authenticates",
        "App permissions",
        "reads cdt-builds/anaconda-org",
        "heroku-runner-key authenticates",
        "app example-forge vars",
        "issuer-api-key (Bearer)",
        "issuer-token owns example-forge",
        "prod-upload-token expiry",
        "state bucket example-forge-pulumi-state",
        "state key alias/example-forge-pulumi",
        "role assumed: cfinfra-read-only",
        "stack exists",
    ):
        assert expected in out, expected
    assert max(len(line) for line in lines(result)) <= 80
    assert world.op.calls["items.put"] == before
    for value in world.values.values():
        if len(value) > 8:
            assert value not in out


def test_a_missing_app_permission_is_named_with_the_fix(world: World) -> None:
    world.permissions["organization_secrets"] = "read"
    del world.permissions["repository_hooks"]
    result = run(world)
    assert result.exit_code == 1
    assert "lacks organization_secrets:write, repository_hooks:write" in " ".join(
        result.stderr.split()
    )
    assert "docs/provider-credentials.md" in result.stderr


def test_a_heroku_authorization_about_to_expire_is_expiring(world: World) -> None:
    world.heroku_expires_in = int(timedelta(days=5).total_seconds())
    result = run(world)
    assert result.exit_code == 1
    assert re.search(r"heroku-runner-key expiry: expiring on 2030-01-06", result.stderr)
    assert "cfinfra rotation plan heroku-runner-key" in " ".join(result.stderr.split())


def test_an_upload_token_expiring_soon_is_reported(world: World) -> None:
    world.token_expires = NOW + timedelta(days=3)
    result = run(world)
    assert result.exit_code == 1
    assert "prod-upload-token expiry: expiring on 2030-01-04" in result.stderr


def test_a_rejected_pat_is_a_secret_problem_as_azure_devops_answers_it(world: World) -> None:
    world.values["azure-runner-token"] = "the-service-knows-another"
    world.azure_answer = 203  # a sign-in page, not an error status
    result = run(world)
    assert result.exit_code == 3
    assert "variable group cdt-builds/anaconda-org: HTTP 203" in " ".join(result.stderr.split())


def test_a_missing_variable_group_fails(world: World) -> None:
    world.azure_groups.discard(("feedstock-builds", "anaconda-org"))
    result = run(world)
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "no variable group `anaconda-org` in example-forge/feedstock-builds" in text
    assert "create the group in feedstock-builds" in text


def test_an_issuer_outside_the_organisation_fails_and_says_what_to_do(world: World) -> None:
    world.issuer_orgs = {"someone-else"}
    result = run(world)
    assert result.exit_code == 1
    assert "not a member of `example-forge`" in " ".join(result.stderr.split())


def test_the_api_key_refused_as_bearer_is_a_secret_problem(world: World) -> None:
    world.values["issuer-api-key"] = "not-the-key"
    result = run(world)
    assert result.exit_code == 3
    assert "anaconda.com refuses the API key (Bearer): HTTP 401" in " ".join(result.stderr.split())


def test_an_item_without_its_tag_value_date_or_expiry_fails(world: World) -> None:
    item = world.op.item("deploy", "azure-runner-token")  # the write credentials' vault
    item.tags = []
    item.fields = [f for f in item.fields if f.title not in ("value-set-at", "expires")]
    import asyncio

    asyncio.run(world.op.items.put(item))
    result = run(world)
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "no `cfinfra:cleared-for=<audience>` tag" in text
    assert "no `value-set-at`" in text
    assert "no `expires` (azure-devops-pat always expires)" in text


def test_a_missing_heroku_var_and_a_missing_stack_fail(world: World) -> None:
    world.heroku_vars.discard("WEBSERVICES_TOKEN")
    world.root.joinpath("Pulumi.yaml").write_text(
        world.root.joinpath("Pulumi.yaml")
        .read_text(encoding="utf-8")
        .replace("name: conda-forge-infra", "name: other-project"),
        encoding="utf-8",
    )
    result = run(world)
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "not set yet: WEBSERVICES_TOKEN" in text
    assert "no stack conda-forge/other-project/fixture" in text


def test_a_github_token_reports_its_own_expiry_in_the_header(world: World) -> None:
    world.github_expiration = "2030-01-09 12:00:00 UTC"
    result = run(world)
    assert result.exit_code == 1
    assert "reports-token expiry: expiring on 2030-01-09" in result.stderr


# --- a read-only run: its own credentials, with its own 1Password account -------------------------


def run_read_only(world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    # The read-only account reads vault `pulumi` only (the fixture's `onepassword_vaults`); the
    # deploy's write credentials live in `deploy`, which does not exist for it.
    world.op = world.account("pulumi")
    monkeypatch.setenv("CFINFRA_ENVIRONMENT", "read-only")
    return run(world)


def test_a_read_only_run_checks_its_own_credentials_with_its_own_account(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_read_only(world, monkeypatch)
    assert result.exit_code == 0, result.output
    out = " ".join(" ".join(lines(result)).split())
    for expected in (
        "github-read-only-token authenticates: fine-grained token",
        "heroku-read-only-key authenticates",
        "reads cdt-builds/anaconda-org: azure-read-only-token",
        "vaults `deploy`: not read by the `read-only` account, by design",
    ):
        assert expected in out, expected
    assert "GitHub App" not in out
    assert "heroku-runner-key" not in out
    for value in world.values.values():
        if len(value) > 8:
            assert value not in out


def test_the_deploys_check_with_the_read_only_account_names_every_write_credential(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the switch the deploy's credentials are checked: a read-only account cannot read
    # them, which is the point of the vault (and why the read-only jobs state their run).
    world.op = world.account("pulumi")
    monkeypatch.delenv("CFINFRA_ENVIRONMENT", raising=False)
    result = run(world)
    assert result.exit_code == 3
    text = " ".join(result.stderr.split())
    for sid in ("azure-runner-token", "heroku-runner-key", "github-runner-app-key"):
        assert f"deploy/{sid}" in text


def test_a_read_only_item_missing_for_the_read_only_account_is_a_secret_problem(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    del world.seed["pulumi"]["github-read-only-token"]
    result = run_read_only(world, monkeypatch)
    assert result.exit_code == 3
    assert "pulumi/github-read-only-token `credential`" in " ".join(result.stderr.split())


def test_a_read_only_credential_its_account_cannot_read_is_refused_before_any_check(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = world.root / "secrets" / "heroku-read-only-key.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("vault: pulumi", "vault: deploy"), encoding="utf-8")
    result = run_read_only(world, monkeypatch)
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "secrets/heroku-read-only-key.yaml: onepassword.vault:" in text
    assert "`read-only` runs resolve this credential" in text
    assert world.op.calls["secrets.resolve_all"] == 0


def test_a_classic_token_that_can_write_is_refused_for_read_only_runs(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.read_only_token_scopes = "repo, read:org"
    result = run_read_only(world, monkeypatch)
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "github-read-only-token scopes: a classic token with repo can write" in text

"""``cfinfra rotation run`` end to end (moto + the 1Password fake); no secret ever shows."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws
from typer.testing import CliRunner

from infra.cli import app
from infra.rotation.aws_iam import install_log_guard
from tests.conftest import REPO_ROOT
from tests.fakes.onepassword import FakeClient
from tests.rotation.conftest import assert_no_secret_in
from tests.rotation.test_rotation_status_cli import write_secret

runner = CliRunner()
ITEM = "cirun-aws-access-key"


@pytest.fixture
def setup(
    aws_credentials: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[dict[str, Any]]:
    """The repository's own manifest entry for the cirun key, a working key in IAM and 1Password."""
    caplog.set_level(logging.DEBUG)
    (tmp_path / "secrets").mkdir()
    manifest = (REPO_ROOT / "secrets" / f"{ITEM}.yaml").read_text(encoding="utf-8")
    (tmp_path / "secrets" / f"{ITEM}.yaml").write_text(manifest, encoding="utf-8")
    write_secret(tmp_path, "heroku-api-key")  # a manual secret beside it
    with freeze_time("2030-01-01") as frozen, mock_aws():
        iam = boto3.client("iam")
        iam.create_user(UserName="cirun")
        first = iam.create_access_key(UserName="cirun")["AccessKey"]
        op = FakeClient(
            {
                "pulumi": {
                    ITEM: {
                        "fields": {
                            "access-key-id": {"value": first["AccessKeyId"], "type": "Text"},
                            "secret-access-key": first["SecretAccessKey"],
                        }
                    },
                    "heroku-api-key": {"fields": {"credential": "h"}},
                }
            }
        )

        async def authenticate(token: str | None = None) -> FakeClient:
            return op

        monkeypatch.setattr("infra.sources.onepassword.authenticate", authenticate)
        yield {"root": tmp_path, "iam": iam, "op": op, "frozen": frozen, "first": first}


def invoke(root: Path, *args: str) -> Any:
    return runner.invoke(app, ["rotation", "run", "--root", str(root), *args])


def statuses(iam: Any) -> list[str]:
    return sorted(k["Status"] for k in iam.list_access_keys(UserName="cirun")["AccessKeyMetadata"])


def test_the_workflow_rotates_the_cirun_key_and_never_shows_a_secret(
    setup: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    root, iam, op, frozen = setup["root"], setup["iam"], setup["op"], setup["frozen"]
    outputs: list[str] = []

    def step(*args: str) -> Any:
        result = invoke(root, *args)
        outputs.extend([result.stdout, result.stderr])
        assert result.exit_code == 0, result.output
        return result

    assert "next rotation from 2030-03-10" in step().stdout
    frozen.tick(timedelta(days=80))

    dry = step("--dry-run")
    assert "would create a key, verify it with STS and store it in 1Password" in dry.stdout
    assert statuses(iam) == ["Active"]

    first = step()
    assert "created key AKIA…" in first.stdout
    assert "run `pulumi up` to deliver them, then `cfinfra rotation run --deployed`" in first.stdout
    assert statuses(iam) == ["Active", "Active"]

    step("--deployed")
    assert statuses(iam) == ["Active", "Inactive"]
    frozen.tick(timedelta(days=1))
    assert "delete inactive key" in step().stdout
    assert statuses(iam) == ["Active"]

    secrets = [
        setup["first"]["SecretAccessKey"],
        op.field_value("pulumi", ITEM, "secret-access-key"),
    ]
    assert secrets[0] != secrets[1]
    assert_no_secret_in([*outputs, caplog.text], secrets)
    new_id = op.field_value("pulumi", ITEM, "access-key-id")
    assert new_id not in "".join(outputs)  # key ids are shown truncated only


def test_a_manual_secret_cannot_be_run(setup: dict[str, Any]) -> None:
    result = invoke(setup["root"], "--secret", "heroku-api-key")
    assert result.exit_code == 2
    assert "rotated by hand" in result.stderr


def test_an_unknown_secret_exits_2(setup: dict[str, Any]) -> None:
    assert invoke(setup["root"], "--secret", "nope").exit_code == 2


def test_a_rotator_that_stops_exits_1_and_says_why(setup: dict[str, Any]) -> None:
    # Someone replaced the key by hand without updating 1Password: the rotator will not guess.
    iam = setup["iam"]
    iam.delete_access_key(UserName="cirun", AccessKeyId=setup["first"]["AccessKeyId"])
    iam.create_access_key(UserName="cirun")
    result = invoke(setup["root"])
    assert result.exit_code == 1
    assert "stopped: cirun-aws-access-key: active key AKIA…" in result.stderr
    assert "a person must decide" in result.stderr


def test_botocore_debug_logs_would_carry_the_secret_but_the_guard_drops_them(
    aws_credentials: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    parsers = logging.getLogger("botocore.parsers")
    with mock_aws():
        iam = boto3.client("iam")
        iam.create_user(UserName="u")
        saved = parsers.filters[:]
        parsers.filters.clear()
        try:
            unguarded = iam.create_access_key(UserName="u")["AccessKey"]["SecretAccessKey"]
            assert unguarded in caplog.text  # the risk is real: botocore logs the response body
        finally:
            parsers.filters[:] = saved
        caplog.clear()
        install_log_guard()
        guarded = iam.create_access_key(UserName="u")["AccessKey"]["SecretAccessKey"]
        assert guarded not in caplog.text


def test_the_rotation_cli_module_imports_no_sdk() -> None:
    code = (
        "import sys, infra.rotation.cli; "
        "print([m for m in ('boto3', 'onepassword', 'pulumi') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert result.stdout.strip() == "[]"


def test_counts_say_only_how_many_advanced_were_unchanged_or_failed(
    setup: dict[str, Any], tmp_path: Path
) -> None:
    counts = tmp_path / "counts.json"
    assert invoke(setup["root"], "--counts", str(counts)).exit_code == 0
    assert json.loads(counts.read_text()) == {"advanced": 0, "unchanged": 1, "failed": 0}
    setup["frozen"].tick(timedelta(days=80))
    assert invoke(setup["root"], "--counts", str(counts)).exit_code == 0
    assert json.loads(counts.read_text()) == {"advanced": 1, "unchanged": 0, "failed": 0}
    iam = setup["iam"]
    for key in iam.list_access_keys(UserName="cirun")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="cirun", AccessKeyId=key["AccessKeyId"])
    iam.create_access_key(UserName="cirun")
    assert invoke(setup["root"], "--counts", str(counts)).exit_code == 1
    assert json.loads(counts.read_text()) == {"advanced": 0, "unchanged": 0, "failed": 1}

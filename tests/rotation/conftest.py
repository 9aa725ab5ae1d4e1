"""Fixtures for the rotation tests: fake AWS credentials, the moto + 1Password-fake world, and a
teardown check that no secret access key ever reached stdout, stderr or any log record."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import freezegun
import pytest
from freezegun import freeze_time
from moto import mock_aws
from moto.core import enable_iam_authentication

# Import everything a command loads lazily *before* any test freezes time: a module imported under
# freezegun binds `datetime.date` to freezegun's FakeDate, which pydantic cannot build a schema for.
import infra.config.loader
import infra.config.secret_rules
import infra.rotation.anaconda
import infra.rotation.aws_iam
import infra.rotation.runner
import infra.rotation.status  # noqa: F401
from tests.rotation import anaconda_world
from tests.rotation.aws_world import REGION, World, build_world

START = "2030-01-01 00:00:00"
# pytest's own timers (durations, timeouts) keep the real clock while a test's clock is frozen.
freezegun.configure(extend_ignore_list=["_pytest"])


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials so that nothing can reach a real AWS account, even by mistake."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def assert_no_secret_in(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text, "a secret access key was printed, logged or raised"


@pytest.fixture
def world(
    aws_credentials: None, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> Iterator[World]:
    """moto IAM/STS (signatures checked), the 1Password fake holding a working key, time frozen at
    2030-01-01. Every log record at DEBUG and up is captured and checked for secrets at teardown."""
    caplog.set_level(logging.DEBUG)
    with freeze_time(START) as frozen, mock_aws():
        w = build_world(frozen)
        with enable_iam_authentication():
            yield w
    captured = capsys.readouterr()
    assert_no_secret_in([captured.out, captured.err, caplog.text], w.secrets_seen)


@pytest.fixture
def anaconda(
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[anaconda_world.World]:
    """anaconda.org, GitHub, Azure DevOps and Heroku as recorded HTTP (``responses``), the
    1Password fake holding the production upload token (or, parametrised indirectly, another
    upload token's id) and both issuer credentials, time frozen at 2030-01-01. No token may reach
    stdout, stderr or a log record."""
    import responses

    anaconda_world.prod_carriers()  # the offline program run, before the clock is frozen
    caplog.set_level(logging.DEBUG)
    with (
        freeze_time(START) as frozen,
        responses.RequestsMock(assert_all_requests_are_fired=False) as http,
    ):
        w = anaconda_world.build_world(
            frozen, http, getattr(request, "param", anaconda_world.SECRET)
        )
        yield w
    captured = capsys.readouterr()
    assert_no_secret_in([captured.out, captured.err, caplog.text], w.secrets_seen)

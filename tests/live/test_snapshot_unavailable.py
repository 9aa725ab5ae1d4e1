"""`cfinfra snapshot` fails fast, in one line, when GitHub cannot be read at all: no network, a
token GitHub refuses, no rate limit left. Every case runs on this machine only: a closed port and
a port that never accepts on the loopback interface, or the fake of GitHub's API."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator

import pytest
import responses
from typer.testing import CliRunner

from infra.cli import app
from infra.exitcodes import ExitCode
from infra.live import client
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.live.fake_world import FakeApis, world_from_plan
from tests.live.test_snapshot import ENV, take_snapshot


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: a connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A loopback port whose accept queue is full: a connection attempt is never answered,
    as on a network that drops packets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    held = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        held.append(c)
    time.sleep(0.1)
    yield port
    for c in held:
        c.close()
    server.close()


def snapshot_from(monkeypatch, tmp_path, base: str):
    monkeypatch.setattr(client, "GITHUB_API", base)
    out = tmp_path / "snapshot.json"
    args = ["snapshot", "-o", str(out), "--root", str(FIXTURE_ROOT), "--stack", FIXTURE_STACK]
    started = time.monotonic()
    result = CliRunner().invoke(app, args, env=ENV)
    return result, out, time.monotonic() - started


def test_with_github_unreachable_the_snapshot_exits_at_once_in_one_line(
    monkeypatch, tmp_path, closed_port
):
    result, out, took = snapshot_from(monkeypatch, tmp_path, f"http://127.0.0.1:{closed_port}")
    assert result.exit_code == ExitCode.UNAVAILABLE, result.output
    assert took < 10
    assert result.output.splitlines() == [
        f"snapshot: GitHub cannot be reached (127.0.0.1:{closed_port}: connection refused, "
        "GET /orgs/example-forge); nothing written"
    ]
    assert not out.exists()


def test_with_a_network_that_never_answers_the_snapshot_ends_within_a_minute(
    monkeypatch, tmp_path, black_hole
):
    result, out, took = snapshot_from(monkeypatch, tmp_path, f"http://127.0.0.1:{black_hole}")
    assert result.exit_code == ExitCode.UNAVAILABLE, result.output
    # Two connection attempts of CONNECT_TIMEOUT_S each, for the first request only.
    assert took < 2 * client.CONNECT_TIMEOUT_S + 5 < 60
    assert result.output.splitlines() == [
        f"snapshot: GitHub cannot be reached (127.0.0.1:{black_hole}: no answer within the "
        "timeout, GET /orgs/example-forge); nothing written"
    ]
    assert not out.exists()


def test_no_request_can_take_a_minute_even_when_the_server_never_answers():
    assert client.WORST_CASE_S < 60


def test_a_token_github_refuses_ends_the_snapshot_after_one_request(tmp_path, fixture_plan):
    fake = FakeApis(world_from_plan(fixture_plan), token="ghs_the-right-token-0008")
    out = tmp_path / "snapshot.json"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        args = ["snapshot", "-o", str(out), "--root", str(FIXTURE_ROOT), "--stack", FIXTURE_STACK]
        result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert result.output.splitlines() == [
        "snapshot: GitHub refuses the token (HTTP 401, GET /orgs/example-forge); nothing written"
    ]
    assert len(fake.requests) == 1
    assert ENV["GITHUB_TOKEN"] not in result.output
    assert not out.exists()


def test_a_spent_rate_limit_ends_the_snapshot_with_the_time_it_resets(tmp_path, fixture_plan):
    fake = FakeApis(world_from_plan(fixture_plan), limit=12)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        args = ["snapshot", "-o", str(tmp_path / "s.json"), "--root", str(FIXTURE_ROOT)]
        result = CliRunner().invoke(app, [*args, "--stack", FIXTURE_STACK], env=ENV)
    assert result.exit_code == ExitCode.UNAVAILABLE
    (line,) = result.output.splitlines()
    assert line.startswith("snapshot: GitHub's rate limit is spent until 08:00 UTC (GET /")
    assert len(fake.requests) == 13
    assert not (tmp_path / "s.json").exists()


def test_on_a_terminal_the_snapshot_shows_each_request_as_it_goes(
    monkeypatch, tmp_path, fixture_plan
):
    import io

    from rich.console import Console

    from infra.live import cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=100))
    result, _, fake = take_snapshot(tmp_path, world_from_plan(fixture_plan))
    assert result.exit_code == 0, result.output
    shown = [int(n) for n in re.findall(r"snapshot: request (\d+): GET /", screen.getvalue())]
    assert shown  # redrawn a few times a second: not every request is drawn
    assert max(shown) <= len(fake.requests)
    assert "planted" not in screen.getvalue()


def test_off_a_terminal_the_snapshot_prints_no_progress(tmp_path, fixture_plan):
    result, _, _ = take_snapshot(tmp_path, world_from_plan(fixture_plan))
    assert "snapshot: request" not in result.output

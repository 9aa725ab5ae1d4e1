"""Requests in, grants out: an admin-requests file becomes a reviewable edit of the access data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.runners.render import render_access_config
from tests.runners.runner_helpers import DATA, fingerprint, load, write_yaml

runner = CliRunner()


@pytest.fixture
def project(fixture_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The command reads and writes relative to the working directory, as an admin runs it.
    monkeypatch.chdir(fixture_copy)
    return fixture_copy


def _request(root: Path, name: str, **doc: object) -> Path:
    path = root / "requests" / f"{name}.yml"
    write_yaml(path, doc)
    return path


def _apply(path: Path, *extra: str):
    return runner.invoke(app, ["runners", "apply-request", str(path), *extra])


def _cirun(root: Path, name: str, **overrides: object) -> Path:
    doc: dict[str, object] = {
        "action": "cirun",
        "feedstocks": ["pandas"],
        "resources": ["cirun-gpu-box"],
        "pull_request": False,
        "revoke": False,
        "send_pr": True,
    }
    doc.update(overrides)
    return _request(root, name, **doc)


def test_a_cirun_request_then_its_revoke_leaves_the_data_byte_for_byte_as_before(project):
    before = fingerprint(project / DATA)

    granted = _apply(_cirun(project, "grant"))
    assert granted.exit_code == 0, granted.output
    assert fingerprint(project / DATA) != before
    revoked = _apply(_cirun(project, "revoke", revoke=True))
    assert revoked.exit_code == 0, revoked.output

    assert fingerprint(project / DATA) == before


def test_a_grant_writes_a_canonical_access_file_and_reaches_the_generated_access_file(project):
    result = _apply(_cirun(project, "grant", feedstocks=["pandas", "xarray"], pull_request=True))

    assert result.exit_code == 0, result.output
    assert "grant cirun-gpu-box to pandas (pull requests too)" in result.output
    assert (project / DATA / "access/pandas.yaml").read_text() == (
        "# yaml-language-server: $schema=../../../docs/reference/feedstock-access.schema.json\n"
        "cirun:\n- resources:\n  - cirun-gpu-box\n  pull_request: true\n"
    )
    data, problems = load(project)
    assert problems == []
    access = yaml.safe_load(render_access_config(data))
    [box] = [a for a in access["access_control"] if a["resource"] == "cirun-gpu-box"]
    assert box["policies"] == ["pandas-feedstock-policy", "xarray-feedstock-policy"]


def test_granting_more_to_a_feedstock_with_access_round_trips_too(project):
    before = fingerprint(project / DATA)

    granted = _apply(_cirun(project, "grant", feedstocks=["numpy"], pull_request=True))
    assert granted.exit_code == 0, granted.output
    text = (project / DATA / "access/numpy.yaml").read_text()
    # Resources in resources.yaml order, the large-runner grant kept.
    assert text.index("cirun-azure-windows-2xlarge") < text.index("cirun-gpu-box")
    assert yaml.safe_load(text)["large_runners"] == ["namespace"]
    revoked = _apply(_cirun(project, "revoke", feedstocks=["numpy"], revoke=True))
    assert revoked.exit_code == 0, revoked.output

    assert fingerprint(project / DATA) == before


@pytest.mark.parametrize("provider", ["namespace", "blacksmith", "depot"])
def test_a_large_runner_request_then_its_revoke_round_trips(project, provider):
    before = fingerprint(project / DATA)
    request = {"action": provider, "feedstocks": ["scipy", "pandas"]}

    granted = _apply(_request(project, "grant", **request, revoke=False))
    assert granted.exit_code == 0, granted.output
    assert yaml.safe_load((project / DATA / "access/pandas.yaml").read_text()) == {
        "large_runners": [provider]
    }
    scipy = yaml.safe_load((project / DATA / "access/scipy.yaml").read_text())
    assert scipy["large_runners"] == [provider]
    assert scipy["cirun"][0]["name"] == "gpu"  # its cirun grant kept
    revoked = _apply(_request(project, "revoke", **request, revoke=True))
    assert revoked.exit_code == 0, revoked.output

    assert fingerprint(project / DATA) == before


def test_an_invalid_request_lists_every_problem_exits_2_and_writes_nothing(project):
    before = fingerprint(project / DATA)
    path = _cirun(
        project,
        "bad",
        feedstocks=["pandas-feedstock", "pandas", "pandas"],
        resources=["openstack-gpu-large", "cirun-does-not-exist", "cirun-old-gpu-large"],
    )

    result = _apply(path)

    assert result.exit_code == 2
    lines = result.output.splitlines()
    for where, what in [
        ("feedstocks[0]", "write the package name `pandas` without `-feedstock`"),
        ("feedstocks[2]", "`pandas` is listed twice"),
        ("resources[0]", "cirun resources start with `cirun-`"),
        ("resources[1]", "unknown resource `cirun-does-not-exist`"),
        ("resources[2]", "`cirun-old-gpu-large` is retired"),
    ]:
        assert any(line.startswith(f"{path}: {where}: ") and what in line for line in lines), (
            result.output
        )
    assert lines[-1] == "5 validation errors found"
    assert fingerprint(project / DATA) == before


def test_a_request_that_is_not_a_runner_request_is_refused(project):
    result = _apply(_request(project, "archive", action="archive", feedstocks=["pandas"]))

    assert result.exit_code == 2
    assert "action" in result.output


def test_unknown_keys_and_wrong_types_in_a_request_are_refused(project):
    result = _apply(_cirun(project, "typo", pull_requests=True, revoke="yes"))

    assert result.exit_code == 2
    assert "pull_requests" in result.output
    assert "revoke" in result.output


def test_granting_what_a_feedstock_already_has_is_refused(project):
    path = _cirun(
        project,
        "again",
        feedstocks=["numpy"],
        resources=["cirun-azure-windows-2xlarge"],
        pull_request=True,
    )

    result = _apply(path)

    assert result.exit_code == 2
    assert (
        "`numpy` already has `cirun-azure-windows-2xlarge` (numpy-feedstock-policy)"
        in result.output
    )


def test_revoking_what_a_feedstock_does_not_have_is_refused(project):
    result = _apply(_cirun(project, "nothing", revoke=True))

    assert result.exit_code == 2
    assert "`pandas` has no access to `cirun-gpu-box`; nothing to revoke" in result.output


def test_a_request_changing_pull_request_on_an_existing_policy_is_refused(project):
    # numpy's policy allows pull requests; a request without them would silently change it.
    result = _apply(_cirun(project, "pr", feedstocks=["numpy"], pull_request=False))

    assert result.exit_code == 2
    assert "pull_request" in result.output


def test_large_runner_requests_name_no_resources(project):
    result = _apply(
        _request(
            project, "depot", action="depot", feedstocks=["pandas"], resources=["cirun-gpu-box"]
        )
    )

    assert result.exit_code == 2
    assert "only `cirun` requests name resources" in result.output


def test_a_dry_run_shows_the_change_and_writes_nothing(project):
    before = fingerprint(project / DATA)

    result = _apply(_cirun(project, "grant"), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "grant cirun-gpu-box to pandas" in result.output
    assert fingerprint(project / DATA) == before


def test_revoking_a_resource_shared_with_other_resources_keeps_the_rest(project):
    path = _cirun(
        project,
        "revoke",
        feedstocks=["numpy"],
        resources=["cirun-azure-windows-2xlarge"],
        revoke=True,
    )

    result = _apply(path)

    assert result.exit_code == 0, result.output
    doc = yaml.safe_load((project / DATA / "access/numpy.yaml").read_text())
    assert doc["cirun"] == [{"resources": ["cirun-openstack-gpu-large"], "pull_request": True}]
    assert doc["large_runners"] == ["namespace"]

"""`cfinfra adopt --from`: computed, validated, then written whole; layout and comments kept.

The round trip with `plan --against` is in tests/live/test_plan_against.py.
"""

from __future__ import annotations

import difflib

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.config.files import write_all
from tests.conftest import FIXTURE_STACK
from tests.live.fake_world import world_from_plan
from tests.live.test_snapshot import take_snapshot

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"
ORG = "/orgs/example-forge"
TOKEN = "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"
NEXT_COMMENT = "    # The org's Actions policy (a comment about what follows org_settings)."


def adopt_from(root, snapshot):
    args = ["adopt", "--from", str(snapshot), "--root", str(root), "--stack", FIXTURE_STACK]
    return CliRunner().invoke(app, args)


def snapshot(tmp_path, root, world):
    result, out, _ = take_snapshot(tmp_path, world, root=root)
    assert result.exit_code == 0, result.output
    return out


def files_of(root):
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(fixture_copy):
    """The fixture stack with two org settings not declared yet, and a comment after the
    org_settings block that introduces the next key (as production's stack file has)."""
    path = fixture_copy / STACK_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    drop = ("      default_repository_permission: read\n", "      web_commit_signoff_required:")
    lines = [line for line in lines if not line.startswith(drop)]
    at = lines.index("    actions:\n")
    lines.insert(at, NEXT_COMMENT + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return fixture_copy


def test_adopted_keys_go_inside_their_mapping_and_every_other_line_stays_byte_for_byte(
    tmp_path, project, fixture_plan
):
    before = (project / STACK_FILE).read_text(encoding="utf-8").splitlines()
    result = adopt_from(project, snapshot(tmp_path, project, world_from_plan(fixture_plan)))
    assert result.exit_code == 0, result.output
    after = (project / STACK_FILE).read_text(encoding="utf-8").splitlines()
    diff = sorted(d for d in difflib.ndiff(before, after) if d[:1] in "+-")
    # The adopted values only: no other line is removed or rewritten (a `null` stays `null`).
    app = "example-forge-webservices: {app_id: %s, repositories: [staged-recipes]}"
    assert diff == sorted(
        [
            "+       default_repository_permission: read",
            "+       web_commit_signoff_required: false",
            f"+         {app % 4242}",
            f"-         {app % 'null'}",
        ]
    )
    assert "          WEBSERVICES_FEEDSTOCK_APP_ID: null" in after
    # ... and they sit above the comment that introduces the next key, not under it.
    assert after.index(NEXT_COMMENT) == after.index("    actions:") - 1
    assert after.index("      web_commit_signoff_required: false") < after.index(NEXT_COMMENT)


def test_a_credential_in_a_live_value_is_neither_printed_nor_written(
    tmp_path, project, fixture_plan
):
    world = world_from_plan(fixture_plan)
    world[ORG]["description"] = f"Rotated: {TOKEN}"
    world["/apps/example-forge-webservices"]["id"] = 4242  # a harmless edit beside it
    snap = snapshot(tmp_path, project, world)
    files = files_of(project)
    result = adopt_from(project, snap)
    assert result.exit_code == 2, result.output
    assert TOKEN not in result.output
    assert "org_settings.description: this value looks like a credential" in result.output
    assert "nothing written" in result.output
    assert files_of(project) == files, "adopt wrote although the data did not validate"


def test_adopt_writes_every_changed_file_or_none(tmp_path, monkeypatch):
    # A failure while renaming the second file puts the first one back.
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("old a\n")
    second.write_text("old b\n")
    import infra.config.files as files

    real = files.os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space"):
        write_all({first: "new a\n", second: "new b\n"})
    assert first.read_text() == "old a\n"
    assert second.read_text() == "old b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]  # no temporaries

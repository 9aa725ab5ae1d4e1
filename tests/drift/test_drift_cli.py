"""`cfinfra drift-report`: exit codes, output file, and messages a workflow log can show."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["drift-report", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_a_clean_preview_exits_0(fixtures_dir: Path) -> None:
    code, out, _ = invoke(fixtures_dir / "clean.json")
    assert code == 0
    assert "**No drift.**" in out


def test_a_drifted_preview_exits_1_naming_each_resource_and_property(fixtures_dir: Path) -> None:
    code, out, _ = invoke(fixtures_dir / "update.json")
    assert code == 1
    for name in (
        "STAGING_BINSTAR_TOKEN",
        "CF_ADMIN_GITHUB_TOKEN",
        "conda-forge-command",
        "staged-recipes",
    ):
        assert f"`{name}`" in out
    for prop in (
        "value",
        "selectedRepositoryIds[2]",
        "events[3]",
        "description",
        "hasWiki",
        "privacy",
    ):
        assert f"`{prop}`" in out


def test_output_goes_to_the_file_and_a_summary_to_stderr(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "drift.md"
    code, out, err = invoke(fixtures_dir / "replace.json", "--output", target)
    assert code == 1
    assert out == ""
    assert err.strip() == "drift: 2 resource(s) drifted; 2 replace; 2 security-relevant"
    assert target.read_text(encoding="utf-8").startswith("# Pulumi drift report\n")


def test_engine_errors_exit_1(fixtures_dir: Path) -> None:
    code, out, _ = invoke(fixtures_dir / "errors.json")
    assert code == 1
    assert "**Preview failed**" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"version": 3, "deployment": {}}', "not `pulumi preview --json` output"),
        ("", "empty"),
    ],
)
def test_malformed_input_exits_2_with_one_clear_line(
    tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "preview.json"
    bad.write_text(content, encoding="utf-8")
    code, out, err = invoke(bad, "--output", tmp_path / "drift.md")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"error: {bad}: ")
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "drift.md").exists()


@pytest.mark.parametrize("make", [lambda p: p / "missing.json", lambda p: p])
def test_an_unreadable_path_exits_2(tmp_path: Path, make: object) -> None:
    assert callable(make)
    code, _, err = invoke(make(tmp_path))
    assert code == 2
    assert err.startswith("error: cannot read ")
    assert err.count("\n") == 1

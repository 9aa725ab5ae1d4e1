"""The command line as a person meets it: help, version, exit codes, output paths, start-up cost."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from infra.cli import app
from infra.exitcodes import ExitCode
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

REPO_ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _leaf_paths() -> list[list[str]]:
    """Every runnable command, as the words that name it (`["rotation", "status"]`)."""
    root = get_command(app)
    ctx = root.make_context("cfinfra", ["--help"], resilient_parsing=True)
    paths = []
    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        cmd = root.get_command(ctx, name)  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        paths += [[name, sub] for sub in subs] if subs else [[name]]
    return paths


@pytest.mark.parametrize("words", _leaf_paths(), ids=" ".join)
def test_every_command_shows_an_example_and_renders_flags_as_flags(words):
    result = runner.invoke(app, [*words, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output, f"`cfinfra {' '.join(words)}` has no example"
    assert f"cfinfra {' '.join(words)}" in result.output.split("Examples:")[1]
    assert "<bool>" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_help_keeps_square_brackets_visible():
    result = runner.invoke(app, ["plan", "--help"])
    assert '"[secret]"' in result.output


def test_version_prints_the_package_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("cfinfra ")


def test_a_misspelt_command_gets_a_suggestion_even_when_loaded_lazily():
    result = runner.invoke(app, ["rotaton"])
    assert result.exit_code == 2
    assert "Did you mean 'rotation'?" in result.output


def test_exit_codes_are_the_readme_contract():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4]
    for code in ExitCode:
        assert f"`{int(code)}`" in readme.split("Exit codes")[1][:500]


def test_an_unwritable_json_path_is_exit_2_in_one_line_before_planning(tmp_path, monkeypatch):
    def no_planning(*args, **kwargs):
        raise AssertionError("planned before checking the output path")

    monkeypatch.setattr("infra.plan.engine.plan_stack", no_planning)
    result = runner.invoke(app, ["plan", "--json", str(tmp_path / "no" / "p.json")])
    assert result.exit_code == ExitCode.INVALID, result.output
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "--json" in result.stderr
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_drift_report_to_a_missing_folder_is_exit_2_without_traceback(tmp_path):
    preview = REPO_ROOT / "tests" / "fixtures" / "preview" / "clean.json"
    result = runner.invoke(
        app, ["drift-report", str(preview), "-o", "/nonexistent-dir/x.md"], catch_exceptions=False
    )
    assert result.exit_code == ExitCode.INVALID
    assert "Traceback" not in result.output
    assert "/nonexistent-dir" in result.output


def test_plan_json_dash_writes_the_json_to_stdout_and_the_summary_to_stderr(tmp_path):
    # A real process: the split between the two streams is what a shell pipe sees.
    plan = ["plan", "--stack", FIXTURE_STACK, "--root", str(FIXTURE_ROOT), "--json", "-"]
    result = subprocess.run(
        [sys.executable, "-m", "infra.cli", *plan],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stack"] == FIXTURE_STACK
    assert "Offline plan" in result.stderr
    assert not (REPO_ROOT / "-").exists()


def test_plan_reads_in_80_columns_with_every_secret_id_whole_and_no_warning_twice(monkeypatch):
    from infra.console import err, out

    for console in (out, err):  # as in a terminal 80 columns wide
        monkeypatch.setattr(console, "_width", 80)
    result = runner.invoke(app, ["plan", "--stack", FIXTURE_STACK, "--root", str(FIXTURE_ROOT)])
    assert result.exit_code == 0, result.output
    text = result.stdout + result.stderr
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    for secret in (FIXTURE_ROOT / "secrets").glob("*.yaml"):
        assert re.search(rf"(?<![\w-]){re.escape(secret.stem)}(?![\w-])", result.stdout), secret
    warnings = [line for line in lines if line.startswith("warning:")]
    assert len(warnings) == len(set(warnings))
    # Short type names stay unambiguous: a component keeps its domain.
    assert "cfinfra:heroku:App" in result.stdout
    assert "cfinfra:App" not in result.stdout


def test_identical_program_warnings_print_once_and_only_where_the_command_asks():
    from infra.console import err, print_program_warnings, route_program_warnings
    from infra.plan.engine import PROGRAM_LOG

    route_program_warnings()
    with err.capture() as captured:
        PROGRAM_LOG.warning("the same advice")
        PROGRAM_LOG.warning("the same advice")
        PROGRAM_LOG.warning("other advice")
    assert "warning:" not in captured.get()  # `diff`, `docs`, `snapshot`: not their answer
    with err.capture() as captured:
        print_program_warnings()
        print_program_warnings()
    assert captured.get().count("warning: the same advice") == 1
    assert captured.get().count("warning: other advice") == 1


def test_an_undeclared_repository_is_reported_once_not_also_as_a_leak(fixture_copy):
    # staged-recipes receives secrets (a `selected` org secret lists it): unknown, it must not
    # also be judged as an audience.
    (fixture_copy / "data" / "github" / "repositories" / "staged-recipes.yaml").unlink()
    result = runner.invoke(app, ["validate", "--root", str(fixture_copy), "--stack", FIXTURE_STACK])
    assert result.exit_code == ExitCode.INVALID, result.output
    assert "`staged-recipes` is not a repository" in result.output
    assert "LEAK" not in result.output


def test_a_misspelt_key_gets_a_suggestion_and_no_library_prefix(fixture_copy):
    repo = fixture_copy / "data" / "github" / "repositories" / "admin-requests.yaml"
    repo.write_text(repo.read_text().replace("\naudience:", "\naudiense:"))
    owners = fixture_copy / "data" / "github" / "owners.csv"
    lines = owners.read_text().splitlines()
    lines[2] = lines[2].replace(",", ",bad login!,", 1) if "," in lines[2] else lines[2]
    owners.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["validate", "--root", str(fixture_copy), "--stack", FIXTURE_STACK])
    assert result.exit_code == ExitCode.INVALID, result.output
    assert "audiense: Extra inputs are not permitted; did you mean `audience`?" in result.output
    assert "Value error," not in result.output
    assert ".github:" not in result.output  # `row 3, column github`, not `row 3.github`

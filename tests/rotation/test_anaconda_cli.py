"""`cfinfra rotation run --emergency` and `cfinfra rotation plan`, offline, on the real manifest."""

from __future__ import annotations

from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import REPO_ROOT

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

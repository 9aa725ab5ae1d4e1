"""One way to print (infra/console.py): messages as they are, documents byte for byte."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.console import err, out, print_document, print_text
from tests.conftest import REPO_ROOT
from tests.pipeline.helpers import REPO_T, plan, preview, repo, step, urn

# What rich would change if it rendered these: markup (`[bold]`), a task-list box (`[x]`), an
# emoji code, a line far wider than any terminal, a tab, a carriage return.
TRICKY = (
    "- [x] done :warning: [bold]not bold[/bold] :key:\n"
    + "word " * 40
    + "end\n"
    + "\tindented by a tab\r\n"
)


@pytest.fixture
def terminal(monkeypatch):
    """Both consoles as on an 80-column colour terminal, where rich would wrap and style."""
    for console in (out, err):
        monkeypatch.setattr(console, "_width", 80)
        monkeypatch.setattr(console, "_force_terminal", True)


def test_a_document_prints_byte_for_byte(terminal, capsys) -> None:
    print_document(TRICKY)
    print_document(TRICKY, stderr=True)
    captured = capsys.readouterr()
    assert captured.out == TRICKY
    assert captured.err == TRICKY


def test_a_message_prints_as_it_is_never_wrapped_styled_or_emojified(terminal, capsys) -> None:
    line = "error: [x] :warning: `cfinfra:key:x` " + "word " * 40
    print_text(line)
    print_text(line, stderr=True, end="")
    captured = capsys.readouterr()
    assert captured.out == line + "\n"
    assert captured.err == line


def test_a_table_cell_keeps_an_emoji_code_as_text(capsys) -> None:
    from rich.table import Table

    table = Table()
    table.add_column("type")
    table.add_row("cfinfra:key:Thing")
    out.print(table)
    assert "cfinfra:key:Thing" in capsys.readouterr().out


def _tricky_value() -> str:
    return TRICKY.replace("\r\n", "\n").rstrip("\n")


def test_the_diff_on_stdout_is_the_file_it_writes(tmp_path: Path) -> None:
    base, head = plan(repo("numpy", "old")), plan(repo("numpy", _tricky_value()))
    base.write(tmp_path / "base.json")
    head.write(tmp_path / "head.json")
    args = ["diff", "--base-plan", str(tmp_path / "base.json")]
    args += ["--head-plan", str(tmp_path / "head.json")]
    shown = CliRunner().invoke(app, args)
    written = CliRunner().invoke(app, [*args, "--output", str(tmp_path / "diff.md")])
    assert shown.exit_code == written.exit_code == 0
    document = (tmp_path / "diff.md").read_text(encoding="utf-8")
    assert shown.stdout == document
    assert ":warning:" in document
    assert "[x]" in document


def test_the_drift_report_on_stdout_is_the_file_it_writes(tmp_path: Path) -> None:
    target = urn(REPO_T, "conda-forge/numpy")
    drift = step(
        "update",
        target,
        detailed={"description": "update"},
        old={"description": _tricky_value()},
        new={"description": "the code's"},
    )
    (tmp_path / "preview.json").write_text(json.dumps(preview(drift)), encoding="utf-8")
    args = ["drift-report", str(tmp_path / "preview.json")]
    shown = CliRunner().invoke(app, args)
    written = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "drift.md")])
    assert shown.exit_code == written.exit_code == 1
    document = (tmp_path / "drift.md").read_text(encoding="utf-8")
    assert shown.stdout == document
    assert ":warning:" in document
    assert "[x]" in document


def _printing_calls(path: Path) -> list[str]:
    """Calls that print around the consoles: echo, print, a stream's write, another Console."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name in {"print", "typer.echo", "click.echo", "Console", "rich.console.Console"} or (
            name.startswith(("sys.stdout.", "sys.stderr."))
        ):
            found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {name}")
    return found


def test_nothing_in_infra_prints_around_the_consoles() -> None:
    found = [
        call
        for path in sorted((REPO_ROOT / "infra").rglob("*.py"))
        if path != REPO_ROOT / "infra" / "console.py"
        for call in _printing_calls(path)
    ]
    assert found == []


def test_a_typer_echo_is_found(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tests.cli.test_console.REPO_ROOT", tmp_path)
    module = tmp_path / "m.py"
    module.write_text("import typer, sys\ntyper.echo('x')\nsys.stdout.write('y')\n")
    assert _printing_calls(module) == ["m.py:2: typer.echo", "m.py:3: sys.stdout.write"]

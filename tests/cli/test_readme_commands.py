"""The README's command table is checked against the CLI itself, so neither can drift.

The commands come from the CLI (``cfinfra --help`` lists the registered commands and the ``LAZY``
table), never from a list kept here: a command added, moved or removed shows up in this test.
"""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from infra.cli import LAZY, app

REPO_ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _table_cells() -> list[str]:
    """The first cell of every row of the README's command table (under "## The CLI")."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The CLI", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `cfinfra")]
    return [row.split("|")[1] for row in rows]


def _named(cells: list[str]) -> set[str]:
    """Every `cfinfra WORD [SUB]` spelled in the cells (a cell may name several commands)."""
    found: set[str] = set()
    for cell in cells:
        for span in re.findall(r"`([^`]+)`", cell):
            words = span.split()
            if words[0] == "cfinfra":
                words = words[1:]
            if words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                found.add(words[0])
                if len(words) > 1 and re.fullmatch(r"[a-z][a-z-]*", words[1]):
                    found.add(f"{words[0]} {words[1]}")
    return found


def _cli_commands() -> dict[str, list[str]]:
    """Top-level command → its sub-commands (empty for a plain command), as the CLI has them."""
    root = get_command(app)
    ctx = root.make_context("cfinfra", ["--help"], resilient_parsing=True)
    out: dict[str, list[str]] = {}
    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        cmd = root.get_command(ctx, name)  # type: ignore[attr-defined]
        if cmd is None or cmd.hidden:
            continue
        # A group's own list: it includes sub-commands loaded lazily (``LAZY_IN_GROUP``).
        subs = cmd.list_commands(ctx) if hasattr(cmd, "list_commands") else []
        out[name] = sorted(subs)
    return out


def test_the_help_lists_every_lazy_command_and_every_registered_one():
    listed = runner.invoke(app, ["--help"], terminal_width=200).output
    for name in [*LAZY, "validate", "plan"]:
        assert re.search(rf"^\s+{re.escape(name)}\s", listed, re.MULTILINE), name


def test_the_readme_command_table_names_every_top_level_command_the_help_lists():
    named = _named(_table_cells())
    missing = sorted(set(_cli_commands()) - named)
    assert not missing, f"README.md's command table lacks: {', '.join(missing)}"


def test_the_readme_command_table_names_every_sub_command():
    named = _named(_table_cells())
    missing = [
        f"{group} {sub}"
        for group, subs in _cli_commands().items()
        for sub in subs
        if f"{group} {sub}" not in named
    ]
    assert not missing, f"README.md's command table lacks: {', '.join(missing)}"


def test_the_readme_command_table_names_no_command_the_cli_lacks():
    commands = _cli_commands()
    known = set(commands) | {f"{g} {s}" for g, subs in commands.items() for s in subs}
    # A sub-command word is only checked for groups; `plan --against` is an option, not a word.
    stale = sorted(
        n
        for n in _named(_table_cells())
        if n.split()[0] not in known or (" " in n and commands.get(n.split()[0]) and n not in known)
    )
    assert not stale, f"README.md's command table names commands the CLI lacks: {stale}"

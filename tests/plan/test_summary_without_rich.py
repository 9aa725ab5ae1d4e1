"""``cfinfra plan`` prints its summary without rich: the bytes rich prints, checked against rich.

Rich is the reference here: each test renders the old way (a rich ``Console``, as ``infra.console``
creates them) and the plain way, and compares.
"""

from __future__ import annotations

import io
import itertools
import os

import pytest
from rich.console import Console

from infra import console as cli_console
from infra.console import is_terminal, print_text, width
from infra.plan.summary import print_summary, rich_table, table_lines

WIDTHS = (60, 80, 100, 120)
RICH_ENV = ("COLUMNS", "LINES", "TERM", "TTY_COMPATIBLE", "FORCE_COLOR")


@pytest.fixture(autouse=True)
def no_consoles(monkeypatch):
    """No rich console created yet for stdout or stderr (as in a fresh ``cfinfra plan``)."""
    for name in ("out", "err"):
        monkeypatch.delattr(cli_console, name, raising=False)
    for name in RICH_ENV:
        monkeypatch.delenv(name, raising=False)
    yield
    for name in ("out", "err"):  # made by a fallback inside the test: not for other tests
        vars(cli_console).pop(name, None)


def rich_console(file: io.StringIO, width: int | None = None, stderr: bool = False) -> Console:
    """A console as ``infra.console`` makes them, writing to ``file``."""
    return Console(file=file, width=width, stderr=stderr, highlight=False, soft_wrap=True)


def plain_summary(plan, width: int, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)
    print_summary(plan)
    return stdout.getvalue()


def rich_summary(plan, width: int, monkeypatch) -> str:
    """The summary as rich prints it: every line through a rich console ``width`` wide."""
    file = io.StringIO()
    monkeypatch.setattr(cli_console, "out", rich_console(file, width), raising=False)
    print_summary(plan)
    monkeypatch.delattr(cli_console, "out")
    return file.getvalue()


@pytest.mark.parametrize("plan_name", ["fixture_plan", "prod_plan"])
@pytest.mark.parametrize("columns", WIDTHS)
def test_the_summary_is_byte_for_byte_what_rich_prints(plan_name, columns, request, monkeypatch):
    plan = request.getfixturevalue(plan_name)
    expected = rich_summary(plan, columns, monkeypatch)
    assert plain_summary(plan, columns, monkeypatch) == expected
    assert "─" * 20 in expected  # the table was drawn


@pytest.mark.parametrize("plan_name", ["fixture_plan", "prod_plan"])
@pytest.mark.parametrize("columns", [*WIDTHS, 79, 30])
def test_the_table_is_drawn_without_rich_exactly_where_rich_draws_the_same(
    plan_name, columns, request
):
    plan = request.getfixturevalue(plan_name)
    by_type = {r.type for r in plan.resources}
    rows = [(t, "12", "·", "3", "·") for t in sorted(by_type)]
    file = io.StringIO()
    rich_console(file, columns).print(rich_table(rows))
    lines = table_lines(rows, columns)
    natural = max(len(t) for t in by_type) + 1 + 7 + 1 + 9 + 1 + 8 + 1 + 7
    if columns >= natural:
        assert lines is not None
        assert "".join(f"{line}\n" for line in lines) == file.getvalue()
    else:  # rich shrinks the columns (headers become "…"): left to rich
        assert lines is None
        assert "…" in file.getvalue()


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [("a", "1", "·", "·", "·")],
        [("pulumi:providers:aws", "100000", "99999", "·", "1")],
        [("x" * 70, "1", "1", "1", "1")],
    ],
)
def test_unusual_tables_match_rich_or_are_left_to_it(rows):
    for columns in (40, 80, 120):
        file = io.StringIO()
        rich_console(file, columns).print(rich_table(rows))
        lines = table_lines(rows, columns)
        if lines is not None:
            assert "".join(f"{line}\n" for line in lines) == file.getvalue()
        else:  # too wide: rich cuts cells with an ellipsis
            assert "…" in file.getvalue()


@pytest.mark.parametrize("markup_text", ["[bold]x[/bold]", "a :smile: b", "tab\tx", "漢字"])
def test_a_cell_rich_would_change_leaves_the_table_to_rich(markup_text):
    assert table_lines([(markup_text, "1", "1", "1", "1")], 200) is None


TEXTS = [
    "",
    "plain",
    "\nstarts with a newline",
    "ends with a newline\n",
    "a\n\nb",
    "trailing spaces   ",
    "x" * 300,
    "tab\there",
    "carriage\rreturn",
    "bell\x07",
    "emoji :smile: and :smile-text:",
    "no emoji :not_an_emoji_name: pulumi:providers:aws cfinfra:heroku:App",
    "[bold]not markup[/bold] \\[x]",
    "ünïcödé 漢字 ·",
    "error: cannot write /no/p.json (--json): folder /no does not exist",
]


@pytest.mark.parametrize("stderr", [False, True])
def test_print_text_writes_what_rich_writes(stderr, monkeypatch):
    for text in TEXTS:
        expected = io.StringIO()
        rich_console(expected, stderr=stderr).print(text, markup=False)
        got = io.StringIO()
        monkeypatch.setattr("sys.stderr" if stderr else "sys.stdout", got)
        print_text(text, stderr=stderr)
        assert got.getvalue() == expected.getvalue(), text
        vars(cli_console).pop("err" if stderr else "out", None)


def test_plain_text_is_written_without_a_console(monkeypatch):
    monkeypatch.setattr("sys.stdout", io.StringIO())
    print_text("no emoji: pulumi:providers:aws cfinfra:heroku:App")
    assert "out" not in vars(cli_console)
    print_text("a :smile: is rich's to print")
    assert "out" in vars(cli_console)


def test_names_printed_between_colons_are_not_rich_emoji_codes():
    from rich._emoji_codes import EMOJI

    assert not cli_console._NOT_EMOJI & set(EMOJI)


class FakeSize:
    def __init__(self, columns: int | None):
        self.columns = columns

    def __call__(self, fd: int) -> os.terminal_size:
        if self.columns is None:
            raise OSError("not a terminal")
        return os.terminal_size((self.columns, 40))


ENVIRONMENTS = list(
    itertools.product(
        [None, "100", "abc", "0", ""],  # COLUMNS
        [None, "30"],  # LINES
        [None, "dumb", "xterm-256color"],  # TERM
        [{}, {"TTY_COMPATIBLE": "1"}, {"TTY_COMPATIBLE": "0"}, {"FORCE_COLOR": "1"}],
        [None, 132, 0],  # the terminal's size, or none
    )
)


@pytest.mark.parametrize("stderr", [False, True])
def test_width_and_terminal_are_rich_s_in_every_environment(stderr, monkeypatch):
    for columns, lines, term, tty, size in ENVIRONMENTS:
        env = {"COLUMNS": columns, "LINES": lines, "TERM": term, **tty}
        for name in RICH_ENV:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            if value is not None:
                monkeypatch.setenv(name, value)
        monkeypatch.setattr(os, "get_terminal_size", FakeSize(size))
        rich = Console(stderr=stderr, highlight=False, soft_wrap=True)
        case = (env, size)
        assert width(stderr) == rich.width, case
        assert is_terminal(stderr) == rich.is_terminal, case

"""The human-readable summary of a plan: what an admin reads before trusting ``pulumi up``.

It is laid out for an 80-column terminal (and CI logs): no column repeats what another says, type
names are shortened only where the short name stays unambiguous, and secret ids are never cut.

The table is rich's (``SIMPLE_HEAD``, no edge), drawn here without rich where rich would draw it
the same, byte for byte (a test compares them): into a file or a pipe, when it fits the width.
Elsewhere (a terminal styles the header; a narrower console makes rich shrink the columns) rich
draws it.
"""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from infra.config.audience import Audience
from infra.console import plain_as_rich, plain_stream, print_text, width, write_plain
from infra.plan.model import Plan

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


def short_type(type_token: str) -> str:
    """The type token without its provider module, for display.

    ``github:index/actionsOrganizationSecret:ActionsOrganizationSecret`` →
    ``github:ActionsOrganizationSecret``. Component types (``cfinfra:heroku:App``) and provider
    types (``pulumi:providers:aws``) are kept whole: their middle part is what tells them apart.
    """
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        return f"{parts[0]}:{parts[2]}"
    return type_token


def display_types(type_tokens: set[str]) -> dict[str, str]:
    """Short names for ``type_tokens``; any two that would collide keep their full token."""
    short = {t: short_type(t) for t in type_tokens}
    taken = Counter(short.values())
    return {t: s if taken[s] == 1 else t for t, s in short.items()}


COLUMNS = ("type", "count", "protect", "retain", "import")
"""The table's header: a left-aligned type, then counts aligned right."""


def print_summary(plan: Plan, *, stderr: bool = False) -> None:
    """Print the summary on stdout (stderr if ``stderr``), as a console 80 columns wide reads it."""
    by_type = Counter(r.type for r in plan.resources)
    by_service = Counter(r.service for r in plan.resources)
    names = display_types(set(by_type))
    services = ", ".join(f"{svc} {n}" for svc, n in sorted(by_service.items()))
    _para(
        f"Offline plan of stack `{plan.stack}`: {len(plan.resources)} resources ({services})",
        stderr,
    )
    rows = []
    for type_token in sorted(by_type, key=lambda t: (plan_service(t), names[t])):
        rs = plan.of_type(type_token)
        rows.append(
            (
                names[type_token],
                str(by_type[type_token]),
                _n(sum(r.protect for r in rs)),
                _n(sum(r.retain_on_delete for r in rs)),
                _n(sum(r.import_id is not None for r in rs)),
            )
        )
    print_table(rows, stderr)
    _para(
        "protect: `pulumi destroy` refuses; retain: left in place when removed from the code; "
        "import: adopted, not created.",
        stderr,
    )

    reach: dict[str, list[str]] = defaultdict(list)
    for s in plan.lineage:
        reach[s.reaches].append(s.secret)
    print_text(f"\n{len(plan.lineage)} secrets by the widest audience they reach:", stderr=stderr)
    order = [a.value for a in reversed(Audience)]
    for audience in sorted(reach, key=lambda a: order.index(a) if a in order else len(order)):
        ids = sorted(reach[audience])
        print_text(f"  {audience} ({len(ids)})", stderr=stderr)
        # Wrapped only between ids: an id is never folded, so it can be searched and copied.
        _para(", ".join(ids), stderr, indent="    ")


def print_table(rows: list[tuple[str, str, str, str, str]], stderr: bool) -> None:
    """The table of counts: plain text where it is rich's own output, else drawn by rich."""
    stream = plain_stream(stderr)
    lines = table_lines(rows, width(stderr)) if stream is not None else None
    if stream is not None and lines is not None:
        write_plain(stream, "".join(f"{line}\n" for line in lines))
        return
    console = _rich_console(stderr)
    console.print(rich_table(rows))


def table_lines(rows: list[tuple[str, str, str, str, str]], max_width: int) -> list[str] | None:
    """The lines rich draws for ``rich_table(rows)`` at ``max_width`` on a plain console, or None
    where rich would draw anything else (the table does not fit, or a cell is not plain text).

    Every column is as wide as its widest cell, padded by one space on each side except at the
    table's outer edges (``pad_edge=False``); columns are separated by one space (``SIMPLE_HEAD``'s
    blank vertical, no edge) and the header is underlined by ``─`` across the whole table.
    """
    table = [COLUMNS, *rows]
    cells = [cell for row in table for cell in row]
    # Widths below are counted in characters: only characters one cell wide are drawn here.
    if not all(cell.isascii() or set(cell) <= {"·"} for cell in cells):
        return None
    if not all(plain_as_rich(cell, markup=True) and "\n" not in cell for cell in cells):
        return None
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    last = len(COLUMNS) - 1
    total = sum(widths) + 2 * last + last  # padding inside the edges, one-space separators
    if total > max_width:
        return None

    def line(row: tuple[str, ...]) -> str:
        first = row[0].ljust(widths[0]) + " "
        counts = [
            " " + row[i].rjust(widths[i]) + (" " if i < last else "") for i in range(1, last + 1)
        ]
        return " ".join([first, *counts])

    return [line(COLUMNS), "─" * total, *(line(row) for row in rows)]


def rich_table(rows: list[tuple[str, str, str, str, str]]) -> Table:
    """The table as rich draws it (``table_lines`` reproduces it)."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("type", no_wrap=True)
    for column in COLUMNS[1:]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*row)
    return table


def _rich_console(stderr: bool) -> Console:
    from infra import console

    return console.err if stderr else console.out


def _para(text: str, stderr: bool, indent: str = "") -> None:
    """Print ``text`` wrapped at spaces to the console's width; words are never cut."""
    wrapped = textwrap.fill(
        text,
        width=max(40, width(stderr)),
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    print_text(wrapped, stderr=stderr)


def plan_service(type_token: str) -> str:
    head = type_token.split(":", 1)[0]
    return type_token.split(":")[2] if head == "pulumi" else head


def _n(count: int) -> str:
    return str(count) if count else "·"

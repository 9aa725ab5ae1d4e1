"""The human-readable summary of a plan: what an admin reads before trusting ``pulumi up``.

It is laid out for an 80-column terminal (and CI logs): no column repeats what another says, type
names are shortened only where the short name stays unambiguous, and secret ids are never cut.

"""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict

from rich import box
from rich.table import Table

from infra.config.audience import Audience
from infra.console import console, print_text, width
from infra.plan.model import Plan


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
    """The table of counts (``SIMPLE_HEAD``, no edge: it fits 80 columns)."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(COLUMNS[0], no_wrap=True)
    for column in COLUMNS[1:]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*row)
    console(stderr).print(table)


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

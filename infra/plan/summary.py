"""The human-readable summary of a plan: what an admin reads before trusting ``pulumi up``."""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.table import Table

from infra.config.audience import Audience
from infra.plan.model import Plan


def short_type(type_token: str) -> str:
    """The type token without its module, for display.

    ``github:index/actionsOrganizationSecret:ActionsOrganizationSecret`` →
    ``github:ActionsOrganizationSecret``.
    """
    parts = type_token.split(":")
    return f"{parts[0]}:{parts[-1]}" if len(parts) >= 3 else type_token


def print_summary(plan: Plan, console: Console) -> None:
    by_type = Counter(r.type for r in plan.resources)
    by_service = Counter(r.service for r in plan.resources)
    table = Table(title=f"Offline plan of stack `{plan.stack}`: {len(plan.resources)} resources")
    table.add_column("service")
    table.add_column("type", overflow="fold", min_width=30)
    table.add_column("count", justify="right")
    table.add_column("protected", justify="right")
    table.add_column("retained", justify="right")
    table.add_column("adopted", justify="right")
    for type_token in sorted(by_type, key=lambda t: (plan_service(t), short_type(t))):
        rs = plan.of_type(type_token)
        table.add_row(
            plan_service(type_token),
            short_type(type_token),
            str(by_type[type_token]),
            _n(sum(r.protect for r in rs)),
            _n(sum(r.retain_on_delete for r in rs)),
            _n(sum(r.import_id is not None for r in rs)),
        )
    console.print(table)
    console.print(
        "per service: " + ", ".join(f"{svc} {n}" for svc, n in sorted(by_service.items()))
    )

    reach: dict[str, list[str]] = defaultdict(list)
    for s in plan.lineage:
        reach[s.reaches].append(s.secret)
    aud = Table(title=f"{len(plan.lineage)} secrets by the widest audience they reach")
    aud.add_column("audience")
    aud.add_column("count", justify="right")
    aud.add_column("secrets", overflow="fold")
    order = [a.value for a in reversed(Audience)]
    for audience in sorted(reach, key=lambda a: order.index(a) if a in order else len(order)):
        names = sorted(reach[audience])
        aud.add_row(audience, str(len(names)), ", ".join(names))
    console.print(aud)


def plan_service(type_token: str) -> str:
    head = type_token.split(":", 1)[0]
    return type_token.split(":")[2] if head == "pulumi" else head


def _n(count: int) -> str:
    return str(count) if count else "·"

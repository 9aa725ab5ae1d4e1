"""The pull-request comment: snapshots, determinism, size budget, no secret values, no injection.

Accept an intended change to a snapshot with `uv run pytest --snapshot-update` (tests/snapshots.py).
"""

from __future__ import annotations

import random
import re

from infra.diff import GuardPolicy, build_report, render_invalid, render_markdown
from infra.diff.markdown import BUDGET, MINUS
from infra.errors import ConfigError, Problem
from infra.plan.model import Plan
from tests.diff.helpers import (
    ORG_WEBHOOK,
    member,
    org_base,
    repository,
    res,
    team,
    team_member,
    webhook,
    widened_and_owner_removed,
)


def _render(base: Plan, head: Plan, **kw: object) -> str:
    policy = GuardPolicy(**kw)  # type: ignore[arg-type]
    return render_markdown(build_report(base, head, policy), "`main`", "the working tree")


def _fields_scenario() -> tuple[Plan, Plan]:
    """One of each kind of field change, plus created, deleted and protected resources."""
    group = "azuredevops:index/variableGroup:VariableGroup"
    base = Plan(
        "prod",
        [
            webhook("conda-linting", "/conda-linting/org-hook", ["pull_request", "merge_group"]),
            res(ORG_WEBHOOK, "webhook-legacy", {"configuration": {"secret": "[secret]"}}),
            res(
                group,
                "feedstock-builds-anaconda-org",
                {
                    "allowAccess": True,
                    "variables": [
                        {"isSecret": True, "name": "BINSTAR_TOKEN", "secretValue": "[secret]"}
                    ],
                },
            ),
            repository("cfep", description="old"),
            repository("status", protect=True),
            res("cfinfra:github:Webhooks", "github-webhooks"),
            *(repository(f"r{i}") for i in range(20)),
        ],
    )
    head = Plan(
        "prod",
        [
            webhook("conda-linting", "/conda-linting/v2", ["pull_request", "push"]),
            res(ORG_WEBHOOK, "webhook-legacy", {"configuration": {"secret": "plain-now"}}),
            res(
                group,
                "feedstock-builds-anaconda-org",
                {
                    "allowAccess": True,
                    "variables": [
                        {"isSecret": True, "name": "BINSTAR_TOKEN", "secretValue": "[secret]"},
                        {"isSecret": True, "name": "EXTRA_TOKEN", "secretValue": "[secret]"},
                    ],
                },
            ),
            repository("cfep", description="new"),
            res("cfinfra:github:Webhooks", "github-webhooks", parent="cfinfra:github:Org::org"),
            repository("miniforge", hasIssues=True, topics=["installer", "conda"]),
            *(repository(f"r{i}") for i in range(20)),
        ],
    )
    return base, head


# --- snapshots -----------------------------------------------------------------------------------


def test_widened_secret_and_removed_owner_snapshot(md_snapshot) -> None:
    assert _render(*widened_and_owner_removed()) == md_snapshot


def test_field_changes_snapshot(md_snapshot) -> None:
    assert _render(*_fields_scenario()) == md_snapshot


def test_no_changes_snapshot(md_snapshot) -> None:
    assert _render(org_base(), org_base()) == md_snapshot


def test_invalid_head_snapshot(md_snapshot) -> None:
    error = ConfigError(
        [
            Problem(
                "secrets/prod-binstar-token.yaml",
                "targets[1]",
                "reaches `feedstocks`, cleared for `core`",
            ),
            Problem("Pulumi.prod.yaml", "config.cfinfra:github.org", "field required"),
        ]
    )
    assert render_invalid("prod", error.report(), base_label="`main`") == md_snapshot


def test_truncated_snapshot(md_snapshot) -> None:
    base = org_base()
    extra = [repository(f"feedstock-{i:03}") for i in range(60)]
    head = Plan("prod", [*base.resources, *extra], base.lineage)
    report = build_report(base, head)
    assert render_markdown(report, "`main`", "head", budget=4_000) == md_snapshot


# --- promises ------------------------------------------------------------------------------------


def test_the_widened_secret_and_the_removed_owner_are_both_named_and_labelled() -> None:
    md = _render(*widened_and_owner_removed())
    assert "`prod-binstar-token`" in md
    assert "now also reachable by `feedstocks`" in md
    assert f"`carol`: {MINUS}owner" in md
    assert "`alice`: +core member, +owner (was org member)" in md
    for label in ("removal-guard", "owner-change", "secret-audience-widened", "deletion"):
        assert f"`{label}`" in md.split("### Risks")[0]


def test_rendering_twice_gives_the_same_bytes() -> None:
    base, head = widened_and_owner_removed()
    assert _render(base, head).encode() == _render(base, head).encode()


def test_the_order_of_resources_in_the_plans_does_not_matter() -> None:
    base, head = _fields_scenario()
    shuffled = Plan("prod", list(head.resources), head.lineage)
    random.Random(7).shuffle(shuffled.resources)  # noqa: S311 - a fixed shuffle, not security
    assert _render(base, head) == _render(base, shuffled)


def test_a_secret_going_plain_is_flagged_without_its_value() -> None:
    md = _render(*_fields_scenario())
    assert "plain-now" not in md
    assert "**was secret, is no longer secret** (values not shown)" in md
    assert "`leak-guard`" in md


def _big_org(repos: int, seed: int) -> Plan:
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    teams = [team(f"team{t:02}") for t in range(40)]
    resources = [*teams, *(repository(f"feedstock-{i:05}") for i in range(repos))]
    for i in range(repos):
        login = f"user{i:05}"
        resources.append(member(login, "admin" if i % 500 == 0 else "member"))
        resources.append(team_member(f"team{rng.randrange(40):02}", login))
    return Plan("prod", resources)


def test_a_big_diff_stays_under_the_comment_limit_and_keeps_summary_and_risks() -> None:
    base = _big_org(2_000, seed=1)
    head = _big_org(2_000, seed=2)  # every team membership reshuffled
    head.resources = [r for r in head.resources if not r.name.startswith("repo-feedstock-00")]
    head.resources += [repository(f"new-{i:04}", description="x" * 80) for i in range(1_500)]
    md = _render(base, head)
    assert len(md) <= BUDGET
    assert md.startswith("<!-- cfinfra-diff:prod -->\n## cfinfra diff")
    assert re.search(r"^\*\*\+\d+ ~\d+ -\d+\*\* · [\d,]+ security-relevant · risks: ", md, re.M)
    assert "### Removal guard" in md
    assert "### Risks" in md
    assert "more resources not shown" in md or "more people not shown" in md
    assert md.count("<details>") == md.count("</details>")


def test_names_from_a_plan_cannot_inject_markdown() -> None:
    evil = "x`</details><img src=x onerror=alert(1)> @core"
    base = Plan("prod", [])
    head = Plan("prod", [res(ORG_WEBHOOK, evil, {"url": "a`b"})])
    md = _render(base, head)
    span = "``x`</details><img src=x onerror=alert(1)> @core``"
    assert span in md
    outside = md.replace(span, "")
    assert "</details>" not in outside
    assert "@core" not in outside


def test_security_relevant_changes_are_counted_and_marked_as_the_type_table_says() -> None:
    """A repository's visibility is security-relevant, its description is not (the one table,
    infra/resource_types.py): only that change is marked, and the summary counts it."""
    base = Plan("prod", [repository("a", description="old"), repository("b")])
    head = Plan("prod", [repository("a", description="new"), repository("b", visibility="private")])
    md = _render(base, head)
    assert "**+0 ~2 -0** · 1 security-relevant" in md
    assert "- `github:index/repository:Repository` (2)\n" in md
    assert "  - `repo-a`\n" in md
    assert "  - `repo-b` (security-relevant)\n" in md


def test_a_type_whose_every_change_is_security_relevant_says_so_once() -> None:
    base, head = Plan("prod", [member("alice")]), Plan("prod", [member("alice", role="admin")])
    md = _render(base, head)
    assert "- `github:index/membership:Membership` (1, security-relevant)" in md
    assert "`member-alice` (security-relevant)" not in md


def test_a_change_the_table_calls_ordinary_is_neither_counted_nor_marked() -> None:
    base = Plan("prod", [repository("a", description="old")])
    head = Plan("prod", [repository("a", description="new")])
    md = _render(base, head)
    assert "security-relevant" not in md.split("### About this diff")[0]

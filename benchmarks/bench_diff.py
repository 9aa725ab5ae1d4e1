"""Benchmark `cfinfra diff` on a synthetic organisation: wall time and peak memory, no assertions.

Two parts:

1. **Plans built directly**: an org of N repositories (each with a ruleset), N people and N team
   memberships across 40 teams, plus org secrets with lineage. The head changes a few percent of
   everything (updates, deletions, additions, team moves, a widened secret, a demoted owner).
   Timed: the plan diff (``build_report``: resources, people, secrets, guard) and the Markdown.
   Run at N and 2N to show the cost grows linearly.
2. **The real program** (``plan_project``) on a synthetic project: the prod stack's data plus N
   repositories and N people in ``data/github/`` (skipped with ``--no-plan`` or when the stack has
   no people data yet).

    uv run python benchmarks/bench_diff.py            # N = 2,000
    uv run python benchmarks/bench_diff.py --repos 500 --no-plan
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.diff import GuardPolicy, build_report, render_markdown  # noqa: E402
from infra.plan.model import Plan, PlannedResource, SecretLineage, TargetLineage  # noqa: E402

T = TypeVar("T")
TEAMS = 40


def measure(fn: Callable[[], T]) -> tuple[T, float, float]:
    """(result, wall seconds, peak MiB). Tracing slows a run, so time comes from an untraced one."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, wall, peak / 2**20


# --- part 1: plans built directly ----------------------------------------------------------------


def _res(type_: str, name: str, inputs: dict[str, Any], **opts: Any) -> PlannedResource:
    return PlannedResource(type=f"github:index/{type_}", name=name, inputs=inputs, **opts)


def synthetic_org(n: int, seed: int, *, head: bool = False) -> Plan:
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    resources: list[PlannedResource] = []
    for t in range(TEAMS):
        resources.append(_res("team:Team", f"conda-forge/team{t:02}", {"name": f"team{t:02}"}))
    for i in range(n):
        name = f"repo{i:05}"
        team = rng.randrange(TEAMS)  # drawn first, so base and head share one random stream
        if head and i % 25 == 2:
            team = (team + 1) % TEAMS  # 4 % of people move to another team
        if head and i % 50 == 0:
            continue  # 2 % of repositories deleted
        desc = f"Repository {i}" + (" (renamed)" if head and i % 20 == 1 else "")
        resources.append(
            _res(
                "repository:Repository",
                f"conda-forge/{name}",
                {"description": desc, "hasIssues": True, "name": name, "visibility": "public"},
                protect=True,
                retain_on_delete=True,
            )
        )
        resources.append(
            _res(
                "repositoryRuleset:RepositoryRuleset",
                f"conda-forge/{name}/default-branch",
                {
                    "enforcement": "active",
                    "repository": name,
                    "rules": {"deletion": True, "pullRequest": {"requiredApprovingReviewCount": 1}},
                },
            )
        )
        login = f"user{i:05}"
        role = "admin" if i % 100 == 0 and not (head and i == 0) else "member"
        resources.append(
            _res(
                "membership:Membership",
                f"conda-forge/{login}",
                {"downgradeOnDestroy": True, "role": role, "username": login},
            )
        )
        resources.append(
            _res(
                "teamMembership:TeamMembership",
                f"conda-forge/team{team:02}/{login}",
                {"role": "member", "teamId": f"team{team:02}", "username": login},
            )
        )
    if head:
        resources += [
            _res("repository:Repository", f"conda-forge/new{i:04}", {"name": f"new{i:04}"})
            for i in range(n // 100)
        ]
    lineage = [
        SecretLineage(
            secret=f"secret-{s:02}",
            onepassword=f"op://pulumi/secret-{s:02}/credential",
            owner="core",
            sensitivity="confidential",
            cleared_for="infra-maintainers",
            reaches="core",
            rotation="manual, every 365 days",
            targets=[
                TargetLineage(
                    f"GitHub org secret SECRET_{s:02}",
                    "infra-maintainers" if head and s == 0 else "core",
                    "readable by workflows of some repositories",
                )
            ],
        )
        for s in range(40)
    ]
    resources.sort(key=lambda r: (r.type, r.name))
    return Plan(stack="prod", resources=resources, lineage=lineage)


def bench_plans(n: int) -> None:
    base, head = synthetic_org(n, seed=1), synthetic_org(n, seed=1, head=True)
    policy = GuardPolicy()
    report, t_diff, m_diff = measure(lambda: build_report(base, head, policy))
    md, t_md, m_md = measure(lambda: render_markdown(report, "`main`", "the working tree"))
    print(
        f"  N={n:>6,}: {len(base.resources):>7,} → {len(head.resources):>7,} resources, "
        f"{report.summary()}, {len(report.people):,} people changed, "
        f"guard {'trips' if report.guard.tripped else 'passes'}"
    )
    print(f"    plan diff   {t_diff * 1000:8.1f} ms   peak {m_diff:7.1f} MiB")
    print(f"    markdown    {t_md * 1000:8.1f} ms   peak {m_md:7.1f} MiB   {len(md):,} chars")


# --- part 2: the real program on a synthetic project ---------------------------------------------


def synthetic_project(dest: Path, n: int) -> Path | None:
    """The prod stack's data plus ``n`` repositories and ``n`` people; None without people data."""
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "secrets", "data"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    people = dest / "data" / "github"
    if not (people / "members.csv").is_file():
        return None
    for i in range(n):
        (people / "repositories" / f"bench-repo-{i:05}.yaml").write_text(
            f"audience: core\ndescription: Benchmark {i}\n", encoding="utf-8"
        )
    logins = [f"bench-user-{i:05}" for i in range(n)]
    with (people / "members.csv").open("a", encoding="utf-8") as f:
        f.writelines(f"Bench User {i},{login}\n" for i, login in enumerate(logins))
    teams = yaml.safe_load((people / "teams.yaml").read_text(encoding="utf-8"))
    for t in range(TEAMS):
        teams[f"bench-team-{t:02}"] = {"description": f"Benchmark team {t}"}
        rows = [f"Bench User {i},{login}" for i, login in enumerate(logins) if i % TEAMS == t]
        (people / "teams" / f"bench-team-{t:02}.csv").write_text(
            "name,github\n" + "\n".join(rows) + "\n", encoding="utf-8"
        )
    (people / "teams.yaml").write_text(yaml.safe_dump(teams, sort_keys=False), encoding="utf-8")
    return dest


def bench_program(n: int) -> None:
    from infra.config.loader import load_project
    from infra.plan.engine import plan_project

    with tempfile.TemporaryDirectory(prefix="cfinfra-bench-diff-") as tmp:
        root = synthetic_project(Path(tmp), n)
        if root is None:
            print("  skipped: the stack has no people data (data/github/) yet")
            return
        project, t_load, _ = measure(lambda: load_project(root, "prod"))
        # One timed run and one traced run each cost a full plan; tracing is the slow one.
        plan, t_plan, m_plan = measure(lambda: plan_project(project))
        print(
            f"  N={n:>6,}: load+validate {t_load:6.2f} s; plan_project {t_plan:6.2f} s "
            f"({len(plan.resources):,} resources, "
            f"{t_plan / len(plan.resources) * 1000:.2f} ms/resource), peak {m_plan:,.0f} MiB"
        )
        report, t_diff, m_diff = measure(lambda: build_report(plan, plan))
        print(
            f"    diff of the plan with itself {t_diff * 1000:.1f} ms, peak {m_diff:.1f} MiB "
            f"({'no changes' if report.is_empty else report.summary()})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=2_000, help="N: repositories and people")
    parser.add_argument("--no-plan", action="store_true", help="skip the real program (slow)")
    args = parser.parse_args()
    print(f"plan diff and Markdown on plans built directly (N and 2N; {TEAMS} teams):")
    for n in (args.repos, 2 * args.repos):
        bench_plans(n)
    if not args.no_plan:
        print("plan_project on a synthetic project (prod data + N repositories and people):")
        bench_program(args.repos)


if __name__ == "__main__":
    main()

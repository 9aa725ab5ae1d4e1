"""``cfinfra``: the command line of conda-forge-infra.

Sub-commands live next to the domain they serve; this module only wires them together. Heavy imports
(Pulumi, provider SDKs) happen inside the commands so that ``cfinfra --help`` stays instant.

Exit codes: 0 ok; 1 the check found something (drift, overdue, guard tripped); 2 invalid
configuration or input; 3 secrets could not be resolved or would leak.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from infra.adopt.cli import import_plan, import_yaml
from infra.console import err, out
from infra.diff.cli import diff
from infra.docs.cli import docs
from infra.drift.cli import drift_report
from infra.pipeline.cli import deploy_guard, drift_triage, verify_preview
from infra.rotation.cli import app as rotation_app
from infra.runners.cli import app as runners_app

app = typer.Typer(
    name="cfinfra",
    help="conda-forge's infrastructure as code: validate, plan, diff, rotate, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


StackOpt = Annotated[
    str, typer.Option("--stack", "-s", help="Stack name (reads Pulumi.<stack>.yaml).")
]
RootOpt = Annotated[
    Path,
    typer.Option(
        "--root", help="Project directory holding Pulumi.yaml, the stack file and secrets/."
    ),
]


def fail_config(exc: Exception) -> typer.Exit:
    err.print(str(exc), markup=False)
    return typer.Exit(2)


@app.command()
def validate(stack: StackOpt = "prod", root: RootOpt = Path(".")) -> None:
    """Validate the stack file and the secrets manifest (no network, nothing declared)."""
    from infra.config.loader import load_project
    from infra.errors import ConfigError

    try:
        project = load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    targets = sum(len(e.secret.targets) for e in project.secrets)
    out.print(
        f"{project.stack_file} and secrets/ are valid: "
        f"{len(project.secrets)} secrets, {targets} targets"
    )


@app.command()
def plan(
    stack: StackOpt = "prod",
    root: RootOpt = Path("."),
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help='Also write the plan as JSON (secrets as "[secret]").'),
    ] = None,
) -> None:
    """Run the real program offline (Pulumi's mock engine, placeholder secrets) and summarise it."""
    from infra.config.loader import load_project
    from infra.errors import ConfigError
    from infra.plan.engine import plan_project
    from infra.plan.mask import SecretLeakError
    from infra.plan.summary import print_summary

    try:
        result = plan_project(load_project(root, stack))
    except ConfigError as exc:
        raise fail_config(exc) from None
    except SecretLeakError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(3) from None
    print_summary(result, out)
    if json_path is not None:
        result.write(json_path)
        out.print(f"wrote {json_path}")


@app.command()
def bench(
    stack: StackOpt = "prod",
    root: RootOpt = Path("."),
    rounds: Annotated[int, typer.Option(min=1, help="Timed rounds per measurement.")] = 5,
    json_out: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Time the offline plan against bare SDK registration of as many resources (prints figures)."""
    from infra.bench import run_bench

    figures = run_bench(root, stack, rounds)
    if json_out:
        out.print(json.dumps(figures, indent=2, sort_keys=True))
        return
    out.print(
        f"stack {stack}: {figures['resources']:.0f} resources, median of {rounds} rounds\n"
        f"  offline plan     {figures['plan_median_s'] * 1000:8.1f} ms  "
        f"({figures['plan_ms_per_resource']:.2f} ms/resource, "
        f"best {figures['plan_best_s'] * 1000:.1f} ms)\n"
        f"  bare SDK floor   {figures['bare_median_s'] * 1000:8.1f} ms  "
        f"({figures['bare_ms_per_resource']:.2f} ms/resource, "
        f"best {figures['bare_best_s'] * 1000:.1f} ms)\n"
        f"  ratio            {figures['ratio']:8.2f}x  (target <= 1.30x)\n"
        f"  plan peak memory {figures['plan_peak_mib']:8.1f} MiB (tracemalloc)"
    )


app.command("drift-report")(drift_report)
app.add_typer(rotation_app, name="rotation")
app.add_typer(runners_app, name="runners")
app.command("diff")(diff)
app.command("import-yaml")(import_yaml)
app.command("import-plan")(import_plan)
app.command("docs")(docs)
app.command("verify-preview")(verify_preview)
app.command("deploy-guard")(deploy_guard)
app.command("drift-triage")(drift_triage)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

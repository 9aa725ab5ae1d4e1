"""``cfinfra``: the command line of conda-forge-infra.

Sub-commands live next to the domain they serve; this module only wires them together, lazily:
a sub-command's module is imported only when that sub-command runs (``LazyGroup``), and heavy
imports (Pulumi, provider SDKs) happen inside the commands, so ``cfinfra plan`` pays for nothing
but the plan and ``cfinfra --help`` stays instant.

Exit codes: ``infra.exitcodes.ExitCode`` (0 ok; 1 the check found something; 2 invalid
configuration or input; 3 secrets unresolved or leaking).
"""

from __future__ import annotations

import gc
import importlib
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.models import CommandInfo

from infra.console import (
    RootOpt,
    StackOpt,
    check_output_path,
    fail_config,
    is_stdout,
    print_program_warnings,
    print_text,
    progress,
    route_program_warnings,
    write_output,
)
from infra.exitcodes import ExitCode

# Typer vendors click (typer._click); its UsageError is not re-exported.
UsageError: type[Exception] = typer.BadParameter.__mro__[1]


@dataclass(frozen=True)
class Lazy:
    """A sub-command whose module is imported only when it runs (or its own help is shown)."""

    module: str
    attr: str
    """A command function, or a ``typer.Typer`` of sub-commands."""
    summary: str
    """The line ``cfinfra --help`` lists (the command's own help is its docstring)."""
    epilog: str = ""
    """Examples (command functions only; a Typer's commands carry their own)."""


def examples(*lines: str) -> str:
    """An epilog click prints as written (``\\b`` stops it from re-wrapping the lines)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


LAZY: dict[str, Lazy] = {
    "diff": Lazy(
        "infra.diff.cli",
        "diff",
        "A pull request's changes as Markdown; the removal guard.",
        examples(
            "cfinfra diff --base origin/main -o diff.md",
            "cfinfra diff --base-plan base.json --head-plan head.json",
        ),
    ),
    "drift-report": Lazy(
        "infra.drift.cli",
        "drift_report",
        "Turn `pulumi preview --refresh --json` into a drift report.",
        examples(
            "pulumi preview --refresh --expect-no-changes --json > preview.json",
            "cfinfra drift-report preview.json -o drift.md",
        ),
    ),
    "verify-preview": Lazy(
        "infra.pipeline.cli",
        "verify_preview",
        "Check a preview against reviewed change sets (deploy).",
        examples("cfinfra verify-preview preview.json --reviewed reviewed.json -o check.md"),
    ),
    "deploy-guard": Lazy(
        "infra.pipeline.cli",
        "deploy_guard",
        "The removal guard against the deployed state (deploy).",
        examples("cfinfra deploy-guard --deployed deployed-state.json --stack prod"),
    ),
    "drift-triage": Lazy(
        "infra.pipeline.cli",
        "drift_triage",
        "clean, ordinary or security: may drift go to a public issue?",
        examples("cfinfra drift-triage preview.json"),
    ),
    "rotation": Lazy("infra.rotation.cli", "app", "Secret rotation: status, automatic rotators."),
    "preflight": Lazy(
        "infra.preflight.cli",
        "preflight",
        "Read-only: every credential, permission and expiry, before a preview.",
        examples("cfinfra preflight", "cfinfra preflight --stack prod"),
    ),
    "runners": Lazy(
        "infra.runners.cli", "app", "CI runners: admin-requests, capacity, .cirun files."
    ),
    "who-can": Lazy(
        "infra.query.cli", "who_can", "Who can read a secret, who can use a runner label."
    ),
    "access": Lazy(
        "infra.query.cli",
        "access",
        "What a person can do: teams, repositories, secrets, runners.",
        examples("cfinfra access beckermr", "cfinfra access beckermr --json"),
    ),
    "import-yaml": Lazy(
        "infra.switchover.yaml_cli",
        "import_yaml",
        "Translate the old Pulumi YAML projects into data.",
        examples("cfinfra import-yaml ../sync-secrets-gha ../sync-secrets-azure -o out"),
    ),
    "import-plan": Lazy(
        "infra.switchover.yaml_cli",
        "import_plan",
        "The `pulumi import --file` JSON that adopts what exists.",
        examples("cfinfra import-plan -o import.json --webhook-ids hooks.json"),
    ),
    "snapshot": Lazy(
        "infra.live.cli",
        "snapshot",
        "Record the live state of everything managed, read-only.",
        examples(
            "cfinfra snapshot -o live.json", "cfinfra snapshot -o live.json --feedstock numpy"
        ),
    ),
    "selection-drift": Lazy(
        "infra.live.drift_cli",
        "selection_drift",
        "Runner-group and org-secret selections read live vs the plan (drift).",
        examples("cfinfra selection-drift --stack prod -o selections.md"),
    ),
    "api-cost": Lazy(
        "infra.live.drift_cli",
        "api_cost",
        "A refresh's GitHub requests per resource type, against the budget.",
        examples('cfinfra api-cost --stack prod >> "$GITHUB_STEP_SUMMARY"'),
    ),
    "adopt": Lazy(
        "infra.switchover.adopt_cli",
        "adopt",
        "Write the live values of a snapshot into the data files.",
        examples("cfinfra adopt --from live.json"),
    ),
    "actions-audit": Lazy(
        "infra.switchover.audit_cli",
        "actions_audit",
        "Every `uses:` a proposed Actions policy would block, by repository.",
        examples(
            "cfinfra actions-audit live.json --policy policy.yaml",
            "cfinfra actions-audit workflows/ --stack prod",
        ),
    ),
    "clearance-tags": Lazy(
        "infra.switchover.clearance_cli",
        "clearance_tags",
        "The one-time `op` commands recording clearances in 1Password.",
        examples("cfinfra clearance-tags > tag-items.sh"),
    ),
    "docs": Lazy(
        "infra.docs.cli",
        "docs",
        "Regenerate (or --check) the generated docs.",
        examples("cfinfra docs", "cfinfra docs --check"),
    ),
}


LAZY_IN_GROUP: dict[str, dict[str, Lazy]] = {
    "rotation": {
        "bootstrap-ages": Lazy(
            "infra.switchover.bootstrap_ages_cli",
            "bootstrap_ages_cmd",
            "Once: date every item's value from its updated_at today.",
            examples("cfinfra rotation bootstrap-ages", "cfinfra rotation bootstrap-ages --apply"),
        ),
    },
    "runners": {
        "import-access": Lazy(
            "infra.switchover.import_access_cli",
            "import_access_cmd",
            "Make `access/` grant exactly what the live `.access.yml` does.",
            examples(
                "cfinfra runners import-access .access.yml --global .cirun.global.yml",
                "cfinfra runners import-access .access.yml --dry-run",
            ),
        ),
    },
}
"""Sub-commands added to a command group from here, so the group's module need not import them
(``runners import-access`` and ``rotation bootstrap-ages`` are switch-over tooling; ``runners``
and ``rotation`` are weekly)."""


def _plain_help(command: Any) -> Any:
    """No rich markup in help (``[secret]`` must stay visible); flags print as flags."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)
    return command


class LazyGroup(TyperGroup):
    """Imports a sub-command's module only when that sub-command is looked up to run."""

    lazy: dict[str, Lazy] = LAZY

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        lazy = self.lazy.get(cmd_name)
        if lazy is None:
            return super().get_command(ctx, cmd_name)
        obj = getattr(importlib.import_module(lazy.module), lazy.attr)
        if isinstance(obj, typer.Typer):
            extra = LAZY_IN_GROUP.get(cmd_name)
            if extra:  # the group lists, loads and shows these as it does its own
                obj.info.cls = type(
                    f"{cmd_name}-group",
                    (LazyGroup,),
                    {"lazy": extra, "format_commands": TyperGroup.format_commands},
                )
            command = typer.main.get_command(obj)
            command.name = cmd_name
        else:
            command = typer.main.get_command_from_info(
                CommandInfo(name=cmd_name, callback=obj, epilog=lazy.epilog or None),
                pretty_exceptions_short=True,
                rich_markup_mode=None,
            )
        return _plain_help(command)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            # Typer suggests only among eagerly registered commands: add the lazy ones.
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            message: str = getattr(exc, "message", "")
            if matches and "Did you mean" not in message:
                names = ", ".join(f"'{m}'" for m in matches)
                exc.message = f"{message.rstrip('.')}. Did you mean {names}?"  # type: ignore[attr-defined]
            raise

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # The listing uses the summaries above: `cfinfra --help` imports no sub-command module.
        rows = []
        for name in super().list_commands(ctx):
            cmd = super().get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=formatter.width)))
        rows += [(name, lazy.summary) for name, lazy in self.lazy.items()]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print_text(f"cfinfra {version('conda-forge-infra')}")
        raise typer.Exit()


app = typer.Typer(
    name="cfinfra",
    cls=LazyGroup,
    help="conda-forge's infrastructure as code: validate, plan, diff, rotate, report.",
    epilog=examples(
        "cfinfra validate",
        "cfinfra plan --stack prod",
        "cfinfra who-can read prod-binstar-token",
        "cfinfra --install-completion   # tab completion for your shell",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """conda-forge's infrastructure as code: validate, plan, diff, rotate, report."""
    route_program_warnings()


@app.command(
    short_help="Validate the stack file and the secrets manifest (exit 2/3).",
    epilog=examples("cfinfra validate", "cfinfra validate --stack prod --root ."),
)
def validate(stack: StackOpt = "prod", root: RootOpt = Path(".")) -> None:
    """Validate the stack file and the secrets manifest (no network, nothing declared).

    Also checks that Pulumi.yaml names the state backend and that the stack never falls back to a
    passphrase secrets provider. Exit 2 listing every problem; exit 3 if a secret would reach a
    wider audience than it is cleared for (the leak guard).
    """
    from infra.config.backend import check_backend
    from infra.config.loader import load_project
    from infra.errors import ConfigError

    # The backend and secrets provider: Pulumi.yaml and the stack file's own keys.
    backend = check_backend(root, stack)
    try:
        project = load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(ConfigError([*exc.problems, *backend])) from None
    if backend:
        raise fail_config(ConfigError(backend))
    targets = sum(len(e.secret.targets) for e in project.secrets)
    print_text(
        f"{project.stack_file} and secrets/ are valid: "
        f"{len(project.secrets)} secrets, {targets} targets"
    )


@app.command(
    short_help="The offline plan: a summary, and the plan as JSON.",
    epilog=examples(
        "cfinfra plan --stack prod",
        "cfinfra plan --json plan.json",
        "cfinfra plan --json - | jq '.resources | length'",
        "cfinfra plan --against live.json --report first-up.md",
    ),
)
def plan(
    stack: StackOpt = "prod",
    root: RootOpt = Path("."),
    json_path: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help='Also write the plan as JSON (secrets as "[secret]"); `-` writes it to stdout '
            "and the summary to stderr.",
        ),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="A snapshot of the live state (`cfinfra snapshot`): predict the first `up` "
            "(exit 0 no change, 1 changes, 2 unreadable).",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="With --against: write the prediction as Markdown."),
    ] = None,
) -> None:
    """Run the real program offline (Pulumi's mock engine, placeholder secrets) and summarise it."""
    if json_path is not None:
        check_output_path(json_path, "--json")
    if report is not None:
        check_output_path(report, "--report")
    snapshot = None
    if against is not None:
        from infra.live.against_cli import read_snapshot

        snapshot = read_snapshot(against)
        if snapshot is None:
            raise typer.Exit(ExitCode.INVALID)
    from infra.errors import ConfigError
    from infra.plan.engine import plan_stack
    from infra.plan.mask import SecretLeakError
    from infra.plan.summary import print_summary

    try:
        with progress(f"planning stack {stack}"):
            # The stack file's config reaches the program through the runtime, as in `pulumi up`.
            result = plan_stack(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    except SecretLeakError as exc:
        print_text(str(exc), stderr=True)
        raise typer.Exit(ExitCode.SECRETS) from None
    if snapshot is not None:
        from infra.live.against_cli import predict_and_report

        if json_path is not None:
            write_output(json_path, result.to_json(), "--json")
        from infra.config.loader import load_project

        org = load_project(root, stack).config.github.org
        print_program_warnings()
        code = predict_and_report(result, snapshot, org, stack, report)
        raise typer.Exit(code)
    print_program_warnings()
    if json_path is not None and is_stdout(json_path):
        print_summary(result, stderr=True)
        write_output(json_path, result.to_json(), "--json")
        return
    print_summary(result)
    if json_path is not None:
        write_output(json_path, result.to_json(), "--json")
        print_text(f"wrote {json_path}")


def main() -> None:
    # A command is a short-lived, allocation-heavy process (the provider SDKs' imports, thousands of
    # asyncio tasks under the mock engine) that frees nothing worth collecting before it exits:
    # the cyclic garbage collector only costs time here (measured: peak memory of `cfinfra plan`
    # +2%, see benchmarks/bench_plan.py for the time).
    gc.disable()
    try:
        app()
    finally:
        # Exiting, the interpreter still runs one last full collection over every object the
        # command made (it ignores gc.disable): ~0.5 s of `cfinfra plan` spent freeing memory the
        # exit returns anyway. Frozen objects are skipped; files are closed by their `with`.
        gc.freeze()


if __name__ == "__main__":
    main()

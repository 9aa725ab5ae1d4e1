"""``cfinfra import-yaml`` and ``cfinfra import-plan``: the commands of the switch-over.

Exit codes follow ``infra.cli``: 0 ok; 1 something could not be translated or resolved (the
output is incomplete); 2 invalid input or configuration; 3 the leak guard refused the import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.console import check_output_path, err, fail_config, out, progress, write_output
from infra.exitcodes import ExitCode, is_leak


def _parse_pairs(pairs: list[str], option: str) -> dict[str, str]:
    out_map: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            err.print(f"error: {option} takes ITEM=PROJECT, got `{pair}`", markup=False)
            raise typer.Exit(ExitCode.INVALID)
        out_map[key] = value
    return out_map


def import_yaml(
    projects: Annotated[
        list[Path],
        typer.Argument(help="Folders of the Pulumi YAML projects (each holding a Pulumi.yaml)."),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Write secrets/ and Pulumi.<stack>.yaml here.")
    ],
    stack: Annotated[str, typer.Option("--stack", "-s", help="Stack name of the output.")] = "prod",
    like: Annotated[
        Path | None,
        typer.Option(
            "--like",
            help="An existing project (e.g. the repo root) lending owners, sensitivity, clearance "
            "and audiences. Without it, fail-closed defaults apply (see docs/migration.md).",
        ),
    ] = None,
    azure_project: Annotated[
        list[str] | None,
        typer.Option(
            "--azure-project",
            help="ITEM=PROJECT: the Azure DevOps project whose id 1Password item ITEM holds "
            "(needed without --like).",
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a manifest/stack file already in --output.")
    ] = False,
) -> None:
    """Translate conda-forge's Pulumi YAML projects into the manifest and stack file, then validate.

    The output is checked with the same loader and leak guard as `cfinfra validate`: a configuration
    that would put a secret where a wider audience can read it is written (for inspection) but
    refused with exit 3, naming the secret and the target.
    """
    from infra.config.files import UnsafeName
    from infra.errors import ConfigError
    from infra.switchover.yaml_import.carry import carry_over
    from infra.switchover.yaml_import.check import leak_check, validate_output
    from infra.switchover.yaml_import.output import OutputExistsError, write_translation
    from infra.switchover.yaml_import.reference import Reference
    from infra.switchover.yaml_import.translate import translate
    from infra.switchover.yaml_import.yaml_project import load_yaml_project

    loaded, problems = [], []
    for folder in projects:
        project, found = load_yaml_project(folder, stack)
        problems.extend(found)
        if project is not None:
            loaded.append(project)
    if problems:
        err.print(str(ConfigError(problems)), markup=False)
        raise typer.Exit(ExitCode.INVALID)
    try:
        reference = Reference.load(like, stack) if like is not None else Reference()
    except ConfigError as exc:
        raise fail_config(exc, "the --like project is unusable:") from None

    result = translate(loaded, reference, _parse_pairs(azure_project or [], "--azure-project"))
    result = carry_over(result, reference)
    try:
        written = write_translation(result, output, stack, overwrite=overwrite)
    except (OutputExistsError, UnsafeName) as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(ExitCode.INVALID) from None

    targets = sum(len(doc.get("targets") or []) for doc in result.secrets.values())
    out.print(
        f"wrote {len(written)} files to {output}: "
        f"{len(result.secrets)} secrets, {targets} targets, "
        f"{len(result.config['cfinfra:github']['repositories'])} repositories, "
        f"{len(result.config['cfinfra:github']['webhooks'])} webhooks, "
        f"{len(result.config['cfinfra:azure']['variable_groups'])} variable groups, "
        f"{len(result.config['cfinfra:heroku']['apps'])} Heroku apps",
        markup=False,
    )
    if result.assumed:
        out.print(f"\nassumed ({len(result.assumed)}):", markup=False)
        for finding in result.assumed:
            out.print(f"  {finding}", markup=False)
    if result.untranslated:
        err.print(f"\nNOT translated ({len(result.untranslated)}):", markup=False)
        for finding in result.untranslated:
            err.print(f"  {finding}", markup=False)

    try:
        validate_output(output, stack, like)
    except ConfigError as exc:
        leaks = [p for p in exc.problems if is_leak(p.message)]
        if not leaks:
            # Other problems can stop the loader before its rules run: the guard must still speak.
            leaks = leak_check(result, stack)
            exc = ConfigError([*exc.problems, *leaks])
        err.print(f"\nthe imported configuration is refused:\n{exc}", markup=False)
        if like is None:
            err.print(
                "(without --like, stack sections the YAML projects cannot express are missing)",
                markup=False,
            )
        raise typer.Exit(ExitCode.SECRETS if leaks else ExitCode.INVALID) from None
    if result.untranslated:
        err.print("\nthe import is incomplete: see NOT translated above", markup=False)
        raise typer.Exit(ExitCode.FOUND)
    out.print("the imported configuration validates (leak guard included)", markup=False)


def import_plan(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the `pulumi import --file` JSON.")
    ],
    stack: Annotated[str, typer.Option("--stack", "-s", help="Stack name.")] = "prod",
    root: Annotated[
        Path, typer.Option("--root", help="Project directory holding Pulumi.yaml and the stack.")
    ] = Path("."),
    webhook_ids: Annotated[
        Path | None,
        typer.Option(
            "--webhook-ids",
            help="JSON {url: id} (repository hooks: {'<repo>:<url>': id}); "
            "see docs/migration.md for the `gh api` command.",
        ),
    ] = None,
    variable_group_ids: Annotated[
        Path | None,
        typer.Option(
            "--variable-group-ids",
            help="JSON {'<project>/<group>': '<projectId>/<groupId>'}; see docs/migration.md.",
        ),
    ] = None,
    ids: Annotated[
        Path | None,
        typer.Option(
            "--ids",
            help="JSON {'<type>::<name>': id or null}: only the ids you have; null = does not "
            "exist yet, let `pulumi up` create it; absent = unresolved (listed, with the command "
            "that finds it).",
        ),
    ] = None,
) -> None:
    """Write the `pulumi import --file` JSON that adopts every pre-existing resource of the plan."""
    from infra.config.loader import load_project
    from infra.errors import ConfigError
    from infra.plan.engine import plan_project
    from infra.switchover.import_plan import IdFileError, build_import_plan, load_id_maps

    check_output_path(output, "--output")
    try:
        maps = load_id_maps(webhook_ids, variable_group_ids, ids)
    except IdFileError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(ExitCode.INVALID) from None
    try:
        project = load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    with progress(f"planning stack {stack}"):
        result = build_import_plan(plan_project(project), project, maps)
    for line in result.report():
        (err if line.startswith("UNRESOLVED") else out).print(line, markup=False)
    write_output(output, result.to_json(), "--output")
    out.print(f"\nwrote {output}: {len(result.entries)} resources to import", markup=False)
    if result.unresolved:
        # The file holds what is known; `pulumi up` before the rest would create duplicates.
        err.print(
            f"not complete: {len(result.unresolved)} pre-existing resource(s) listed UNRESOLVED "
            "have no import id; add the ids you find (or null for a new one) to --ids and run "
            "it again before `pulumi up`, which would create them a second time",
            markup=False,
        )
        raise typer.Exit(ExitCode.FOUND)

"""The GitHub workflows are secure by construction: these tests keep them that way.

Pins, permissions, timeouts and the untrusted/trusted split are checked on the files themselves;
zizmor and actionlint run from the project's virtualenv, so a failure here is the same failure CI
would show.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GITHUB = REPO / ".github"
WORKFLOWS = GITHUB / "workflows"
VENV_BIN = Path(sys.executable).parent

#: `uses: owner/repo[/path]@<40 hex> # vX[.Y.Z]`, or a local `./` action. YAML drops comments,
#: so pins are checked on the raw lines.
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+?)\s*(?:#\s*(?P<comment>.*?))?\s*$")
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^v\d+(?:\.\d+){0,2}\b")
#: The only zizmor suppression allowed, and where: a reviewed `workflow_run` that runs no PR code.
ALLOWED_ZIZMOR_IGNORES = {("diff-comment.yml", "dangerous-triggers")}


def yaml_files() -> list[Path]:
    return sorted(p for p in GITHUB.rglob("*") if p.suffix in {".yml", ".yaml"})


def workflow_files() -> list[Path]:
    return sorted(p for p in WORKFLOWS.iterdir() if p.suffix in {".yml", ".yaml"})


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # YAML 1.1 reads the bare key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def triggers(workflow: dict[str, Any]) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def jobs(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from load(path)["jobs"].items()


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def action(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@", 1)[0]


def ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def run_tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    binary = VENV_BIN / name
    if not binary.exists():
        pytest.skip(f"{name} is not in {VENV_BIN}: `uv sync` installs it with the dev group")
    return subprocess.run(
        [str(binary), *args], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_expected_workflows_exist() -> None:
    expected = {"ci", "diff", "diff-comment", "preview", "deploy", "drift", "rotation"}
    assert {p.stem for p in workflow_files()} == expected


# -- pinning ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", yaml_files(), ids=ids(yaml_files()))
def test_every_action_is_local_or_pinned_to_a_commit_with_its_version(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = USES_LINE.match(line)
        if not match:
            continue
        ref, comment = match["ref"].strip("'\""), match["comment"] or ""
        if ref.startswith("./"):
            continue
        where = f"{path.relative_to(REPO)}:{number}: {ref}"
        assert PINNED.match(ref), f"{where} is not pinned to a full 40-hex commit SHA"
        assert VERSION_COMMENT.match(comment), f"{where} lacks a `# vX.Y.Z` version comment"


def test_each_action_is_pinned_to_one_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in yaml_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = USES_LINE.match(line)
            pinned = PINNED.match(match["ref"]) if match else None
            if match and pinned:
                pin = f"{pinned['sha']} # {match['comment']}"
                pins.setdefault(pinned["action"], set()).add(pin)
    assert pins, "no pinned actions found"
    assert {a: v for a, v in pins.items() if len(v) > 1} == {}


PULUMI_VERSION_EXPR = "${{ steps.pulumi-version.outputs.version }}"


def test_the_pulumi_cli_version_comes_from_the_locked_sdk() -> None:
    """One source of truth: uv.lock (Dependabot bumps it); the CLI is whatever SDK it installed."""
    found = 0
    for path in workflow_files():
        for name, job in jobs(path):
            for step in steps(job):
                if action(step) != "pulumi/actions":
                    continue
                found += 1
                version = str(step["with"]["pulumi-version"])
                assert version == PULUMI_VERSION_EXPR, (
                    f"{path.name}: {name}: pulumi-version is {version!r}; fix: give the job the "
                    f"`pulumi-version` step (see deploy.yml) and set `pulumi-version: "
                    f"{PULUMI_VERSION_EXPR}`"
                )
                [reader] = [s for s in steps(job) if s.get("id") == "pulumi-version"]
                assert 'm.version("pulumi")' in reader["run"], f"{path.name}: {name}"
    assert found >= 3


def test_uv_is_a_floor_for_people_and_exact_in_every_workflow() -> None:
    # A floor in pyproject.toml: `pip install uv` on a fresh machine gets the newest uv, and an
    # exact `required-version` would make uv refuse the README's commands after every uv release.
    # CI pins the floor itself exactly through setup-uv's `version` input: reproducible runs.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    floor = pyproject["tool"]["uv"]["required-version"]
    match = re.fullmatch(r">=(\d+\.\d+\.\d+)", floor)
    assert match, "required-version is a floor: >=X.Y.Z (CI pins exactly through setup-uv)"
    assert (REPO / ".python-version").read_text().strip() == "3.11"
    found = 0
    for path in workflow_files():
        for name, job in jobs(path):
            for step in steps(job):
                if action(step) == "astral-sh/setup-uv":
                    found += 1
                    version = str(step.get("with", {}).get("version"))
                    assert version == match.group(1), (
                        f"{path.name}: {name}: setup-uv version {version!r}; fix: "
                        f'`with: {{version: "{match.group(1)}"}}`, the floor in pyproject.toml'
                    )
    assert found >= 5


# -- permissions, timeouts, credentials ------------------------------------------------------------


@pytest.mark.parametrize("path", workflow_files(), ids=ids(workflow_files()))
def test_workflows_grant_nothing_at_the_top_level(path: Path) -> None:
    assert load(path).get("permissions") in ({}, {"contents": "read"})


@pytest.mark.parametrize("path", workflow_files(), ids=ids(workflow_files()))
def test_every_job_has_a_timeout_and_explicit_permissions(path: Path) -> None:
    for name, job in jobs(path):
        assert isinstance(job.get("timeout-minutes"), int), f"{path.name}: {name} has no timeout"
        assert isinstance(job.get("permissions"), dict), f"{path.name}: {name} has no permissions"


@pytest.mark.parametrize("path", workflow_files(), ids=ids(workflow_files()))
def test_no_workflow_uses_pull_request_target(path: Path) -> None:
    assert "pull_request_target" not in triggers(load(path))


@pytest.mark.parametrize("path", workflow_files(), ids=ids(workflow_files()))
def test_checkouts_do_not_persist_the_token(path: Path) -> None:
    for name, job in jobs(path):
        for step in steps(job):
            if action(step) == "actions/checkout":
                assert step.get("with", {}).get("persist-credentials") is False, (
                    f"{path.name}: {name}"
                )


@pytest.mark.parametrize("path", workflow_files(), ids=ids(workflow_files()))
def test_run_scripts_contain_no_template_expressions(path: Path) -> None:
    """Values reach scripts through `env:`, so nothing is ever spliced into shell source."""
    for name, job in jobs(path):
        for step in steps(job):
            assert "${{" not in str(step.get("run", "")), f"{path.name}: {name}: {step.get('name')}"


@pytest.mark.parametrize("path", workflow_files(), ids=ids(workflow_files()))
def test_only_jobs_exchanging_an_oidc_token_get_one(path: Path) -> None:
    for name, job in jobs(path):
        exchanges = any(action(s) in OIDC_ACTIONS for s in steps(job))
        assert (job["permissions"].get("id-token") == "write") == exchanges, f"{path.name}: {name}"


OIDC_ACTIONS = {"aws-actions/configure-aws-credentials", "pulumi/auth-actions"}
PULUMI_AUTH = "pulumi/auth-actions"


def _uses_the_backend(job: dict[str, Any]) -> bool:
    """A job that runs the pulumi CLI (a run step or pulumi/actions with a command), or
    `cfinfra preflight` (it reads the stack from Pulumi Cloud)."""
    return (
        any(re.search(r"(^|\s)pulumi\s", r) for r in _runs(job))
        or any("cfinfra preflight" in r for r in _runs(job))
        or any(action(s) == "pulumi/actions" and "command" in s.get("with", {}) for s in steps(job))
    )


def test_no_workflow_overrides_the_backend_pulumi_yaml_names() -> None:
    # PULUMI_BACKEND_URL (or pulumi/actions' cloud-url) would win over Pulumi.yaml's backend.url.
    for path in yaml_files():
        text = path.read_text(encoding="utf-8")
        assert "PULUMI_BACKEND_URL" not in text, path.name
        assert "cloud-url" not in text, path.name
    assert "url: https://api.pulumi.com" in (REPO / "Pulumi.yaml").read_text(encoding="utf-8")


def test_every_job_running_pulumi_logs_in_through_auth_actions_first() -> None:
    backend_jobs = []
    for path in workflow_files():
        for name, job in jobs(path):
            logins = [i for i, s in enumerate(steps(job)) if action(s) == PULUMI_AUTH]
            if not _uses_the_backend(job):
                assert not logins, f"{path.name}: {name} logs in but never runs pulumi"
                continue
            backend_jobs.append((path.name, name))
            assert len(logins) == 1, f"{path.name}: {name}"
            login = steps(job)[logins[0]]
            assert login["with"] == {
                "organization": "conda-forge",
                "requested-token-type": "urn:pulumi:token-type:access_token:organization",
            }, f"{path.name}: {name}"
            first_pulumi = min(
                i
                for i, s in enumerate(steps(job))
                if re.search(r"(^|\s)pulumi\s", str(s.get("run", "")))
                or "cfinfra preflight" in str(s.get("run", ""))
                or action(s) == "pulumi/actions"
            )
            assert logins[0] < first_pulumi, f"{path.name}: {name} logs in after running pulumi"
            assert "environment" in job, f"{path.name}: {name}: no environment"
            assert "PULUMI_ACCESS_TOKEN" not in json.dumps(job), f"{path.name}: {name}"
    assert sorted(backend_jobs) == [
        ("deploy.yml", "deploy"),
        ("drift.yml", "check"),
        ("preview.yml", "preview"),
        ("rotation.yml", "status"),
    ]


def _runs(job: dict[str, Any]) -> list[str]:
    return [str(s.get("run", "")) for s in steps(job)]


def test_every_pulumi_up_is_the_deploy_jobs_last_checked_step() -> None:
    ups = [
        (path.name, name)
        for path in workflow_files()
        for name, job in jobs(path)
        if any("pulumi up" in r for r in _runs(job))
        or any(s.get("with", {}).get("command") == "up" for s in steps(job))
    ]
    assert ups == [("deploy.yml", "deploy")]
    job = dict(jobs(WORKFLOWS / "deploy.yml"))["deploy"]
    assert job["environment"] == "production"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert "AWS_DEPLOY_ROLE_ARN" in json.dumps(steps(job))
    script = "\n".join(_runs(job))
    order = [
        "cfinfra deploy-guard --deployed",
        "cfinfra diff --base",
        'pulumi preview --stack "$STACK" --refresh --json',
        "cfinfra verify-preview",
        "git ls-remote origin refs/heads/main",
        'pulumi up --stack "$STACK" --refresh --yes',
    ]
    positions = [script.index(marker) for marker in order]
    assert positions == sorted(positions), "deploy.yml runs its checks out of order"
    assert "--json reviewed.json" in script
    assert "--reviewed reviewed.json" in script


def test_everything_that_mutates_production_is_serialised_at_the_workflow_level() -> None:
    for name in ("deploy.yml", "rotation.yml"):
        assert load(WORKFLOWS / name)["concurrency"] == {
            "group": "production",
            "cancel-in-progress": False,
        }, name


def test_removals_have_a_reviewed_path_through_the_production_approval() -> None:
    workflow = load(WORKFLOWS / "deploy.yml")
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert inputs["allow-removals"]["type"] == "boolean"
    assert inputs["allow-removals"]["default"] is False
    [(_, job)] = [(n, j) for n, j in jobs(WORKFLOWS / "deploy.yml") if n == "deploy"]
    guard = next(s for s in steps(job) if "deploy-guard" in str(s.get("run", "")))
    assert guard["env"]["ALLOW_REMOVALS"] == "${{ inputs.allow-removals }}"
    assert job["environment"] == "production"  # the input only acts after the approval


def test_rotation_applies_only_when_something_is_due_in_its_own_environment() -> None:
    rotation = dict(jobs(WORKFLOWS / "rotation.yml"))
    rotate = rotation["rotate"]
    assert "needs.status.outputs.state == 'due'" in rotate["if"]
    assert rotate["environment"] == "rotation"
    assert "OP_SERVICE_ACCOUNT_TOKEN_ROTATION" in json.dumps(rotate)
    assert "AWS_ROTATION_ROLE_ARN" in json.dumps(rotate)
    assert "deploy.yml" in json.dumps(rotation["deliver"])


def test_the_old_cirun_key_is_deactivated_only_on_an_approved_confirmation() -> None:
    workflow = load(WORKFLOWS / "rotation.yml")
    dispatch = workflow["on"]["workflow_dispatch"]["inputs"]["cirun_key_deployed"]
    assert dispatch["type"] == "boolean"
    assert dispatch["default"] is False
    rotation = dict(jobs(WORKFLOWS / "rotation.yml"))
    job = rotation["cirun-deployed"]
    assert "inputs.cirun_key_deployed" in job["if"]
    assert "refs/heads/main" in job["if"]
    assert job["environment"] == "rotation"  # core approves before any credential is fetched
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    [script] = [s["run"] for s in steps(job) if "--deployed" in s.get("run", "")]
    assert "--secret cirun-aws-access-key" in script
    assert "--no-deliver" in script
    assert "> /dev/null" in script  # key ids stay out of the public log
    # The rotators never run with it: a key created now would be deactivated undelivered.
    assert "!inputs.cirun_key_deployed" in rotation["rotate"]["if"]
    assert all("--deployed" not in s.get("run", "") for s in steps(rotation["rotate"]))


def test_every_secret_is_read_inside_an_environment() -> None:
    for path in workflow_files():
        for name, job in jobs(path):
            if "secrets." in json.dumps(job):
                assert job.get("environment"), f"{path.name}: {name} reads a secret outside one"


def test_credentialed_jobs_install_no_dev_dependencies() -> None:
    for path in workflow_files():
        for name, job in jobs(path):
            if not job.get("environment"):
                continue
            where = f"{path.name}: {name}"
            assert job.get("env", {}).get("UV_NO_DEV") == "1", where
            for run in _runs(job):
                for line in run.splitlines():
                    if "uv sync" in line:
                        assert "--no-dev" in line, where
                    if "uv run" in line and "`" not in line:
                        assert "--no-sync" in line, where


def test_no_public_page_gets_rotation_details_or_security_drift() -> None:
    rotation = dict(jobs(WORKFLOWS / "rotation.yml"))
    status = json.dumps(rotation["status"])
    assert "actions/upload-artifact" not in status
    assert 'rotation.md" >> "$GITHUB_STEP_SUMMARY' not in status
    assert "PRIVATE_REPORTS_TOKEN" in status
    assert "REPORT" not in json.dumps(rotation["issue"]["steps"][0]["env"])
    check = json.dumps(dict(jobs(WORKFLOWS / "drift.yml"))["check"])
    assert "cfinfra drift-triage preview.json" in check
    assert "private-drift.md" in check
    assert "PRIVATE_REPORTS_TOKEN" in check
    for script in (status, check):
        assert "!= PRIVATE" in script  # never falls back to this public repository


def test_the_weekly_run_checks_preflight_and_reports_it_privately() -> None:
    status = dict(jobs(WORKFLOWS / "rotation.yml"))["status"]
    names = [s.get("name", "") for s in steps(status)]
    assert names.index(
        "Preflight (read-only; every credential, its permissions and its expiry)"
    ) > (names.index("Rotation status"))
    post = next(
        s for s in steps(status) if s.get("name") == "Post the details to the private channel"
    )
    assert "steps.preflight.outputs.failed == 'true'" in post["if"]
    assert "preflight.txt" in post["run"]


def test_scheduled_workflows_keep_each_other_alive() -> None:
    for name in ("drift.yml", "rotation.yml"):
        keepalive = dict(jobs(WORKFLOWS / name))["keepalive"]
        assert keepalive["permissions"] == {"actions": "write"}
        script = "\n".join(_runs(keepalive))
        assert "/enable" in script
        assert "gh run list --workflow" in script


def test_a_failed_diff_run_replaces_the_comment() -> None:
    [(_, job)] = list(jobs(WORKFLOWS / "diff-comment.yml"))
    script = "\n".join(_runs(job))
    assert "Diff unavailable for ${HEAD_SHA}" in script
    download = next(s for s in steps(job) if action(s) == "actions/download-artifact")
    assert download.get("continue-on-error") is True


def test_pull_request_workflows_see_no_secrets_except_the_same_repository_preview() -> None:
    for path in workflow_files():
        if "pull_request" not in triggers(load(path)):
            continue
        for name, job in jobs(path):
            if "secrets." not in json.dumps(job):
                continue
            assert path.name == "preview.yml", f"{path.name}: {name} reads secrets on a PR"
            assert job["if"].startswith(
                "github.event.pull_request.head.repo.full_name == github.repository &&"
            )
            assert "AWS_READONLY_ROLE_ARN" in json.dumps(job)
            assert "OP_SERVICE_ACCOUNT_TOKEN_READONLY" in json.dumps(job)
            assert job["environment"] == "read-only"


def test_the_fork_diff_job_is_read_only_and_only_uploads_its_result() -> None:
    [(_, job)] = list(jobs(WORKFLOWS / "diff.yml"))
    assert job["permissions"] == {"contents": "read"}
    assert "cfinfra diff" in json.dumps(job)
    assert "actions/upload-artifact" in {action(s) for s in steps(job)}


def test_the_commenter_never_checks_out_or_runs_pull_request_code() -> None:
    workflow = load(WORKFLOWS / "diff-comment.yml")
    assert triggers(workflow) == {"workflow_run"}
    [(_, job)] = workflow["jobs"].items()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert {action(s) for s in steps(job) if "uses" in s} == {"actions/download-artifact"}
    script = "\n".join(str(s.get("run", "")) for s in steps(job))
    assert "uv " not in script
    assert "git " not in script
    assert "HEAD_SHA" in script  # the comment only lands on the PR whose head was diffed


@pytest.mark.parametrize("name", ["drift.yml", "rotation.yml"])
def test_issue_jobs_only_touch_issues(name: str) -> None:
    workflow = dict(jobs(WORKFLOWS / name))
    assert workflow["issue"]["permissions"] == {"issues": "write"}
    assert "actions/checkout" not in {action(s) for s in steps(workflow["issue"])}


def test_drift_tells_drift_apart_from_errors() -> None:
    script = json.dumps(dict(jobs(WORKFLOWS / "drift.yml"))["check"])
    assert "--expect-no-changes" in script
    assert "cfinfra drift-report preview.json --output drift.md" in script
    assert "7)" in script
    # The report decides, told Pulumi's exit: exit 7 it cannot attribute is drift (in the tool).
    assert '--pulumi-exit \\"$PREVIEW_STATUS\\"' in script


RUN_ENVIRONMENT = "CFINFRA_ENVIRONMENT"


def _runs_pulumi_or_cfinfra(step: dict[str, Any]) -> bool:
    run = str(step.get("run", ""))
    return (
        bool(re.search(r"(^|\s)pulumi\s", run))
        or "cfinfra " in run
        or (action(step) == "pulumi/actions" and "command" in step.get("with", {}))
    )


def test_every_read_only_job_running_pulumi_states_the_read_only_run() -> None:
    # Without it the program would resolve the deploy's write credentials (which the read-only
    # 1Password account must not be able to read), and the drift tools would take the read-only
    # credential's provider update for drift (docs/provider-behaviour.md PB-303).
    stated = []
    for path in workflow_files():
        assert RUN_ENVIRONMENT not in (load(path).get("env") or {}), path.name
        for name, job in jobs(path):
            if job.get("environment") != "read-only" or not _uses_the_backend(job):
                continue
            stated.append((path.name, name))
            for step in steps(job):
                if _runs_pulumi_or_cfinfra(step):
                    env = {**(job.get("env") or {}), **(step.get("env") or {})}
                    where = f"{path.name}: {name}: {step.get('name') or step.get('run')}"
                    assert env.get(RUN_ENVIRONMENT) == "read-only", where
    assert sorted(stated) == [
        ("drift.yml", "check"),
        ("preview.yml", "preview"),
        ("rotation.yml", "status"),
    ]


def test_no_job_outside_the_read_only_environment_states_a_run_environment() -> None:
    # The deploy (and the rotation job) run as the deploy: the variable unset. Stating
    # `read-only` there would hand `pulumi up` the read-only credentials; anything else is refused.
    for path in workflow_files():
        for name, job in jobs(path):
            if job.get("environment") == "read-only":
                continue
            assert RUN_ENVIRONMENT not in json.dumps(job), f"{path.name}: {name}"
    deploy = dict(jobs(WORKFLOWS / "deploy.yml"))["deploy"]
    assert deploy["environment"] == "production"


def test_dependabot_updates_actions_and_uv_weekly_in_groups() -> None:
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "uv"}
    for update in updates.values():
        assert update["schedule"]["interval"] == "weekly"
        assert update["groups"]


# -- linters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_reports_no_findings(persona: str) -> None:
    result = run_tool("zizmor", "--offline", "--persona", persona, "--format", "json", ".github")
    assert result.stdout.strip(), result.stderr
    findings = json.loads(result.stdout)
    summary = [
        f"{f['ident']}: {f['locations'][0]['symbolic']['key']['Local']['verbatim_path']}"
        for f in findings
    ]
    assert findings == [], "\n".join(summary)
    assert result.returncode == 0, result.stderr


def test_zizmor_ignores_are_only_the_reviewed_ones() -> None:
    found = set()
    for path in yaml_files():
        for rule in re.findall(r"zizmor: ignore\[([^\]]+)\]", path.read_text(encoding="utf-8")):
            found |= {(path.name, r.strip()) for r in rule.split(",")}
    assert found == ALLOWED_ZIZMOR_IGNORES


def test_actionlint_passes() -> None:
    result = run_tool("actionlint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_secret_a_job_reads_is_declared_for_its_environment() -> None:
    """Declared in secrets/ as a secret of the job's environment: so it is in the manifest, the
    leak guard, lineage and `rotation status`, and `pulumi up` creates it."""
    from infra.config.loader import load_manifest

    declared = {
        (t.environment, t.name)
        for e in load_manifest(REPO)
        for t in e.secret.targets
        if t.kind == "github-environment-secret"
    }
    used = {
        (path.name, name, job.get("environment"), secret)
        for path in workflow_files()
        for name, job in jobs(path)
        for secret in re.findall(r"secrets\.([A-Za-z0-9_]+)", json.dumps(job))
        if secret != "GITHUB_TOKEN"
    }
    assert used
    missing = sorted(u for u in used if (u[2], u[3]) not in declared)
    assert not missing, missing


STACK_VAR = "${{ vars.PULUMI_STACK }}"
_CFINFRA_CALL = re.compile(
    r"uv run (?:--no-sync )?cfinfra((?:\s+[a-z][a-z-]*)+)(?P<args>[^\n|;&>)]*)"
)


def _cfinfra_calls(script: str) -> Iterator[tuple[list[str], str]]:
    """Each `uv run cfinfra <command...> <args>` of a run script, continuation lines joined
    (messages that only name a command are not calls)."""
    joined = script.replace("\\\n", " ")
    for line in joined.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in _CFINFRA_CALL.finditer(line):
            words = match.group(1).split()
            yield words, " ".join(words[1:]) + match.group("args")


def _takes_stack(words: list[str]) -> bool:
    """Whether the command the words name (as the CLI resolves it) has a `--stack` option."""
    import typer

    from infra.cli import app

    command: Any = typer.main.get_command(app)
    for word in words:
        if not hasattr(command, "get_command"):
            break  # a command, not a group: the rest are its arguments
        sub = command.get_command(None, word)
        if sub is None:
            break
        command = sub
    return any("--stack" in getattr(p, "opts", ()) for p in command.params)


def test_every_job_on_the_real_stack_names_it_to_every_cfinfra_command() -> None:
    # A job that runs against Pulumi Cloud names its stack once (`vars.PULUMI_STACK`); a cfinfra
    # command that takes `--stack` and is not told it falls back to `prod`, so a second stack
    # would be reported, rotated or preflighted as prod's.
    checked = 0
    for path in workflow_files():
        for name, job in jobs(path):
            if STACK_VAR not in json.dumps(job):
                continue
            assert (job.get("env") or {}).get("STACK") == STACK_VAR, f"{path.name}: {name}"
            for step in steps(job):
                for words, call in _cfinfra_calls(str(step.get("run", ""))):
                    if _takes_stack(words):
                        checked += 1
                        assert '--stack "$STACK"' in call, f"{path.name}: {name}: {call}"
    assert checked >= 10

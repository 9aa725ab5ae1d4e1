"""A diff that cannot be gamed and that shows every change (issues 14 and 16).

- The base is planned with its own code: a PR that only deletes a domain from the program shows
  those deletions.
- A URN change is a delete and a create; a login's case change is not silent.
- New secrets beyond core, clearance widening and 1Password reference changes are `critical`.
- A runner grant names its feedstock and shows the file's change as a unified diff, and no line
  of a generated file renders as Markdown structure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from infra.cli import app
from infra.diff import build_report, render_markdown
from infra.diff.risks import risks
from infra.plan.model import Plan
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT
from tests.diff.helpers import (
    PROD_TOKEN_GITHUB,
    git,
    member,
    org_base,
    repository,
    res,
    secret,
    target,
    team,
    team_member,
)

runner = CliRunner()
MD = MarkdownIt("commonmark").enable("table")
OUR_HEADINGS = re.compile(
    r"^(cfinfra diff · stack .*|Removal guard|Risks|Access per person|Secret audiences|"
    r"Per repository and feedstock|(Removed|Changed|Added) \(\d+\)|About this diff)$"
)


def _headings(md: str) -> list[str]:
    tokens = MD.parse(md)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def _commit(top: Path, message: str) -> None:
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", message)


# --- critical labels -----------------------------------------------------------------------------


def _labels(base: Plan, head: Plan) -> dict[str, str]:
    return {r.label: r.detail for r in risks(build_report(base, head))}


def test_a_new_secret_reaching_feedstocks_is_critical_with_its_reference() -> None:
    base = org_base()
    head = org_base()
    new = secret(
        "cdt-builds-2",
        target("Azure variable feedstock-builds/x/TOKEN", "feedstocks", "allow_access"),
        cleared_for="core",
        item="prod-binstar-token",
    )
    head.lineage = sorted([*head.lineage, new], key=lambda s: s.secret)
    labels = _labels(base, head)
    assert (
        "`cdt-builds-2` from `op://pulumi/prod-binstar-token/credential` reaches `feedstocks`"
        in (labels["critical"])
    )
    md = render_markdown(build_report(base, head))
    assert "from 1Password `op://pulumi/prod-binstar-token/credential`" in md
    assert "risks: `critical`" in md


def test_a_new_secret_for_core_only_is_not_critical() -> None:
    head = org_base()
    head.lineage = [*head.lineage, secret("core-only", PROD_TOKEN_GITHUB)]
    assert "critical" not in _labels(org_base(), head)


def test_a_swapped_1password_item_and_a_widened_clearance_are_critical() -> None:
    base, head = org_base(), org_base()
    staging = head.lineage[1]
    head.lineage[1] = secret(
        staging.secret,
        *staging.targets,
        cleared_for="public",
        sensitivity="internal",
        item="prod-binstar-token",
    )
    detail = _labels(base, head)["critical"]
    assert (
        "`staging-binstar-token` reads another 1Password item: "
        "`op://pulumi/staging-binstar-token/credential` → "
        "`op://pulumi/prod-binstar-token/credential`"
    ) in detail
    assert "cleared for a wider audience: `feedstocks` → `public`" in detail


# --- identities ----------------------------------------------------------------------------------


def test_a_login_case_change_is_reported_and_guards_an_owner() -> None:
    base = Plan("prod", [member("Carol", "admin"), team("core"), team_member("core", "Carol")])
    head = Plan("prod", [member("carol", "admin"), team("core"), team_member("core", "carol")])
    report = build_report(base, head)
    [person] = report.people
    assert person.respelled == ("Carol", "carol")
    assert report.guard.owners_removed == ("carol",)
    md = render_markdown(report)
    assert "**login respelled** `Carol` → `carol`" in md
    assert "at risk until the next deploy: owner, core member" in md


# --- the command, end to end ---------------------------------------------------------------------


@pytest.fixture
def data_repo(fixture_copy: Path) -> Path:
    top = fixture_copy.parent
    git(top, "init", "-q", "-b", "main")
    _commit(top, "base")
    return fixture_copy


def test_a_runner_grant_names_the_feedstock_and_no_file_line_becomes_markdown(
    data_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = tmp_path / "vllm.yml"
    request.write_text(
        "action: cirun\nfeedstocks: [vllm]\nresources: [cirun-aws-gpu-t4]\n"
        "pull_request: false\nrevoke: false\nsend_pr: false\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(data_repo)
    granted = runner.invoke(app, ["runners", "apply-request", str(request)])
    assert granted.exit_code == 0, granted.output
    _commit(data_repo.parent, "grant vllm")
    out = tmp_path / "diff.md"
    result = runner.invoke(
        app,
        ["diff", "--base", "HEAD~1", "-s", FIXTURE_STACK, "--root", str(data_repo), "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    assert "- `vllm-feedstock`: +runner access `vllm-feedstock-policy`" in md
    assert "\n      +  repo: vllm-feedstock\n" in md  # the unified diff, inside its fence
    assert "\n      +  - vllm-feedstock-policy\n" in md
    assert all(OUR_HEADINGS.match(h) for h in _headings(md)), _headings(md)
    # The terminal gets the summary, the risks and the path written.
    assert "+0 ~1 -0" in result.stderr
    assert f"wrote {out}" in result.stderr


def test_an_unwritable_output_exits_2_with_one_line(data_repo: Path) -> None:
    where = ["-s", FIXTURE_STACK, "--root", str(data_repo)]
    result = runner.invoke(app, ["diff", "--base", "HEAD", *where, "-o", "/nonexistent-dir/x.md"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: cannot write /nonexistent-dir/x.md")
    assert "Traceback" not in result.output


def _project_with_the_fixture_stack(dest: Path) -> Path:
    """A one-commit repository holding this checkout's code and lock, and the fixture stack's
    data at its top (a project as `cfinfra diff` meets it; the fixture plans in a fraction of
    prod's time)."""
    dest.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(REPO_ROOT / name, dest / name)
    shutil.copytree(
        REPO_ROOT / "infra", dest / "infra", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(FIXTURE_ROOT, dest, dirs_exist_ok=True)
    git(dest, "init", "-q", "-b", "main")
    _commit(dest, "base")
    return dest


def test_a_pr_that_only_removes_a_domain_from_the_code_reports_its_deletions(
    tmp_path: Path,
) -> None:
    """Both sides are planned with their own code; the data is the same on both."""
    top = _project_with_the_fixture_stack(tmp_path / "checkout")
    program = top / "infra" / "program.py"
    source = program.read_text(encoding="utf-8")
    assert "    declare_heroku(project, values)\n" in source
    program.write_text(source.replace("    declare_heroku(project, values)\n", ""), "utf-8")
    result = runner.invoke(
        app, ["diff", "--base", "HEAD", "--stack", FIXTURE_STACK, "--root", str(top)]
    )
    md = result.stdout
    assert result.exit_code == 1, result.output  # the removal guard: all of Heroku goes
    assert "planned with base's own code" in md
    assert "`heroku:app/app:App`: 1 of 1 deleted" in md
    assert re.search(r"\*\*\+0 ~0 -[1-9]\d*\*\*", md)


# --- plan files from anywhere (--base-plan) ------------------------------------------------------

TOKEN = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eR4"  # GitHub token format, not a real one
SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
HIDDEN = "only-in-a-secret-object-7f3a"


def test_plan_files_cannot_leak_a_credential_or_inject_markdown(tmp_path: Path) -> None:
    evil = "x\n# heading\n@conda-forge/core <img src=x>"
    base = Plan("prod", [repository("a", description="fine")])
    head = Plan(
        "prod",
        [
            repository("a", description=f"rotated: {TOKEN}"),
            res(
                "github:index/repositoryFile:RepositoryFile",
                evil,
                {
                    "content": f"# Generated\ntoken: {TOKEN}\n",
                    "settings": {**SIG, "plaintext": HIDDEN},
                },
            ),
        ],
    )
    base.write(tmp_path / "base.json")
    head.write(tmp_path / "head.json")
    result = runner.invoke(
        app,
        [
            "diff",
            "--base-plan",
            str(tmp_path / "base.json"),
            "--head-plan",
            str(tmp_path / "head.json"),
        ],
    )
    md = result.stdout
    assert result.exit_code == 0, result.output
    assert TOKEN not in md
    assert HIDDEN not in md  # the secret object's plaintext
    assert "`settings=[secret]`" in md
    assert "`description`: `fine` → `[hidden: looks like a credential]`" in md
    assert all(OUR_HEADINGS.match(h) for h in _headings(md)), _headings(md)
    tokens = MD.parse(md)
    html = [t.content.strip() for t in tokens if t.type in ("html_block", "html_inline")]
    assert html == ["<!-- cfinfra-diff:prod -->"]  # only the comment's own marker
    for t in tokens:
        for child in t.children or []:
            assert child.type == "code_inline" or "@conda-forge" not in child.content


def test_a_base_whose_environment_cannot_be_built_says_so_and_names_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv fails offline (not cached) and online (no network): one clear error, no traceback."""
    from infra.diff import source

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "uv.lock").write_text("a different lock\n", encoding="utf-8")
    calls: list[list[str]] = []

    def uv_fails(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        calls.append(cmd)
        err = (
            "error: Network connectivity is disabled, but the requested data wasn't found in "
            "the cache for `pulumi==3.999`"
            if "--offline" in cmd
            else "error: Failed to fetch: `https://pypi.org/simple/pulumi/`"
        )
        return subprocess.CompletedProcess(cmd, 2, "", err)

    monkeypatch.setattr(source, "_run", uv_fails)
    with pytest.raises(source.RevisionError) as caught:
        source.plan_tree(tree, "prod", label="base")
    message = str(caught.value)
    assert [("--offline" in c) for c in calls] == [True, False]
    assert "cannot build the base's environment from its uv.lock" in message
    assert "wasn't found in the cache" in message
    assert "cfinfra diff --base-plan base.json --head-plan head.json" in message

"""Following the runbooks exactly, with their own examples: add-a-secret keeps the suite green,
grant-a-team's grant validates and its refused example is refused as it says.

The most common change in this repository must need no test edit: production is tested for
policy only, never against a copy of itself. On a copy of the repository, the runbook's example
becomes `secrets/<item>.yaml`, `cfinfra docs` regenerates the docs, and every test that reads
production's data runs there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import yaml

from tests.conftest import REPO_ROOT

RUNBOOK = REPO_ROOT / "docs" / "runbooks" / "add-a-secret.md"
# Every test module that reads production's data (REPO_ROOT's stack, manifest or docs).
PROD_TESTS = [
    "tests/foundation/test_prod_plan.py",
    "tests/foundation/test_validation.py",
    "tests/config/test_schema_headers.py",
    "tests/docs/test_generated_docs_are_current.py",
    "tests/switchover/test_import_yaml.py",
]


def runbook_example() -> str:
    text = RUNBOOK.read_text(encoding="utf-8")
    section = text.split("## 3. Write `secrets/<id>.yaml`", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, "the runbook's step 3 has no YAML example"
    return match.group(1)


def test_the_runbook_example_starts_with_its_schema_header():
    assert runbook_example().startswith(
        "# yaml-language-server: $schema=../docs/reference/secret.schema.json\n"
    )


def test_adding_the_runbook_example_then_cfinfra_docs_leaves_every_production_test_green(
    tmp_path,
):
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", "*.pyc")
    shutil.copytree(REPO_ROOT, copy, ignore=ignore)
    example = runbook_example()
    item = yaml.safe_load(example)["onepassword"]["item"]
    (copy / "secrets" / f"{item}.yaml").write_text(example, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=copy, capture_output=True, text=True, check=False
        )

    for step in (["validate", "--stack", "prod"], ["docs"]):
        done = run("-m", "infra.cli", *step)
        assert done.returncode == 0, done.stdout + done.stderr
    tests = run("-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *PROD_TESTS)
    assert tests.returncode == 0, tests.stdout[-4000:]


TEAM_RUNBOOK = REPO_ROOT / "docs" / "runbooks" / "grant-a-team.md"


def team_runbook_example(after: str) -> tuple[str, str]:
    """The runbook's YAML block after ``after``: (the repository file it names, its lines)."""
    section = TEAM_RUNBOOK.read_text(encoding="utf-8").split(after, 1)[1]
    match = re.search(r"```yaml\n# (?P<file>\S+)\n(?P<body>.*?)```", section, re.DOTALL)
    assert match, f"grant-a-team.md has no YAML example after {after!r}"
    return match.group("file"), match.group("body")


def _validate(root) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.cli", "validate", "--stack", "prod", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_team_runbook_example_validates_and_its_refused_example_is_a_leak(project_copy):
    # Step 2's grant, added to production's data as written, validates; the example the runbook
    # says is refused exits 3 naming the team as the route, as the runbook's table says.
    file, body = team_runbook_example("## 2. Write the grant")
    with (project_copy / file).open("a", encoding="utf-8") as f:
        f.write(body)
    done = _validate(project_copy)
    assert done.returncode == 0, done.stdout + done.stderr

    file, body = team_runbook_example("For example, this grant is refused")
    with (project_copy / file).open("a", encoding="utf-8") as f:
        f.write(body)
    refused = _validate(project_copy)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    team = yaml.safe_load(body)["teams"][0]["team"]
    assert f"(through {team} (push))" in refused.stdout + refused.stderr

"""Following docs/runbooks/add-a-secret.md exactly, with its own example, keeps the suite green.

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

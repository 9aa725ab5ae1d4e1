"""The data files parsed and scanned in a forked child give exactly what the parent would compute.

The end-to-end tests run a fresh interpreter (one thread, so the fork is allowed: pytest-xdist's
workers run a second thread, and there ``usable()`` refuses). They are skipped where the fork never
happens (not Linux, one core).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from infra.config import prefetch, yamlio
from infra.config.loader import load_project
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT

TOKEN = "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"
"""A GitHub token's shape (not a real one), as detect-secrets recognises it."""

forks = pytest.mark.skipif(
    sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2,
    reason="the prefetch forks only on Linux with two cores or more",
)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CFINFRA_PREFETCH": "1"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("root", "stack"), [(REPO_ROOT, "prod"), (FIXTURE_ROOT, FIXTURE_STACK)], ids=["prod", "fixture"]
)
def test_the_child_reads_every_file_a_load_parses_and_its_results_survive_the_pipe(
    root, stack, monkeypatch
):
    parsed: list[tuple[str, str]] = []
    real = yamlio._parse_yaml
    monkeypatch.setattr(
        yamlio, "_parse_yaml", lambda text, shown: parsed.append((shown, text)) or real(text, shown)
    )
    load_project(root, stack)
    monkeypatch.undo()
    answers = prefetch.parse_all(root.resolve(), stack)
    assert parsed
    assert set(parsed) <= set(answers)
    assert pickle.loads(pickle.dumps(answers)) == answers  # noqa: S301 - our own bytes


def test_a_result_is_used_only_for_the_identical_text_and_only_once(monkeypatch):
    monkeypatch.setattr(yamlio, "_answers", {})
    yamlio.expect_parsed(lambda: {("a.yaml", "x: 1\n"): ({"x": "from the child"}, [])})
    assert yamlio.parse_yaml("x: 2\n", "a.yaml") == ({"x": 2}, [])  # the file changed: parsed here
    assert yamlio.parse_yaml("x: 1\n", "b.yaml") == ({"x": 1}, [])  # another name: parsed here
    assert yamlio.parse_yaml("x: 1\n", "a.yaml") == ({"x": "from the child"}, [])
    assert yamlio.parse_yaml("x: 1\n", "a.yaml") == ({"x": 1}, [])  # used once


def test_no_fork_with_another_thread_running_or_when_turned_off(monkeypatch):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not prefetch.usable()
        assert not prefetch.start(FIXTURE_ROOT, FIXTURE_STACK)
    finally:
        stop.set()
        thread.join()
    monkeypatch.setenv("CFINFRA_PREFETCH", "0")
    assert not prefetch.usable()


PLAN = """
import json, sys
from typer.testing import CliRunner
from infra.cli import app
result = CliRunner().invoke(app, ["plan", "--stack", "{stack}", "--root", "{root}", "--json", "-"])
print(json.dumps({{"code": result.exit_code, "stdout": result.stdout, "output": result.output,
                  "scanner_imported": "detect_secrets" in sys.modules}}))
"""


def plan_in_fresh_process(root: Path, stack: str) -> dict:
    done = run_python(PLAN.format(root=root, stack=stack))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@forks
def test_plan_leaves_parsing_and_scanning_to_the_child_and_plans_the_same(fixture_plan):
    with_child = plan_in_fresh_process(FIXTURE_ROOT, FIXTURE_STACK)
    assert with_child["code"] == 0
    assert with_child["stdout"] == fixture_plan.to_json()  # as planned here, in one process
    assert not with_child["scanner_imported"]  # every file was answered by the child


@forks
def test_a_credential_pasted_in_a_data_file_is_found_by_the_child(tmp_path):
    root = tmp_path / "stack"
    shutil.copytree(FIXTURE_ROOT, root)
    manifest = root / "secrets" / "reports-token.yaml"
    manifest.write_text(
        manifest.read_text().replace("private reports repository", f"reports ({TOKEN})")
    )
    with_child = plan_in_fresh_process(root, FIXTURE_STACK)
    assert not with_child["scanner_imported"]  # the child's result named the credential
    assert with_child["code"] == 2
    assert (
        "secrets/reports-token.yaml: description: this value looks like a credential"
        in (with_child["output"])
    )
    assert TOKEN not in with_child["output"]


LOAD = """
import sys, time
from pathlib import Path
from infra.config import prefetch
from infra.config.loader import load_project
from infra.errors import ConfigError
root = Path(sys.argv[1])
{before}
assert prefetch.start(root, "fixture")
{after}
try:
    load_project(root, "fixture")
    print("valid")
except ConfigError as exc:
    print("invalid:", exc)
"""


def load_in_fresh_process(root: Path, before: str = "", after: str = "") -> str:
    code = LOAD.format(before=before, after=after)
    env = {**os.environ, "CFINFRA_PREFETCH": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(root)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@forks
def test_a_file_changed_after_the_child_read_it_is_parsed_and_scanned_again(tmp_path):
    root = tmp_path / "stack"
    shutil.copytree(FIXTURE_ROOT, root)
    manifest = root / "secrets" / "reports-token.yaml"
    planted = manifest.read_text().replace("private reports repository", f"reports ({TOKEN})")
    change = (
        "time.sleep(1)  # the child has read the clean file by now\n"
        f"Path({str(manifest)!r}).write_text({planted!r})"
    )
    verdict = load_in_fresh_process(root, after=change)
    assert verdict.startswith("invalid:")
    assert "description: this value looks like a credential" in verdict


@forks
@pytest.mark.parametrize(
    "sabotage",
    [
        "prefetch.parse_all = lambda root, stack: 1 / 0",  # the child fails (or cannot pickle)
        "prefetch.TIMEOUT = 0.5\nprefetch.parse_all = lambda root, stack: time.sleep(30)",
    ],
    ids=["child-fails", "child-too-slow"],
)
def test_without_the_childs_results_the_parent_parses_and_scans_everything(tmp_path, sabotage):
    root = tmp_path / "stack"
    shutil.copytree(FIXTURE_ROOT, root)
    manifest = root / "secrets" / "reports-token.yaml"
    manifest.write_text(
        manifest.read_text().replace("private reports repository", f"reports ({TOKEN})")
    )
    verdict = load_in_fresh_process(root, before=sabotage)
    assert verdict.startswith("invalid:")
    assert "description: this value looks like a credential" in verdict

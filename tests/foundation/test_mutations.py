"""Property: any mutation of valid stack and manifest files gives a clean exit-2 error.

Never a crash.

Mutations are the ones admins actually make by mistake: a value of the wrong type, a missing key, an
unknown key, and a file that no longer parses as YAML. They are made to the fixture stack (the same
file kinds as production, a fraction of the size).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

WRONG_VALUES = st.one_of(
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
BROKEN_YAML = st.sampled_from(
    [
        "key: [unclosed",
        "a: b: c",
        "\t- tab",
        "{x",
        "- a\nb: c",
        "!!python/object:os.system {}",
        "k: v\nk: w",
    ]
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _apply(data: Any, path: tuple, op: str, value: Any) -> None:
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if op == "replace":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "add-unknown" and isinstance(parent, dict):
        parent["unknown_key_" + str(abs(hash(str(path))) % 1000)] = value
    else:
        parent[last] = value


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str, tuple, Any]:
    root = FIXTURE_ROOT
    files = [
        f"Pulumi.{FIXTURE_STACK}.yaml",
        *sorted(f"secrets/{p.name}" for p in (root / "secrets").glob("*.yaml")),
    ]
    file = draw(st.sampled_from(files))
    op = draw(st.sampled_from(["replace", "delete", "add-unknown", "break-yaml"]))
    if op == "break-yaml":
        return file, op, (), draw(BROKEN_YAML)
    data = yaml.safe_load((root / file).read_text())
    path = draw(st.sampled_from(_paths(data)))
    return file, op, path, draw(WRONG_VALUES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation())
def test_any_mutation_is_a_clean_exit_2_or_still_valid(m):
    file, op, path, value = m
    work = Path(tempfile.mkdtemp(prefix="cfinfra-mut-"))
    try:
        root = work / "p"
        shutil.copytree(FIXTURE_ROOT, root)  # each example on a fresh copy (~40 small files)
        target = root / file
        if op == "break-yaml":
            target.write_text(value + "\n" + target.read_text())
        else:
            data = yaml.safe_load(target.read_text())
            try:
                _apply(data, path, op, value)
            except (TypeError, KeyError, IndexError):
                return
            target.write_text(yaml.safe_dump(data, sort_keys=False))
        result = CliRunner().invoke(app, ["validate", "-s", FIXTURE_STACK, "--root", str(root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.output
        # 2: invalid; 3: the mutation makes a secret leak (the leak guard's exit code).
        assert result.exit_code in (0, 2, 3), result.output
        if result.exit_code in (2, 3):
            assert result.output.strip().splitlines()[-1].endswith("found"), result.output
            # Every problem names a file of the project. A cross-file rule may name the other side
            # (a webhook in the stack file that no secret signs any more), but then its message says
            # where the fix goes: the changed file, or the manifest folder.
            for line in result.output.strip().splitlines()[:-1]:
                assert (root / line.split(":", 1)[0]).exists(), line
            assert file in result.output or "secrets/" in result.output, result.output
    finally:
        shutil.rmtree(work, ignore_errors=True)

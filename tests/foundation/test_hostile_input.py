"""Structural attacks on every file kind the project reads: always a clean exit 2, never a crash.

Each example writes one hostile document (deep nesting, an alias bomb, a merge key, an anchor, a
tag, a control character) into one of the files `cfinfra validate` reads, or replaces the file with
something that is not a regular file, or drops a file the loader would not read into a data folder.
Every case must end in exit 2 with the file named, the "N validation errors found" line, and no
traceback. The cases that could crash the interpreter itself (a C-stack overflow in libyaml's
composer) or hang it (a FIFO) run in a subprocess with a timeout, so a crash or hang is observed as
one, not as a dead test run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from infra.cli import app
from infra.config.yamlio import MAX_DEPTH, parse_yaml
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"
# One file of every kind `cfinfra validate` reads, in the fixture stack.
FILE_KINDS = [
    STACK_FILE,
    "secrets/prod-upload-token.yaml",
    "data/github/teams.yaml",
    "data/github/repositories/staged-recipes.yaml",
    "data/github/webhooks/autotickbot.yaml",
    "data/runners/resources.yaml",
    "data/runners/providers.yaml",
    "data/runners/policy-defaults.yaml",
    "data/runners/aws-gpu-pool.yaml",
    "data/runners/hosts/gpu-cloud.yaml",
    "data/runners/access/numpy.yaml",
]
DATA_FOLDERS = [
    "secrets",
    "data/github/repositories",
    "data/github/webhooks",
    "data/runners/access",
    "data/runners/hosts",
]


def _nested(depth: int, flow: bool, mapping: bool) -> str:
    if flow:
        return ("{a: " * depth + "1" + "}" * depth) if mapping else "[" * depth + "]" * depth
    if mapping:
        return "".join("  " * i + "k:\n" for i in range(depth)) + "  " * depth + "v\n"
    return "".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "x\n"


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _merge_bomb(levels: int) -> str:
    lines = ["m0: &m0 {k0: x}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: x}}")
    return "\n".join(lines) + "\n"


DOCUMENTS = st.one_of(
    st.builds(
        _nested,
        st.integers(MAX_DEPTH + 1, 3000),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(_bomb, st.integers(2, 12)),
    st.builds(_merge_bomb, st.integers(2, 34)),
    st.just("base: &b {x: 1}\nother:\n  <<: *b\n"),
    st.just("description: &d hello\nowner: *d\n"),
    st.just("a: !!python/object/apply:os.system ['true']\n"),
    st.just("a: !!binary aGVsbG8=\n"),
    st.just("a: !custom x\n"),
    st.just("a: 2024-13-45\n"),
    st.sampled_from(["\\0", "\\e", "\\x07", "\\u202e", "\\x9b"]).map(
        lambda c: f'description: "ok{c}text"\n'
    ),
    st.just('"k\\x00ey": 1\n'),
    st.just("? [a, b]\n: 1\n"),
    st.sampled_from(
        ["AKIA" + "IOSFODNN7EXAMPL3", "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"]
    ).map(lambda token: f"description: pasted {token} here\n"),
    st.just("--- a\n--- b\n"),
)


def _assert_clean_exit_2(output: str, exit_code: int, named: str) -> None:
    # 3 when the broken file also makes a secret's audience unknown (counted as public: a leak).
    assert exit_code in (2, 3), output
    assert "Traceback" not in output, output
    lines = output.strip().splitlines()
    assert lines, output
    assert lines[-1].endswith("found"), output
    assert named in output, output


def _fresh() -> Path:
    work = Path(tempfile.mkdtemp(prefix="cfinfra-hostile-"))
    root = work / "p"
    shutil.copytree(FIXTURE_ROOT, root)
    return root


def _validate(root: Path) -> tuple[str, int]:
    result = CliRunner().invoke(app, ["validate", "-s", FIXTURE_STACK, "--root", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.output, result.exit_code


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=st.sampled_from(FILE_KINDS), document=DOCUMENTS, prepend=st.booleans())
def test_a_hostile_document_in_any_file_is_a_clean_exit_2(file, document, prepend):
    root = _fresh()
    try:
        target = root / file
        # Either the whole file, or the attack in front of the real content (a duplicate key or
        # a parse error is an equally clean refusal).
        target.write_text(document + (target.read_text() if prepend else ""))
        output, code = _validate(root)
        _assert_clean_exit_2(output, code, file)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


ODD_NAMES = ["x.YAML", "x.json", "x.yaml ", "x", "x.yml", ".x.yaml", "X.Yaml", "x.yaml.bak"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(folder=st.sampled_from(DATA_FOLDERS), name=st.sampled_from(ODD_NAMES))
def test_a_file_the_loader_would_not_read_is_an_error_not_skipped(folder, name):
    # A repository's name may start with a dot (`.cirun`, `.github`): that file is read, not odd.
    assume(not (folder == "data/github/repositories" and name == ".x.yaml"))
    root = _fresh()
    try:
        source = next(p for p in sorted((root / folder).iterdir()) if p.suffix == ".yaml")
        shutil.copy2(source, root / folder / name)
        output, code = _validate(root)
        _assert_clean_exit_2(output, code, f"{folder}/{name}")
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def _odd_file(kind: str, path: Path) -> None:
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        other = path.with_name(path.name + ".other")
        path.symlink_to(other.name)
        other.symlink_to(path.name)
    elif kind == "outside":
        path.symlink_to("/etc/hostname")
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "dangling":
        path.symlink_to("nowhere.yaml")
    elif kind == "folder":
        path.mkdir()


ODD_KINDS = ["fifo", "loop", "outside", "device", "dangling", "folder"]


def _run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point in its own interpreter: a segfault or a hang is seen, not suffered."""
    return subprocess.run(
        [sys.executable, "-m", "infra.cli", *args],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("kind", [k for k in ODD_KINDS if k != "fifo"])
def test_a_file_that_is_not_a_regular_file_is_refused(kind):
    root = _fresh()
    try:
        file = "secrets/prod-upload-token.yaml" if kind != "loop" else "data/runners/resources.yaml"
        _odd_file(kind, root / file)
        output, code = _validate(root)
        _assert_clean_exit_2(output, code, file)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_a_fifo_is_refused_without_waiting_for_a_writer():
    # Subprocess: a FIFO opened naively blocks forever waiting for a writer. One FIFO stands for a
    # fixed file (read by the reader itself), one sits in a data folder (refused by the listing).
    root = _fresh()
    try:
        fixed, listed = "data/runners/resources.yaml", "data/runners/access/numpy.yaml"
        _odd_file("fifo", root / fixed)
        _odd_file("fifo", root / listed)
        proc = _run_cli(root, "validate", "-s", FIXTURE_STACK, "--root", str(root))
        _assert_clean_exit_2(proc.stdout + proc.stderr, proc.returncode, fixed)
        assert listed in proc.stdout + proc.stderr
        # A request file named on the command line reaches the reader itself.
        request = root / "request.yml"
        os.mkfifo(request)
        proc = _run_cli(root, "runners", "apply-request", str(request), "--dry-run")
        _assert_clean_exit_2(proc.stdout + proc.stderr, proc.returncode, "request.yml")
        assert "not a regular file (a FIFO)" in proc.stdout + proc.stderr
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_thirty_thousand_nested_brackets_do_not_crash_the_interpreter():
    # libyaml's composer recursion overflows the C stack here: a segfault (exit -11) if the
    # document reached it.
    root = _fresh()
    try:
        (root / STACK_FILE).write_text("config: " + "[" * 30000 + "]" * 30000 + "\n")
        proc = _run_cli(root, "validate", "-s", FIXTURE_STACK, "--root", str(root))
        _assert_clean_exit_2(proc.stdout + proc.stderr, proc.returncode, STACK_FILE)
        assert f"nested deeper than {MAX_DEPTH} levels" in proc.stdout + proc.stderr
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_a_merge_key_bomb_in_a_runner_request_is_refused(tmp_path):
    # The 34-line merge-key bomb that took 6 GB in `runners apply-request`.
    request = tmp_path / "request.yml"
    request.write_text(_merge_bomb(34))
    proc = _run_cli(tmp_path, "runners", "apply-request", str(request), "--dry-run")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "merge keys" in proc.stdout + proc.stderr or "anchors" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_the_reader_names_the_key_path_of_what_it_refuses():
    _, problems = parse_yaml("targets:\n- name: x\n  repos: &r [a]\n", "secrets/x.yaml")
    assert [str(p) for p in problems] == [
        "secrets/x.yaml: targets[0].repos: anchors (`&name`) are not allowed"
    ]
    _, problems = parse_yaml('a:\n  b: [ok, "bad\\0"]\n', "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml: a.b[1]: control characters are not allowed (only tab and newline)"
    ]


def test_plain_data_still_reads():
    data, problems = parse_yaml("a: [1, {b: 'two'}]\nc: |\n  line\n  \tnext\n", "f.yaml")
    assert problems == []
    assert data == {"a": [1, {"b": "two"}], "c": "line\n\tnext\n"}


TOKEN_NAME = "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"


@pytest.mark.parametrize("folder", ["data/github/teams", "data/github/repositories", "secrets"])
def test_a_file_named_after_a_token_is_refused_without_printing_the_token(folder):
    # The validation report goes to the CI log, which is public: a problem names the file, and a
    # file named after a credential must not put it there (the one masking pass, as reports).
    root = _fresh()
    try:
        source = next(p for p in sorted((root / folder).iterdir()) if p.is_file())
        shutil.copy2(source, root / folder / f"{TOKEN_NAME}.yml")
        output, code = _validate(root)
        assert code == 2, output
        assert "[secret].yml" in output
        assert TOKEN_NAME.lower() not in output.lower()
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)

"""The hardened JSON reader and the output paths: every outside input refused in one line.

The command-level cases (every JSON-reading command, each hostile input, exit 2 within 10 s)
are in ``tests/foundation/test_hostile_json.py``; these pin the reader's own answers.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import typer

from infra.config.jsonio import MAX_DEPTH, load_json, parse_json
from infra.console import check_output_path, write_output


def _why(text: str, expect: type | None = dict) -> str:
    data, problems = parse_json(text, "x.json", expect)
    assert data is None
    assert len(problems) == 1
    return str(problems[0])


def test_an_object_is_read_as_json_reads_it() -> None:
    assert parse_json('{"a": [1, 2.5, "x", null, true]}', "x.json") == (
        {"a": [1, 2.5, "x", None, True]},
        [],
    )


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    assert "nested deeper than" in _why("[" * 100_000 + "]" * 100_000, None)


def test_nesting_just_past_the_cap_is_refused_and_at_the_cap_is_read() -> None:
    assert "nested deeper" in _why("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), None)
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, "x.json", None)[1] == []


def test_a_five_thousand_digit_number_is_refused() -> None:
    assert "longer than" in _why('{"n": ' + "9" * 5001 + "}")


def test_a_long_float_and_an_infinite_float_are_refused() -> None:
    assert "longer than" in _why('{"n": 1.' + "1" * 100 + "}")
    assert "too large" in _why('{"n": 1e999}')


def test_nan_and_infinity_are_not_json() -> None:
    assert "`NaN` is not JSON" in _why('{"n": NaN}')
    assert "`Infinity` is not JSON" in _why('{"n": Infinity}')


def test_duplicate_keys_are_refused() -> None:
    assert "duplicate key 'a'" in _why('{"a": 1, "a": 2}')


def test_a_top_level_list_is_refused_where_an_object_belongs() -> None:
    assert "expected an object at the top level, found an array" in _why("[1]")


def test_broken_json_names_line_and_column() -> None:
    assert _why('{\n  "a": }').startswith("x.json: line 2, column 8: not JSON")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    answer: list[object] = []
    reader = threading.Thread(target=lambda: answer.append(load_json(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert answer, "reading a FIFO hung"
    data, problems = answer[0]  # type: ignore[misc]
    assert data is None
    assert "not a regular file (a FIFO)" in str(problems[0])


def test_a_device_is_refused() -> None:
    data, problems = load_json(Path("/dev/zero"))
    assert data is None
    assert "not a regular file (a device or socket)" in str(problems[0])


def test_a_file_outside_any_project_is_read(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "x.json"
    path.parent.mkdir()
    path.write_text('{"ok": 1}', encoding="utf-8")
    assert load_json(path, Path.cwd()) == ({"ok": 1}, [])


def test_an_output_path_that_is_a_symlink_is_refused_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    target = tmp_path / "target"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "out.md"
    link.symlink_to(target)
    with pytest.raises(typer.Exit) as exc:
        write_output(link, "report", "--output")
    assert exc.value.exit_code == 2
    assert target.read_text(encoding="utf-8") == "keep"


def test_an_output_path_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    with pytest.raises(typer.Exit) as exc:
        check_output_path(fifo, "--output")
    assert exc.value.exit_code == 2


@pytest.mark.parametrize("where", ["missing/r.md", "."])
def test_an_output_path_in_a_missing_folder_or_a_folder_is_refused(
    tmp_path: Path, where: str
) -> None:
    with pytest.raises(typer.Exit) as exc:
        check_output_path(tmp_path / where, "--report")
    assert exc.value.exit_code == 2


def test_an_output_is_written_whole_and_keeps_the_files_mode(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    write_output(out, "new", "--output")
    assert out.read_text(encoding="utf-8") == "new"
    assert out.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]

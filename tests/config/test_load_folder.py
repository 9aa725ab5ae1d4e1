"""``load_folder``: the file name is the id, and every file it would not read is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config.base import Model
from infra.config.folder import load_folder


class Thing(Model):
    size: int


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "things"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_the_file_name_is_the_id_and_entries_are_sorted(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"b-two.yaml": "size: 2\n", "a-one.yaml": "size: 1\n"})

    entries, problems = load_folder(folder, Thing, tmp_path, what="thing")

    assert problems == []
    assert [(e.id, e.file, e.value.size) for e in entries] == [
        ("a-one", "things/a-one.yaml", 1),
        ("b-two", "things/b-two.yaml", 2),
    ]


@pytest.mark.parametrize("name", ["a.yml", "a.YAML", "a", "a.yaml.bak", "README.md", ".gitkeep"])
def test_a_file_the_loader_would_not_read_is_an_error(tmp_path: Path, name: str) -> None:
    folder = _folder(tmp_path, {name: "size: 1\n"})

    entries, problems = load_folder(folder, Thing, tmp_path, what="thing")

    assert entries == []
    assert [(p.file, p.message) for p in problems] == [
        (
            f"things/{name}",
            "thing files end in `.yaml` (the file name is the thing's id): "
            "this file would not be read",
        )
    ]


@pytest.mark.parametrize("name", ["Upper.yaml", "under_score.yaml", "-dash.yaml"])
def test_a_name_that_is_not_an_id_is_an_error(tmp_path: Path, name: str) -> None:
    folder = _folder(tmp_path, {name: "size: 1\n"})

    entries, problems = load_folder(folder, Thing, tmp_path, what="thing")

    assert entries == []
    assert [p.message for p in problems] == [
        "the file name is the thing's id: lower-case words and dashes"
    ]


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"real.yaml": "size: 1\n"})
    (folder / "sub.yaml").mkdir()
    (folder / "link.yaml").symlink_to(folder / "real.yaml")

    entries, problems = load_folder(folder, Thing, tmp_path, what="thing")

    assert [e.id for e in entries] == ["real"]
    assert sorted(p.file for p in problems) == ["things/link.yaml", "things/sub.yaml"]
    assert {p.message for p in problems} == {"only regular `<thing id>.yaml` files belong here"}


def test_a_file_that_does_not_validate_is_reported_with_its_key_path(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"big.yaml": "size: huge\n", "ok.yaml": "size: 3\n"})

    entries, problems = load_folder(folder, Thing, tmp_path, what="thing")

    assert [e.id for e in entries] == ["ok"]
    assert [(p.file, p.path) for p in problems] == [("things/big.yaml", "size")]


def test_a_missing_folder_holds_nothing(tmp_path: Path) -> None:
    assert load_folder(tmp_path / "absent", Thing, tmp_path, what="thing") == ([], [])

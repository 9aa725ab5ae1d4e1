"""One loader for every one-file-per-entity folder (``secrets/``, ``data/runners/hosts/`` …).

The file name is the entity's id, so a folder is read strictly: only regular files with exactly the
expected extension and an id-shaped name are read, and every other entry is an error. A skipped file
would be a silent no-op (``numpy.yml`` granting nothing, ``Core.csv`` declaring no team), which is
worse than a refusal naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel

from infra.config.base import validate
from infra.config.yamlio import display_path, load_yaml, printable
from infra.errors import Problem

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

KEBAB = re.compile(r"^(?:[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])\Z")  # \Z: `$` allows a newline
"""Lower-case words and dashes: the default shape of an id."""

Reader = Callable[[Path, Path | None], tuple[T | None, list[Problem]]]
"""Parses one file (``path``, project ``root``) into a value, or returns the problems."""


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One file of a folder: its id (the file name without extension), where it is, its content."""

    id: str
    file: str
    """The path as shown in messages (relative to the project root)."""
    value: T


def read_model(model: type[M]) -> Reader[M]:
    """A reader that parses a YAML file as ``model``."""

    def read(path: Path, root: Path | None) -> tuple[M | None, list[Problem]]:
        data, problems = load_yaml(path, root)
        if problems:
            return None, problems
        return validate(model, data, display_path(path, root))

    return read


def load_files(
    folder: Path,
    read: Reader[T],
    root: Path | None = None,
    *,
    what: str,
    suffix: str = ".yaml",
    id_pattern: re.Pattern[str] = KEBAB,
    id_rule: str = "lower-case words and dashes",
) -> tuple[list[Entry[T]], list[Problem]]:
    """Every ``<id><suffix>`` file of ``folder``, parsed by ``read``, sorted by id.

    ``what`` names the entity in messages ("secret", "host" …). A missing folder holds no entries;
    whether that is a problem is the caller's call.
    """
    entries: list[Entry[T]] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return entries, problems
    shown_dir = display_path(folder, root)
    for path in sorted(folder.iterdir()):
        # Not resolved: a symlink is named as itself; escaped: a name cannot forge output lines.
        shown = f"{shown_dir}/{printable(path.name)}"
        if path.is_symlink() or not path.is_file():
            problems.append(
                Problem(shown, "", f"only regular `<{what} id>{suffix}` files belong here")
            )
            continue
        if path.suffix != suffix:
            problems.append(
                Problem(
                    shown,
                    "",
                    f"{what} files end in `{suffix}` (the file name is the {what}'s id): "
                    "this file would not be read",
                )
            )
            continue
        if not id_pattern.match(path.stem):
            problems.append(Problem(shown, "", f"the file name is the {what}'s id: {id_rule}"))
            continue
        value, found = read(path, root)
        problems.extend(found)
        if value is not None:
            entries.append(Entry(id=path.stem, file=shown, value=value))
    return entries, problems


def load_folder(
    folder: Path,
    model: type[M],
    root: Path | None = None,
    *,
    what: str,
    id_pattern: re.Pattern[str] = KEBAB,
    id_rule: str = "lower-case words and dashes",
) -> tuple[list[Entry[M]], list[Problem]]:
    """Every ``<id>.yaml`` of ``folder`` validated as ``model`` (see ``load_files``)."""
    return load_files(
        folder, read_model(model), root, what=what, id_pattern=id_pattern, id_rule=id_rule
    )

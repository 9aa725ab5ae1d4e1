"""Data files from outside input: names that stay names, writes that land whole or not at all.

Two rules for every command that rewrites this repository's data (``adopt``, ``runners
import-access``, ``runners apply-request``):

- A name read from outside (a live policy's ``repo``, a snapshot's team slug) becomes a file name
  only through ``file_in``: one path component, never ``..``, never absolute, never a path that
  resolves outside its folder (a symlink included). ``../../../secrets/x-feedstock`` is refused,
  not joined.
- Changes are computed and validated first, then written by ``write_all``: every file is written to
  a temporary file beside it before any is renamed into place, so a failure leaves the data as it
  was (all files or none).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from infra.config.yamlio import has_control_characters, printable


class UnsafeName(ValueError):
    """An outside name that would not stay a plain file name inside its folder."""


def file_in(folder: Path, name: str, suffix: str = "") -> Path:
    """``folder / (name + suffix)``, refusing any ``name`` that is not one plain path component.

    Raises ``UnsafeName`` (its message shows the name with control characters escaped).
    """
    shown = printable(name)
    if not name or name in (".", ".."):
        raise UnsafeName(f"`{shown}` is not a file name")
    if any(c in name for c in "/\\\0\n\t") or has_control_characters(name):
        raise UnsafeName(f"`{shown}` is not a plain name (a path separator or a control character)")
    if Path(name).is_absolute() or Path(name).drive:
        raise UnsafeName(f"`{shown}` is an absolute path, not a name")
    path = folder / f"{name}{suffix}"
    base = folder.resolve()
    if path.resolve().parent != base:
        raise UnsafeName(f"`{shown}` resolves outside {folder} (a symlink there?)")
    return path


def write_all(changes: Mapping[Path, str | None]) -> None:
    """Write every ``path: text`` (``None``: delete the file), all of them or none.

    Every text is first written in full to a temporary file in the target's folder (same file
    system), then each is renamed over its target; if a rename fails, the targets renamed so far
    get their old content back. Folders are created as needed.
    """
    staged: list[tuple[Path, Path | None]] = []  # (target, temporary file, or None: delete)
    try:
        for path, text in sorted(changes.items()):
            if text is None:
                staged.append((path, None))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            mode = path.stat().st_mode & 0o777 if path.is_file() else 0o644
            os.chmod(tmp, mode)
            staged.append((path, Path(tmp)))
    except BaseException:
        _discard(t for _, t in staged)
        raise
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, staged_tmp in staged:
            old = path.read_bytes() if path.is_file() else None
            if staged_tmp is None:
                if old is not None:
                    path.unlink()
                    done.append((path, old))
                continue
            os.replace(staged_tmp, path)
            done.append((path, old))
    except BaseException:
        for path, old in reversed(done):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)
        _discard(t for _, t in staged)
        raise


def _discard(paths: Iterable[Path | None]) -> None:
    for tmp in paths:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


STACK_PARTS = ("Pulumi.yaml", "secrets", "data")
"""What a stack reads besides its stack file."""


@contextmanager
def staged_copy(
    root: Path, changes: Mapping[Path, str | None], parts: Iterable[str]
) -> Iterator[Path]:
    """A temporary copy of ``parts`` of ``root`` (files or folders) with ``changes`` applied.

    Validate the result there (messages name the same relative paths), then write the real files
    with ``write_all``. Every changed path must lie inside ``root``.
    """
    with tempfile.TemporaryDirectory(prefix="cfinfra-staged-") as tmp:
        copy = Path(tmp)
        for part in parts:
            src = root / part
            if src.is_dir():
                shutil.copytree(src, copy / part, symlinks=True)
            elif src.is_file():
                (copy / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, copy / part)
        for path, text in changes.items():
            target = copy / path.resolve().relative_to(root.resolve())
            if text is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        yield copy

"""The CLI's two consoles and the helpers every sub-command shares: the one way to print.

Messages go through ``print_text`` (one line or a report, as it is), tables and styled summaries
through ``out.print``/``err.print``, documents (Markdown, JSON, rendered files) through
``print_document``, byte for byte. They live here because importing ``infra.cli`` from a
sub-command module would cycle.
"""

from __future__ import annotations

import logging
import os
import stat
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.errors import ConfigError, Problem

# soft_wrap: a line is never wrapped or cropped at the terminal's width (a path, a URN, a report
# line stays whole and greppable); emoji=False: ``:key:`` in a message or a type token
# (``cfinfra:key:...``) is text, not an emoji code.
out = Console(highlight=False, soft_wrap=True, emoji=False)
"""Results: tables, summaries, paths written."""
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
"""Problems: validation reports, failures."""

StackOpt = Annotated[
    str, typer.Option("--stack", "-s", help="Stack name (reads Pulumi.<stack>.yaml).")
]
"""``--stack`` of the commands that load a stack."""
RootOpt = Annotated[
    Path,
    typer.Option(
        "--root", help="Project directory holding Pulumi.yaml, the stack file and secrets/."
    ),
]
"""``--root`` of the commands that load a stack."""

STDOUT = "-"
"""Where a command expects an output path, ``-`` means standard output."""


def console(stderr: bool = False) -> Console:
    """``err`` if ``stderr``, else ``out``."""
    return err if stderr else out


def width(stderr: bool = False) -> int:
    """The width the console lays its output out in."""
    return console(stderr).width


def print_text(text: str, *, stderr: bool = False, end: str = "\n") -> None:
    """Print ``text`` as it is (no markup, emoji codes or highlighting; never wrapped) on ``out``
    (``err`` if ``stderr``), then ``end``."""
    console(stderr).print(text, markup=False, emoji=False, highlight=False, end=end)


def print_document(text: str, *, stderr: bool = False) -> None:
    """Write a document (Markdown, JSON, a rendered file) to ``out``'s file (``err``'s if
    ``stderr``) byte for byte, ``text`` ending as it ends.

    Not through ``Console.print``: rich turns a string into ``Text``, which expands tabs and drops
    carriage returns and other control characters, and a document shows files' contents (unified
    diffs) that may hold them.
    """
    file = console(stderr).file
    file.write(text)
    file.flush()


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """Print a warning on stderr, once per process however many times it is raised.

    ``diff`` plans two revisions and the docs plan once more: the same warning must not be repeated
    for each.
    """
    if message in _warned:
        return
    _warned.add(message)
    from infra.markdown import masked_text

    print_text(
        masked_text(wrap(f"warning: {message}", width(stderr=True), indent="  ")), stderr=True
    )


def wrap(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped at spaces to ``width`` (continuation lines indented); words never cut."""
    return textwrap.fill(
        text,
        width=max(40, width),
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


_program_warnings: dict[str, None] = {}
"""The program's warnings of this command, in order, each once."""


class _Collect(logging.Handler):
    """Keeps the program's warnings (``pulumi.log.warn`` under mocks) for the command to print."""

    def emit(self, record: logging.LogRecord) -> None:
        _program_warnings.setdefault(record.getMessage(), None)


def route_program_warnings() -> None:
    """Collect the Pulumi program's warnings instead of printing them as they come.

    Every command that loads the stack through the program (``diff``, ``docs``, ``snapshot``,
    ``rotation plan``, ...) would otherwise repeat the same advice, which is about the stack, not
    about that command's answer. ``cfinfra plan`` (like ``pulumi preview``, where the engine
    prints them) shows them, once: ``print_program_warnings``.
    """
    log = logging.getLogger("cfinfra.program")
    if not any(isinstance(h, _Collect) for h in log.handlers):
        log.addHandler(_Collect(logging.WARNING))
        log.propagate = False


def print_program_warnings() -> None:
    """Print each collected program warning once (the command where they matter)."""
    for message in _program_warnings:
        warn_once(message)


def is_stdout(path: Path | str) -> bool:
    return str(path) == STDOUT


def _output_problem(path: Path) -> str | None:
    """Why ``path`` must not be written: never through a symlink, never into a FIFO or a device
    (a write would follow the link wherever it points, or block), never a folder."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return exc.strerror or exc.__class__.__name__
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            return "it is a symlink (written only as a regular file)"
        if stat.S_ISDIR(info.st_mode):
            return "it is a folder"
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file (a FIFO, device or socket)"
    parent = path.parent
    if not parent.is_dir():
        return f"folder {parent} does not exist"
    if not os.access(parent, os.W_OK) or (info is not None and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


def check_output_path(path: Path, option: str) -> None:
    """Refuse, before any work is done, an output path that cannot be written (exit 2, one line)."""
    if is_stdout(path):
        return
    problem = _output_problem(path)
    if problem:
        print_text(f"error: cannot write {path} ({option}): {problem}", stderr=True)
        raise typer.Exit(ExitCode.INVALID)


def write_output(path: Path, text: str, option: str) -> None:
    """Write ``text`` to ``path`` (``-``: standard output); a failure is exit 2 with one line.

    Atomic: a temporary file in the same folder, renamed over ``path``, so a reader never sees
    half a report and a symlink or FIFO at ``path`` is refused, not followed (the rename would
    replace a link, ``_output_problem`` refuses it first).
    """
    if is_stdout(path):
        print_document(text)
        return
    check_output_path(path, option)
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            if path.exists():
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            else:
                os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        print_text(f"error: cannot write {path} ({option}): {exc.strerror or exc}", stderr=True)
        raise typer.Exit(ExitCode.INVALID) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_input_text(path: Path, what: str) -> str:
    """The text of a file named on the command line (``-``: standard input), read wherever it
    lives under the hardened reader's limits (a regular file, a size cap, UTF-8); a refusal is
    exit 2 with one line."""
    from infra.config.jsonio import MAX_BYTES
    from infra.config.yamlio import read_text

    text, problems = read_text(path, None, confine=False, max_bytes=MAX_BYTES)
    if text is None:
        print_text(f"error: cannot read {what} {problems[0]}", stderr=True)
        raise typer.Exit(ExitCode.INVALID)
    return text


def read_input_json(path: Path, what: str, expect: type | None = dict) -> Any:
    """A JSON file named on the command line, through the hardened reader (``jsonio``): a
    refusal (not a regular file, too big, too deep, a huge number, a duplicate key, the wrong
    top-level kind) is exit 2 with one line naming the file."""
    from infra.config.jsonio import parse_json
    from infra.config.yamlio import STDIN

    text = read_input_text(path, what)
    data, problems = parse_json(text, "standard input" if str(path) == STDIN else str(path), expect)
    if problems:
        print_text(f"error: {problems[0]}", stderr=True)
        raise typer.Exit(ExitCode.INVALID)
    return data


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on an interactive terminal while a long step runs; nothing in CI or a pipe."""
    if not err.is_terminal or os.environ.get("CI"):
        yield
        return
    with err.status(message):
        yield


def fail_config(exc: ConfigError, context: str = "") -> typer.Exit:
    """Print a ``ConfigError``'s report (after ``context``, if given) and return the exit to raise.

    Every command that loads the project ends this way on bad configuration, so the contract holds
    everywhere: exit 3 when the leak guard is among the problems, else 2.
    """
    from infra.markdown import masked_text

    # A problem quotes outside input (file names, keys, values): the log is public in CI.
    print_text(masked_text(f"{context}\n{exc}" if context else str(exc)), stderr=True)
    return typer.Exit(ExitCode.of_config_error(exc))


def fail_problems(problems: Iterable[Problem]) -> NoReturn:
    """End the command on ``problems`` found outside the stack loader (a request file, the runner
    data): the same report and exit as ``fail_config``."""
    from infra.errors import ConfigError

    raise fail_config(ConfigError(problems))

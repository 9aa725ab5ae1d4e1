"""The CLI's two consoles and the helpers every sub-command shares.

They live here because importing ``infra.cli`` from a sub-command module would cycle.

``out`` (results: tables, summaries, paths written) and ``err`` (problems: validation reports,
failures) are rich consoles, created on first use: importing this module does not import rich
(~25 ms, plus ~25 ms to lay out a table). Plain text goes through ``print_text``, which writes
exactly the bytes ``out.print(text, markup=False)`` would (the console has ``highlight=False``
and ``soft_wrap=True``: rich neither colours nor wraps it), and hands the text to rich itself
whenever rich could write anything else: on a terminal (rich may style it), where rich would
replace an emoji code or strip a control character, on a stream that is not UTF-8, or once a
command has created that stream's console (its capture, live display or recording then see
everything). ``cfinfra plan`` into a file or a pipe never imports rich.
"""

from __future__ import annotations

import builtins
import logging
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from infra.errors import ConfigError

    out: Console
    """Results: tables, summaries, paths written."""
    err: Console
    """Problems: validation reports, failures."""

STDOUT = "-"
"""Where a command expects an output path, ``-`` means standard output."""

_CONSOLES = {"out": False, "err": True}
"""The consoles' names, and whether each writes to stderr."""


def __getattr__(name: str) -> Console:
    """``out`` and ``err``, created (and kept as module attributes) on first use."""
    if name not in _CONSOLES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    console = Console(stderr=_CONSOLES[name], highlight=False, soft_wrap=True)
    globals()[name] = console
    return console


def _console(stderr: bool) -> Console:
    """``err`` or ``out``, created if not yet."""
    name = "err" if stderr else "out"
    console: Console = globals()[name] if name in globals() else __getattr__(name)
    return console


def _stream(stderr: bool) -> IO[str] | None:
    """The file a console writes to now (rich's ``Console.file``: the current ``sys`` stream)."""
    stream = sys.stderr if stderr else sys.stdout
    proxied: IO[str] | None = getattr(stream, "rich_proxied_file", stream)
    return proxied


def _rich_is_special() -> bool:
    """Where rich reads its environment in ways not mirrored here: Windows, Jupyter, IDLE."""
    return (
        sys.platform == "win32"
        or hasattr(builtins, "get_ipython")
        or str(getattr(sys.stdin, "__module__", "")).startswith("idlelib")
    )


def is_terminal(stderr: bool = False) -> bool:
    """Whether rich treats the stream as a terminal (``Console.is_terminal``; it then styles)."""
    if ("err" if stderr else "out") in globals() or _rich_is_special():
        return _console(stderr).is_terminal
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "1"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    isatty = getattr(_stream(stderr), "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:  # a closed stream (as rich)
        return False


def width(stderr: bool = False) -> int:
    """The width rich gives the console (``Console.width``), computed without rich.

    Once the console exists, its own. Else as rich: ``COLUMNS`` if it is a number (but 80 on a
    dumb terminal, unless ``LINES`` is a number too); else the width of the first of stdin,
    stdout, stderr that is a terminal; else 80.
    """
    if ("err" if stderr else "out") in globals() or _rich_is_special():
        return _console(stderr).width
    columns = os.environ.get("COLUMNS")
    fixed = int(columns) if columns is not None and columns.isdigit() else None
    lines = os.environ.get("LINES")
    if fixed is not None and lines is not None and lines.isdigit():
        return fixed
    if is_terminal(stderr) and os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return 80
    size = None
    for fd in _STD_FDS:
        try:
            size = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return fixed if fixed is not None else (size or 80)


def _fileno(stream: IO[str] | None, default: int) -> int:
    try:
        return stream.fileno() if stream is not None else default
    except Exception:  # as rich: any failure means the usual descriptor
        return default


_STD_FDS = (
    _fileno(sys.__stdin__, 0),
    _fileno(sys.__stdout__, 1),
    _fileno(sys.__stderr__, 2),
)
"""The descriptors rich asks for a terminal size (read, as rich does, when it is imported)."""

_EMOJI_CODE = re.compile(r"(:(\S*?)(?:(?:\-)(emoji|text))?:)")
"""rich's emoji codes (``rich._emoji_replace``): ``:name:`` is replaced when ``name`` is one."""

_NOT_EMOJI = frozenset({"providers", "aws", "azure", "github", "heroku", "runners"})
"""Names found between two colons in what ``cfinfra plan`` prints (the middle of type tokens such as
``pulumi:providers:aws``, ``cfinfra:heroku:App``) that are not rich emoji codes (a test checks them
against rich's list): rich prints them unchanged, so they need no rich."""


def plain_as_rich(text: str, *, markup: bool = False) -> bool:
    """Whether rich would print ``text`` (a ``str`` printed by a non-terminal console with
    ``highlight=False``, emoji codes on) unchanged: printable, no tab, no emoji code, and, where
    markup is on, no ``[``."""
    if not text.replace("\n", "").isprintable():  # rich strips \r, \b ... and expands tabs
        return False
    if markup and "[" in text:
        return False
    return all(m.group(2).lower() in _NOT_EMOJI for m in _EMOJI_CODE.finditer(text))


def plain_stream(stderr: bool = False) -> IO[str] | None:
    """The stream to write to directly, or None if rich must write (see the module docstring)."""
    if ("err" if stderr else "out") in globals() or _rich_is_special():
        return None
    stream = _stream(stderr)
    if stream is None or is_terminal(stderr):
        return None
    if not (getattr(stream, "encoding", "utf-8") or "utf-8").lower().startswith("utf"):
        return None
    return stream


def write_plain(stream: IO[str], text: str) -> None:
    """Write and flush, as rich does after each print; a closed pipe exits 1, as in rich."""
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None


def print_text(text: str, *, stderr: bool = False) -> None:
    """``out.print(text, markup=False)`` (``err`` if ``stderr``), the same bytes; rich if needed."""
    stream = plain_stream(stderr)
    if stream is not None and plain_as_rich(text):
        write_plain(stream, text + "\n")
    else:
        _console(stderr).print(text, markup=False)


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """Print a warning on stderr, once per process however many times it is raised.

    ``diff`` plans two revisions and the docs plan once more: the same warning must not be repeated
    for each.
    """
    if message in _warned:
        return
    _warned.add(message)
    print_text(wrap(f"warning: {message}", width(stderr=True), indent="  "), stderr=True)


def wrap(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped at spaces to ``width`` (continuation lines indented); words never cut."""
    return textwrap.fill(
        text,
        width=max(40, width),
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


class _OncePerCommand(logging.Handler):
    """Routes the program's warnings (``pulumi.log.warn`` under mocks) to ``warn_once``."""

    def emit(self, record: logging.LogRecord) -> None:
        warn_once(record.getMessage())


def route_program_warnings() -> None:
    """Print the Pulumi program's warnings once per command (``diff`` plans twice, ``docs`` once
    more), instead of once per plan."""
    log = logging.getLogger("cfinfra.program")
    if not any(isinstance(h, _OncePerCommand) for h in log.handlers):
        log.addHandler(_OncePerCommand(logging.WARNING))
        log.propagate = False


def is_stdout(path: Path | str) -> bool:
    return str(path) == STDOUT


def check_output_path(path: Path, option: str) -> None:
    """Refuse, before any work is done, an output path that cannot be written (exit 2, one line)."""
    if is_stdout(path):
        return
    parent = path.parent
    problem = None
    if path.is_dir():
        problem = "it is a folder"
    elif not parent.is_dir():
        problem = f"folder {parent} does not exist"
    elif not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        problem = "permission denied"
    if problem:
        print_text(f"error: cannot write {path} ({option}): {problem}", stderr=True)
        raise typer.Exit(ExitCode.INVALID)


def write_output(path: Path, text: str, option: str) -> None:
    """Write ``text`` to ``path`` (``-``: standard output); a failure is exit 2 with one line."""
    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print_text(f"error: cannot write {path} ({option}): {exc.strerror or exc}", stderr=True)
        raise typer.Exit(ExitCode.INVALID) from None


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on an interactive terminal while a long step runs; nothing in CI or a pipe."""
    if not is_terminal(stderr=True) or os.environ.get("CI"):
        yield
        return
    with _console(stderr=True).status(message):
        yield


def fail_config(exc: ConfigError, context: str = "") -> typer.Exit:
    """Print a ``ConfigError``'s report (after ``context``, if given) and return the exit to raise.

    Every command that loads the project ends this way on bad configuration, so the contract holds
    everywhere: exit 3 when the leak guard is among the problems, else 2.
    """
    print_text(f"{context}\n{exc}" if context else str(exc), stderr=True)
    return typer.Exit(ExitCode.of_config_error(exc))

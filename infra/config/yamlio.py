"""The one way this project reads a data file: strict YAML with limits that no input can crash.

Every file the project reads (the stack file, the secrets manifest, the data folders, the runner
requests feedstock maintainers write) goes through ``load_yaml``, and every failure is a
``Problem`` naming the file and, where there is one, the key path: never a traceback, a hang or a
crash. What it refuses, and why:

- anything that is not a regular file (a FIFO would block ``open`` forever, a device never ends),
  and any path that resolves outside the project (a symlink leaving the repository); a symlink
  loop is an error like any other;
- files over ``MAX_BYTES``, and documents over ``MAX_NODES`` nodes or nested deeper than
  ``MAX_DEPTH`` levels. Depth is checked on libyaml's *event* stream, which is flat, before
  anything is composed: PyYAML's C composer recurses once per level and a few tens of thousands of
  ``[`` overflow the C stack (a segfault, not an exception);
- anchors, aliases and merge keys (``<<``): nothing here needs them, and a few lines of aliases
  expand into gigabytes ("billion laughs");
- explicit tags (``!!python/...``, ``!!binary``, ``!custom``): data is plain mappings, lists and
  scalars;
- duplicate keys (PyYAML silently keeps the last one) and non-scalar keys;
- control characters in any key or value (tab and newline excepted), and the bidirectional
  overrides that make text read differently from what it is;
- any key or value that looks like a credential (``infra.config.secretscan``): every file read here
  is clear text.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from infra.config.secretscan import credential_problems
from infra.errors import Problem, format_loc

MAX_BYTES = 1_000_000
"""Largest file read (the biggest data file today is under 10 kB)."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists (the deepest data file today nests 7 levels)."""
MAX_NODES = 200_000
"""Most scalars, mappings and lists in one document."""

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
# C0 controls except tab and newline (a CR is normalised away by the YAML reader), DEL, C1
# controls, and the Unicode bidirectional embeddings, overrides and isolates ("Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a control character (tab and newline excepted) or a bidi override."""
    return _CONTROL.search(text) is not None


class StrictLoader(_Base):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def printable(text: str) -> str:
    """``text`` with control characters escaped, so a file name cannot forge output lines."""
    if _CONTROL.search(text) or "\n" in text or "\t" in text:
        return text.encode("unicode_escape").decode("ascii")
    return text


def display_path(path: Path, root: Path | None) -> str:
    """A path relative to the project root where possible, so messages read the same everywhere."""
    if root is not None:
        try:
            return printable(path.absolute().relative_to(root.absolute()).as_posix())
        except ValueError:
            pass
        try:
            return printable(path.resolve().relative_to(root.resolve()).as_posix())
        except (ValueError, OSError, RuntimeError):
            pass
    return printable(path.as_posix())


STDIN = "-"
"""A file named ``-`` on the command line is standard input."""


def read_text(
    path: Path,
    root: Path | None = None,
    *,
    confine: bool = True,
    max_bytes: int = MAX_BYTES,
) -> tuple[str | None, list[Problem]]:
    """The text of a regular file, at most ``max_bytes``, as UTF-8; inside ``root`` if ``confine``.

    ``-`` is standard input (read to the same limit). Returns ``(text, problems)``; text is None
    when the file is refused.
    """
    shown = "standard input" if str(path) == STDIN else display_path(path, root)

    def refuse(why: str) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, "", why)]

    if str(path) == STDIN:
        import sys

        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            return refuse("standard input is closed")
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            return refuse(f"larger than {max_bytes} bytes")
        try:
            return data.decode("utf-8"), []
        except UnicodeDecodeError:
            return refuse("not UTF-8 text")

    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            return refuse("a symlink to nothing (its target does not exist)")
        return refuse("no such file")
    except RuntimeError:  # Python < 3.13 reports a symlink loop this way
        return refuse("a symlink loop")
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return refuse("a symlink loop")
        return refuse(f"cannot read file: {exc.strerror or exc.__class__.__name__}")
    if confine and root is not None and not resolved.is_relative_to(root.resolve()):
        return refuse("resolves outside the project (a symlink leaving the repository)")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below refuses it anyway.
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return refuse(f"cannot read file: {exc.strerror or exc.__class__.__name__}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "a folder"
                if stat.S_ISDIR(info.st_mode)
                else "a FIFO"
                if stat.S_ISFIFO(info.st_mode)
                else "a device or socket"
            )
            return refuse(f"not a regular file ({kind})")
        if info.st_size > max_bytes:
            return refuse(f"larger than {max_bytes} bytes")
        chunks = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            return refuse(f"larger than {max_bytes} bytes")
    except OSError as exc:
        return refuse(f"cannot read file: {exc.strerror or exc.__class__.__name__}")
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8"), []
    except UnicodeDecodeError:
        return refuse("not UTF-8 text")


class _Refused(Exception):
    def __init__(self, loc: list[str | int], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


def _prescan(text: str) -> None:
    """Walk libyaml's flat event stream once: refuse what must never reach the composer.

    Raises ``_Refused`` with the key path of the first offending node, or ``yaml.YAMLError``.
    """
    # One frame per open collection: [is_mapping, expecting_key, key or index of the child].
    stack: list[list[Any]] = []
    nodes = 0

    def loc() -> list[str | int]:
        return [key for _, _, key in stack if key is not None]

    def node_done() -> None:
        if not stack:
            return
        frame = stack[-1]
        if not frame[0]:
            frame[2] += 1
        elif frame[1]:
            frame[1] = False
        else:
            frame[1], frame[2] = True, None

    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(loc(), "aliases (`*name`) are not allowed")
        if not isinstance(event, yaml.NodeEvent):
            if isinstance(event, yaml.CollectionEndEvent) and stack:
                stack.pop()
                node_done()
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise _Refused(loc(), f"more than {MAX_NODES} values in one file")
        at_key = bool(stack) and stack[-1][0] and stack[-1][1]
        tag = getattr(event, "tag", None)  # every node event but an alias has one
        if event.anchor is not None:
            raise _Refused(loc(), "anchors (`&name`) are not allowed")
        if tag == _MERGE_TAG or (
            at_key
            and isinstance(event, yaml.ScalarEvent)
            and event.value == "<<"
            and event.implicit[0]
        ):
            raise _Refused(loc(), "merge keys (`<<`) are not allowed")
        if tag is not None and not (
            isinstance(event, yaml.CollectionStartEvent) and event.implicit
        ):
            raise _Refused(loc(), f"explicit tags (`{tag}`) are not allowed")
        if isinstance(event, yaml.ScalarEvent):
            if at_key:
                stack[-1][2] = event.value
            node_done()
            continue
        # A mapping or a list opens.
        if at_key:
            raise _Refused(loc(), "a mapping key must be a plain value")
        if len(stack) >= MAX_DEPTH:
            raise _Refused(loc(), f"nested deeper than {MAX_DEPTH} levels")
        is_map = isinstance(event, yaml.MappingStartEvent)
        stack.append([is_map, True, None if is_map else 0])


def _control_characters(node: Any, loc: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    if isinstance(node, str):
        if _CONTROL.search(node):
            yield loc, "control characters are not allowed (only tab and newline)"
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and _CONTROL.search(key):
                yield [*loc, repr(key)[1:-1]], "control characters are not allowed in a key"
                continue
            yield from _control_characters(value, [*loc, key if isinstance(key, str) else str(key)])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _control_characters(value, [*loc, i])


Parsed = tuple[Any, list[Problem]]
"""What ``parse_yaml`` returns: the data (None when unusable) and the problems."""


def structure_problems(text: str, shown: str) -> list[Problem]:
    """The reader's structural limits alone (size, nesting, node count, anchors and aliases, tags)
    for YAML another parser reads afterwards (a workflow file, composed for its line numbers)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return [Problem(shown, "", f"larger than {MAX_BYTES} bytes")]
    try:
        _prescan(text)
    except _Refused as exc:
        return [Problem(shown, format_loc(exc.loc), exc.message)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [Problem(shown, where, f"invalid YAML: {what}")]
    return []


def parse_yaml(text: str, shown: str) -> Parsed:
    """Parse YAML text (already read) under every limit; ``shown`` names it in problems."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None, [Problem(shown, "", f"larger than {MAX_BYTES} bytes")]
    try:
        _prescan(text)
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except _Refused as exc:
        return None, [Problem(shown, format_loc(exc.loc), exc.message)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(shown, where, f"invalid YAML: {what}")]
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:
        # e.g. `date: 2024-13-45` matches YAML's timestamp pattern but is no date.
        return None, [Problem(shown, "", f"invalid YAML value: {exc.__class__.__name__}")]
    problems = [
        Problem(shown, format_loc(where), why) for where, why in _control_characters(data, [])
    ]
    if not problems:
        problems = credential_problems(data, shown)
    return (None if problems else data), problems


def load_yaml(
    path: Path, root: Path | None = None, *, confine: bool = True
) -> tuple[Any, list[Problem]]:
    """Read and parse one YAML file. Returns ``(data, problems)``; data is None when unusable.

    With a ``root`` and ``confine``, a path resolving outside ``root`` is refused.
    """
    text, problems = read_text(path, root, confine=confine)
    if text is None:
        return None, problems
    return parse_yaml(text, display_path(path, root))


def dump_yaml(data: Any) -> str:
    """Deterministic block-style YAML, keys in the order given."""
    return yaml.safe_dump(
        data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
    )

"""Parse and scan a stack's data files on a second core while the parent imports the provider SDKs.

Before ``cfinfra plan`` reads its first data file, it spends ~0.3 s importing Pulumi, the
provider SDKs' first modules and the data models; reading, parsing and credential-scanning the
~100 data files (``infra.config.yamlio.parse_yaml``, ~0.15 s with the scanner's own import) needs
none of that. ``start`` forks a child that runs exactly that function on every YAML file the stack
can read and sends the results back; ``parse_yaml`` then answers a text from the child's result.

Nothing is skipped or trusted beyond what the parent would compute itself:

- the parent still reads every file itself, under every limit (``read_text``), and uses a result
  only for the identical text under the identical name: a file that changed in between, or one the
  child did not read, is parsed and scanned in the parent;
- a child that fails, exits non-zero, sends something unreadable or takes longer than ``TIMEOUT``
  is ignored (and killed), and every file is parsed and scanned in the parent;
- no fork where it is unsafe or useless: not on Linux, one core, another thread already running
  (a fork copies locks other threads may hold), or ``CFINFRA_PREFETCH=0``.

The child is a fork of the parent at that moment: the same code, the same interpreter, no new
inputs. It writes only to its pipe and leaves with ``os._exit``, running no exit handler and
flushing none of the parent's buffers.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from infra.config.yamlio import Parsed, display_path, expect_parsed, parse_yaml, read_text

TIMEOUT = 30.0
"""Seconds the parent waits for the child's results before parsing everything itself."""
DATA_FOLDERS = ("secrets", "data")
"""The folders whose YAML files a stack reads (besides ``Pulumi.yaml`` and its stack file)."""


def stack_files(root: Path, stack: str) -> Iterator[Path]:
    """Every YAML file a load of ``stack`` may read (one it does not read is only wasted work)."""
    yield root / "Pulumi.yaml"
    yield root / f"Pulumi.{stack}.yaml"
    for folder in DATA_FOLDERS:
        if (root / folder).is_dir():
            yield from sorted((root / folder).rglob("*.yaml"))


def parse_all(root: Path, stack: str) -> dict[tuple[str, str], Parsed]:
    """``{(shown, text): parse_yaml(text, shown)}`` for every readable file of ``stack_files``."""
    parsed: dict[tuple[str, str], Parsed] = {}
    for path in stack_files(root, stack):
        text, _ = read_text(path, root)
        if text is not None:
            shown = display_path(path, root)
            parsed[(shown, text)] = parse_yaml(text, shown)
    return parsed


def usable() -> bool:
    """Whether a fork is safe and can gain anything here (see the module's docstring)."""
    return (
        sys.platform == "linux"
        and os.environ.get("CFINFRA_PREFETCH", "1") != "0"
        and len(os.sched_getaffinity(0)) >= 2
        and threading.active_count() == 1
    )


def start(root: Path, stack: str) -> bool:
    """Fork the child that parses ``stack``'s files under ``root``; False if it was not started."""
    if not usable():
        return False
    root = root.resolve()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return False
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(write_end, root, stack)
    os.close(write_end)
    expect_parsed(lambda: _collect(pid, read_end))
    return True


def _child(fd: int, root: Path, stack: str) -> None:
    code = 1
    try:
        payload = pickle.dumps(parse_all(root, stack), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        code = 0
    except BaseException:  # the parent parses everything itself on a non-zero exit
        code = 1
    finally:
        os._exit(code)


def _collect(pid: int, fd: int) -> dict[tuple[str, str], Parsed]:
    """The child's results, or ``{}`` if it failed or is too slow (then it is killed)."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                chunks = []
                break
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    if not chunks or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return {}
    try:
        answers = pickle.loads(b"".join(chunks))  # noqa: S301 - our own fork's output, via our pipe
    except Exception:  # unreadable: the parent parses everything itself
        return {}
    return answers if isinstance(answers, dict) else {}
